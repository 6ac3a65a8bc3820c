import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { setToken } from "../api/client";
import { MAX_STREAMS, openStreamCount, watchDocument, type Document } from "./documentProgress";
import { makeDocument } from "./testDocuments";

const encoder = new TextEncoder();
const running = makeDocument({ percentage: 40, chunks_embedded: 30 });
const completed = makeDocument({
  status: "completed",
  stage: "completed",
  percentage: 100,
  chunks_embedded: 80,
  eta_seconds: null,
});

function sse(...events: [string, unknown][]): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

function eventStream(text: string, { close = true } = {}): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(text));
      if (close) controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

type Handler = (url: string, headers: Headers) => Response | Promise<Response>;

function stubFetch(handler: Handler) {
  const calls: { url: string; headers: Headers }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(String(input), init);
      const url = new URL(request.url).pathname;
      calls.push({ url, headers: request.headers });
      if (init?.signal?.aborted || request.signal.aborted) throw new DOMException("aborted", "AbortError");
      return handler(url, request.headers);
    }),
  );
  return calls;
}

describe("watchDocument", () => {
  beforeEach(() => setToken("t0ken"));
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it("follows the progress stream with the bearer token until done", async () => {
    const calls = stubFetch(() => eventStream(sse(["progress", running], ["done", completed])));
    const seen: Document[] = [];
    const final = await watchDocument("doc-1", {
      signal: new AbortController().signal,
      onUpdate: (d) => seen.push(d),
    });
    expect(final).toEqual(completed);
    expect(seen.map((d) => d.percentage)).toEqual([40, 100]);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe("/api/v1/documents/doc-1/events");
    expect(calls[0].headers.get("Authorization")).toBe("Bearer t0ken");
    expect(openStreamCount()).toBe(0);
  });

  it("polls the document when the stream cannot be opened", async () => {
    let polls = 0;
    const calls = stubFetch((url) => {
      if (url.endsWith("/events")) return json({ error: { code: "x", message: "proxy" } }, 502);
      polls += 1;
      return json(polls < 3 ? running : completed);
    });
    const seen: Document[] = [];
    const fallback = vi.fn();
    const final = await watchDocument("doc-1", {
      signal: new AbortController().signal,
      onUpdate: (d) => seen.push(d),
      pollIntervalMs: 1,
      onFallback: fallback,
    });
    expect(final?.status).toBe("completed");
    expect(seen.map((d) => d.status)).toEqual(["running", "running", "completed"]);
    expect(fallback).toHaveBeenCalledWith("the stream answered 502");
    expect(calls.filter((c) => c.url === "/api/v1/documents/doc-1")).toHaveLength(3);
    expect(calls.at(-1)?.headers.get("Authorization")).toBe("Bearer t0ken");
  });

  it("polls when the stream ends before its done event", async () => {
    stubFetch((url) => (url.endsWith("/events") ? eventStream(sse(["progress", running])) : json(completed)));
    const seen: Document[] = [];
    const final = await watchDocument("doc-1", {
      signal: new AbortController().signal,
      onUpdate: (d) => seen.push(d),
      pollIntervalMs: 1,
    });
    expect(final).toEqual(completed);
    expect(seen.map((d) => d.percentage)).toEqual([40, 100]);
  });

  it("rejects when the document was deleted while watched", async () => {
    const gone = { error: { code: "not_found", message: "document 'doc-1' was deleted" } };
    stubFetch(() => eventStream(`event: error\ndata: ${JSON.stringify(gone)}\n\n`));
    await expect(
      watchDocument("doc-1", { signal: new AbortController().signal, onUpdate: () => undefined }),
    ).rejects.toMatchObject({ status: 404, code: "not_found" });
  });

  it("resolves null once aborted, closing the stream", async () => {
    let cancelled = false;
    stubFetch(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode(sse(["progress", running])));
            },
            cancel() {
              cancelled = true;
            },
          }),
          { status: 200 },
        ),
    );
    const controller = new AbortController();
    const seen: Document[] = [];
    const pending = watchDocument("doc-1", { signal: controller.signal, onUpdate: (d) => seen.push(d) });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    controller.abort();
    await expect(pending).resolves.toBeNull();
    expect(cancelled).toBe(true);
    expect(openStreamCount()).toBe(0);
  });

  it(`opens at most ${MAX_STREAMS} streams and polls the other documents`, async () => {
    const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
    const calls = stubFetch((url) => {
      if (url.endsWith("/events")) {
        return new Response(
          new ReadableStream<Uint8Array>({ start: (controller) => void streams.push(controller) }),
          { status: 200 },
        );
      }
      return json(completed);
    });
    const controller = new AbortController();
    const watching = Array.from({ length: MAX_STREAMS + 1 }, (_, i) =>
      watchDocument(`doc-${i}`, { signal: controller.signal, onUpdate: () => undefined, pollIntervalMs: 1 }),
    );
    await expect(watching[MAX_STREAMS]).resolves.toEqual(completed); // polled
    expect(calls.filter((c) => c.url.endsWith("/events"))).toHaveLength(MAX_STREAMS);
    expect(openStreamCount()).toBe(MAX_STREAMS);
    for (const stream of streams) stream.enqueue(encoder.encode(sse(["done", completed])));
    await Promise.all(watching);
    expect(openStreamCount()).toBe(0);
    controller.abort();
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError, setToken } from "../api/client";
import { followRunEvents, type RunEvent } from "./runEvents";

/** A response whose body arrives in exactly these chunks. */
function sse(chunks: string[], { fail = false } = {}): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
      else if (fail) controller.error(new TypeError("network error"));
      else controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

function stub(responses: (() => Response)[]) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn((url: string, init: RequestInit) => {
      calls.push({ url, headers: { ...(init.headers as Record<string, string>) } });
      const next = responses.shift();
      return next ? Promise.resolve(next()) : Promise.reject(new TypeError("offline"));
    }),
  );
  return calls;
}

const started = `id: 100\nevent: run_started\ndata: {"run_id":"r1","started_at":"2025-01-01T10:00:00Z","nodes":[]}\n\n`;
const step = `id: 501\nevent: step_started\ndata: {"node_id":"kb","attempt":1}\n\n`;
const done = `id: 900\nevent: run_completed\ndata: {"response":"hi","model":"m","usage":{},"context_used":false,"run_id":"r1"}\n\n`;

afterEach(() => {
  vi.unstubAllGlobals();
  setToken(null);
});

describe("followRunEvents", () => {
  it("reads ids, multi-line data, pings and events split across chunks, with the token", async () => {
    setToken("tok");
    const calls = stub([
      () =>
        sse([
          ": ping\n\n",
          started.slice(0, 17),
          started.slice(17) + "id: 200\nevent: step_started\ndata: {\"node_id\":\ndata: \"llm\", \"attempt\": 1}\n",
          "\n: ping\n\n" + done.slice(0, 30),
          done.slice(30),
        ]),
    ]);
    const seen: RunEvent[] = [];
    const end = await followRunEvents("/api/v1/runs/r1/events", { onEvent: (e) => seen.push(e) });
    expect(seen.map((e) => [e.id, e.event])).toEqual([
      ["100", "run_started"],
      ["200", "step_started"],
      ["900", "run_completed"],
    ]);
    expect(seen[1].data).toEqual({ node_id: "llm", attempt: 1 });
    expect(end?.event).toBe("run_completed");
    expect(calls[0].headers.Authorization).toBe("Bearer tok");
    expect(calls[0].headers["Last-Event-ID"]).toBeUndefined();
    expect(calls[0].url).toBe(`${window.location.origin}/api/v1/runs/r1/events`);
  });

  it("resumes after a dropped connection from the last event id, without repeats", async () => {
    const calls = stub([() => sse([started, step], { fail: true }), () => sse([done])]);
    const seen: string[] = [];
    const end = await followRunEvents("/api/v1/runs/r1/events", {
      onEvent: (e) => seen.push(e.id),
      backoffMs: () => 0,
    });
    expect(seen).toEqual(["100", "501", "900"]);
    expect(end?.event).toBe("run_completed");
    expect(calls[1].headers["Last-Event-ID"]).toBe("501");
  });

  it("passes on token events and resumes after one with its id exactly as received", async () => {
    const token = `id: 1200-5\nevent: token\ndata: {"node_id":"llm","attempt":1,"seq":5,"text":" refunds"}\n\n`;
    const calls = stub([() => sse([started, token], { fail: true }), () => sse([done])]);
    const seen: RunEvent[] = [];
    await followRunEvents("/api/v1/runs/r1/events", { onEvent: (e) => seen.push(e), backoffMs: () => 0 });
    expect(seen.map((e) => [e.id, e.event])).toEqual([
      ["100", "run_started"],
      ["1200-5", "token"],
      ["900", "run_completed"],
    ]);
    expect(seen[1].data).toEqual({ node_id: "llm", attempt: 1, seq: 5, text: " refunds" });
    expect(calls[1].headers["Last-Event-ID"]).toBe("1200-5");
  });

  it("reconnects after a stream that ends early or sends an error event", async () => {
    const calls = stub([
      () => sse([started]),
      () => sse([`event: error\ndata: {"error":{"code":"temporal_unavailable","message":"down"}}\n\n`]),
      () => sse([done]),
    ]);
    const end = await followRunEvents("/api/v1/runs/r1/events", { onEvent: () => undefined, backoffMs: () => 0 });
    expect(end?.event).toBe("run_completed");
    expect(calls.map((c) => c.headers["Last-Event-ID"])).toEqual([undefined, "100", "100"]);
  });

  it("gives up after a bounded number of reconnections", async () => {
    const calls = stub([]);
    await expect(
      followRunEvents("/api/v1/runs/r1/events", { onEvent: () => undefined, maxReconnects: 2, backoffMs: () => 0 }),
    ).rejects.toBeInstanceOf(ApiError);
    expect(calls).toHaveLength(3);
  });

  it("does not retry a refusal (404) and ends a run_failed stream", async () => {
    stub([() => new Response(JSON.stringify({ error: { code: "not_found", message: "No run r1" } }), { status: 404 })]);
    await expect(followRunEvents("/api/v1/runs/r1/events", { onEvent: () => undefined })).rejects.toThrow("No run r1");

    stub([
      () =>
        sse([`id: 700\nevent: run_failed\ndata: {"run_id":"r1","status":"failed","message":"boom","node_id":"llm"}\n\n`, done]),
    ]);
    const seen: string[] = [];
    const end = await followRunEvents("/api/v1/runs/r1/events", { onEvent: (e) => seen.push(e.event) });
    expect(end?.event).toBe("run_failed");
    expect(seen).toEqual(["run_failed"]);
  });

  it("stops when aborted", async () => {
    stub([() => sse([started, step], { fail: false })]);
    const controller = new AbortController();
    const end = await followRunEvents("/api/v1/runs/r1/events", {
      signal: controller.signal,
      onEvent: () => controller.abort(),
    });
    expect(end).toBeNull();
  });
});

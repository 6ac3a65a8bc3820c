/**
 * Follows one document's ingestion: the server's progress stream
 * (`GET /documents/{id}/events`, read with `fetch` so the bearer token goes along),
 * falling back to polling `GET /documents/{id}` when the stream cannot be opened or
 * breaks off before its `done` event.
 *
 * Browsers hold at most six HTTP/1.1 connections per server, and each stream keeps one
 * open; beyond `MAX_STREAMS` open streams, further documents are polled instead, so the
 * rest of the builder never waits for a free connection.
 */
import { ApiError, api, getToken, toApiError, unwrap, type Schemas } from "../api/client";
import { readSse } from "./sse";

export type Document = Schemas["DocumentOut"];

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["completed", "failed", "cancelled"]);

export function isFinished(document: Pick<Document, "status">): boolean {
  return TERMINAL_STATUSES.has(document.status);
}

export const MAX_STREAMS = 3;
let openStreams = 0;

/** How many progress streams are open now (for tests). */
export function openStreamCount(): number {
  return openStreams;
}

export interface WatchOptions {
  /** Every state the server reports, oldest first. */
  onUpdate: (document: Document) => void;
  /** Stops watching (the stream is closed, polling ends); the promise then resolves null. */
  signal: AbortSignal;
  /** Between two polls, when polling. */
  pollIntervalMs?: number;
  /** Told when the stream failed and polling took over (diagnostics). */
  onFallback?: (reason: string) => void;
}

type StreamOutcome = { kind: "done"; document: Document } | { kind: "broken"; reason: string };

/**
 * Resolves with the document's final state (completed, failed or cancelled), or null
 * when aborted. Rejects with an `ApiError` when the document is not found (deleted, or
 * not yours) — there is nothing left to watch.
 */
export async function watchDocument(id: string, options: WatchOptions): Promise<Document | null> {
  const { signal } = options;
  if (signal.aborted) return null;
  if (openStreams < MAX_STREAMS) {
    openStreams += 1;
    let outcome: StreamOutcome;
    try {
      outcome = await streamProgress(id, options);
    } finally {
      openStreams -= 1;
    }
    if (signal.aborted) return null;
    if (outcome.kind === "done") return outcome.document;
    options.onFallback?.(outcome.reason);
  } else {
    options.onFallback?.("too many open progress streams");
  }
  return pollProgress(id, options);
}

async function streamProgress(id: string, { onUpdate, signal }: WatchOptions): Promise<StreamOutcome> {
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await globalThis.fetch(
      `${window.location.origin}/api/v1/documents/${encodeURIComponent(id)}/events`,
      { headers, signal, cache: "no-store" },
    );
  } catch (err) {
    return { kind: "broken", reason: `the stream could not be opened: ${String(err)}` };
  }
  if (response.status === 404) throw toApiError(404, await response.json().catch(() => null));
  if (!response.ok || !response.body) {
    return { kind: "broken", reason: `the stream answered ${response.status}` };
  }
  try {
    for await (const message of readSse(response.body, signal)) {
      if (message.event === "progress" || message.event === "done") {
        const document = JSON.parse(message.data) as Document;
        onUpdate(document);
        if (message.event === "done") return { kind: "done", document };
      } else if (message.event === "error") {
        const body = JSON.parse(message.data) as unknown;
        const code = (body as { error?: { code?: string } })?.error?.code;
        throw toApiError(code === "not_found" ? 404 : 500, body);
      }
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    return { kind: "broken", reason: `the stream broke off: ${String(err)}` };
  }
  return { kind: "broken", reason: "the stream ended before the ingestion did" };
}

async function pollProgress(id: string, options: WatchOptions): Promise<Document | null> {
  const { onUpdate, signal, pollIntervalMs = 1000 } = options;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const document = await unwrap(
        api.GET("/api/v1/documents/{document_id}", {
          params: { path: { document_id: id } },
          signal,
        }),
      );
      if (signal.aborted) return null;
      failures = 0;
      onUpdate(document);
      if (isFinished(document)) return document;
    } catch (err) {
      if (signal.aborted) return null;
      if (err instanceof ApiError && (err.status === 404 || err.status === 401)) throw err;
      failures += 1; // the API restarting, say: keep trying, more slowly
    }
    await sleep(pollIntervalMs * Math.min(2 ** failures, 10), signal);
  }
  return null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

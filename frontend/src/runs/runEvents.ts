/**
 * A run's live events (`GET /api/v1/runs/{run_id}/events`: Server-Sent Events rebuilt from
 * its history, plus the `token` text its LLM steps stream): read with `fetch` (EventSource
 * cannot send the bearer token) and the SSE parser of `knowledge/sse.ts`; a dropped
 * connection is resumed with `Last-Event-ID`, a bounded number of times, so no event is
 * lost or repeated.
 */
import { ApiError, getToken, toApiError, type Schemas } from "../api/client";
import { readSse } from "../knowledge/sse";

export interface RunStarted {
  run_id: string;
  started_at: string;
  nodes: { node_id: string; component: string }[];
}
export interface StepStarted {
  node_id: string;
  attempt: number;
}
export interface AttemptFailed {
  node_id: string;
  attempt: number;
  status: string;
  error: string | null;
  error_type: string | null;
}
export interface Retrying {
  node_id: string;
  /** The attempt that comes next. */
  attempt: number;
  delay_ms: number | null;
}
export interface StepCompleted {
  node_id: string;
  attempt: number;
  duration_ms: number | null;
}
/** The answer, as `execute` returns it. */
export type RunCompleted = Pick<Schemas["ChatReply"], "response" | "model" | "usage" | "context_used" | "run_id"> & {
  success?: boolean;
  version?: number | null;
  citations?: Schemas["Citation"][];
  web_sources?: Schemas["WebResult"][];
};
/**
 * Text an LLM step's attempt just produced (one or more tokens), live and not kept in the
 * history: `seq` increases across the run; a later `attempt` replaces the earlier one's text.
 */
export interface TokenDelta {
  node_id: string;
  attempt: number;
  seq: number;
  text: string;
}
export interface RunFailed {
  run_id: string;
  status: string;
  message: string;
  node_id: string | null;
}

export type RunEvent =
  | { id: string; event: "run_started"; data: RunStarted }
  | { id: string; event: "step_started"; data: StepStarted }
  | { id: string; event: "attempt_failed"; data: AttemptFailed }
  | { id: string; event: "retrying"; data: Retrying }
  | { id: string; event: "step_completed"; data: StepCompleted }
  | { id: string; event: "token"; data: TokenDelta }
  | { id: string; event: "run_completed"; data: RunCompleted }
  | { id: string; event: "run_failed"; data: RunFailed };

export type RunEventName = RunEvent["event"];
const NAMES = new Set<string>([
  "run_started",
  "step_started",
  "attempt_failed",
  "retrying",
  "step_completed",
  "token",
  "run_completed",
  "run_failed",
]);

/** The stream's last event (the run's end), or null when it was stopped (`signal`). */
export type RunEnd = Extract<RunEvent, { event: "run_completed" | "run_failed" }>;

export interface FollowOptions {
  /** Called for every event, in order, once each. */
  onEvent: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** Resume after this event id. */
  lastEventId?: string;
  /** Reconnections after a dropped stream, in a row without a new event (default 5). */
  maxReconnects?: number;
  /** The wait before the n-th reconnection (default 300 ms × n). */
  backoffMs?: (attempt: number) => number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * Follows `eventsUrl` until the run ends (resolves with its last event) or `signal` aborts
 * (resolves null). Rejects with an `ApiError` when the API refuses the stream (404, 409,
 * 422: not retried) or when it stays unreachable after `maxReconnects` attempts.
 */
export async function followRunEvents(eventsUrl: string, options: FollowOptions): Promise<RunEnd | null> {
  const { onEvent, signal, maxReconnects = 5, backoffMs = (n) => 300 * n } = options;
  let lastId = options.lastEventId;
  let failures = 0;
  const endedEarly = () => new ApiError(0, "network", "The run's events stream ended before the run did");
  let lastError = endedEarly();
  const url = new URL(eventsUrl, window.location.origin).href;
  for (;;) {
    if (signal?.aborted) return null;
    if (failures > 0) {
      if (failures > maxReconnects) throw lastError;
      await sleep(backoffMs(failures), signal);
      if (signal?.aborted) return null;
    }
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (lastId !== undefined) headers["Last-Event-ID"] = lastId;
    let response: Response;
    try {
      response = await globalThis.fetch(url, { headers, signal });
    } catch (err) {
      if (signal?.aborted) return null;
      lastError = new ApiError(0, "network", `The API cannot be reached: ${String(err)}`);
      failures += 1;
      continue;
    }
    if (!response.ok || !response.body) {
      const body: unknown = await response.json().catch(() => undefined);
      const error = toApiError(response.status, body);
      // The run is not there or not ours, its history is gone, or our id is refused.
      if (response.status < 500 && response.status !== 429) throw error;
      lastError = error;
      failures += 1;
      continue;
    }
    lastError = endedEarly();
    try {
      for await (const message of readSse(response.body, signal)) {
        if (message.event === "error") {
          // Temporal unreachable mid-stream: reconnect with the last id.
          let body: unknown;
          try {
            body = JSON.parse(message.data);
          } catch {
            body = undefined;
          }
          lastError = toApiError(503, body);
          break;
        }
        if (!NAMES.has(message.event)) continue;
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          continue;
        }
        // Sent back exactly as received ("1200", or "1200-5" for a token).
        if (message.id !== undefined) lastId = message.id;
        failures = 0;
        const event = { id: message.id ?? "", event: message.event, data } as RunEvent;
        onEvent(event);
        if (event.event === "run_completed" || event.event === "run_failed") return event;
      }
    } catch (err) {
      if (signal?.aborted) return null;
      lastError = new ApiError(0, "network", `The run's events stream broke: ${String(err)}`);
    }
    if (signal?.aborted) return null;
    failures += 1;
  }
}

/**
 * The run page follows a running run's events: when a step ends (completed or a failed
 * attempt) and when the run ends, the run's detail and timeline are fetched again, and
 * `answer` is the answer its LLM step is writing. While the stream is not followed (it
 * failed, or the run ended but the index still says running), the page polls instead:
 * `live` says which.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { queryKeys } from "../api/queryKeys";
import { followRunEvents, type RunEvent } from "./runEvents";
import { initialStreaming, nextStreaming, streamingAnswer, type StreamingAnswer } from "./streamingAnswer";

const REFRESHING: ReadonlySet<RunEvent["event"]> = new Set([
  "step_completed",
  "attempt_failed",
  "run_completed",
  "run_failed",
]);

export interface LiveRun {
  live: boolean;
  /** The answer being written, once an LLM step streams (null when not followed). */
  answer: StreamingAnswer | null;
}

export function useLiveRun(runId: string, running: boolean): LiveRun {
  const queryClient = useQueryClient();
  // The run whose stream stopped (failed, or ended while the index still said running).
  const [stopped, setStopped] = useState<string | null>(null);
  const [streamed, setStreamed] = useState<{ runId: string; answer: StreamingAnswer | null } | null>(null);

  useEffect(() => {
    if (!running || !runId) return;
    const controller = new AbortController();
    const refresh = () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.detail(runId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.timeline(runId) }),
      ]);
    let answer = initialStreaming;
    followRunEvents(`/api/v1/runs/${encodeURIComponent(runId)}/events`, {
      signal: controller.signal,
      onEvent: (event) => {
        if (REFRESHING.has(event.event)) void refresh();
        const next = nextStreaming(answer, event);
        if (next !== answer) setStreamed({ runId, answer: streamingAnswer(next) });
        answer = next;
      },
    })
      .catch(() => undefined) // polling takes over
      .finally(() => {
        if (!controller.signal.aborted) setStopped(runId);
      });
    return () => controller.abort();
  }, [runId, running, queryClient]);

  const live = running && stopped !== runId;
  return { live, answer: live && streamed?.runId === runId ? streamed.answer : null };
}

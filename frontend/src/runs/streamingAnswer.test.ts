import { describe, expect, it } from "vitest";

import type { RunEvent } from "./runEvents";
import { initialStreaming, nextStreaming, streamingAnswer } from "./streamingAnswer";

let nextId = 0;
const token = (node_id: string, attempt: number, seq: number, text: string): RunEvent => ({
  id: `1200-${seq}`,
  event: "token",
  data: { node_id, attempt, seq, text },
});
const event = (e: Omit<RunEvent, "id">): RunEvent => ({ ...e, id: String(++nextId * 100) }) as RunEvent;
const started = (node_id: string, attempt: number) => event({ event: "step_started", data: { node_id, attempt } });
const failed = (node_id: string, attempt: number) =>
  event({
    event: "attempt_failed",
    data: { node_id, attempt, status: "failed", error: "429 rate limited", error_type: "RateLimitError" },
  });
const retrying = (node_id: string, attempt: number) =>
  event({ event: "retrying", data: { node_id, attempt, delay_ms: 1000 } });
const completed = (node_id: string, attempt: number) =>
  event({ event: "step_completed", data: { node_id, attempt, duration_ms: 5 } });

function fold(events: RunEvent[]) {
  return streamingAnswer(events.reduce(nextStreaming, initialStreaming));
}

describe("streamingAnswer", () => {
  it("shows nothing before a token", () => {
    expect(fold([])).toBeNull();
    expect(fold([started("kb", 1), completed("kb", 1), started("llm", 1)])).toBeNull();
  });

  it("joins an attempt's tokens in order, even before its step_started", () => {
    const answer = fold([token("llm", 1, 1, "Refunds"), token("llm", 1, 2, " take"), started("llm", 1), token("llm", 1, 3, " 30 days")]);
    expect(answer).toEqual({ nodeId: "llm", attempt: 1, text: "Refunds take 30 days", final: false });
  });

  it("skips a token whose seq was already applied (sent again after a reconnection)", () => {
    const answer = fold([token("llm", 1, 1, "Refunds"), token("llm", 1, 2, " take"), token("llm", 1, 2, " take"), token("llm", 1, 1, "Refunds")]);
    expect(answer?.text).toBe("Refunds take");
  });

  it("discards a failed attempt's text on attempt_failed, and shows the next attempt's alone", () => {
    const events = [token("llm", 1, 1, "Refunds"), token("llm", 1, 2, " ta"), failed("llm", 1)];
    expect(fold(events)).toMatchObject({ text: "" });
    expect(fold([...events, token("llm", 2, 3, "Refunds take 30 days")])).toMatchObject({
      attempt: 2,
      text: "Refunds take 30 days",
    });
  });

  it("discards a failed attempt's text on retrying", () => {
    expect(fold([token("llm", 1, 1, "Refunds"), retrying("llm", 2)])).toMatchObject({ text: "" });
  });

  it("replaces the text when a token of a later attempt comes first", () => {
    const answer = fold([token("llm", 1, 1, "Refunds"), token("llm", 1, 2, " ta"), token("llm", 2, 3, "Refunds")]);
    expect(answer).toMatchObject({ attempt: 2, text: "Refunds" });
  });

  it("replaces a stream its worker dropped, then discards the next on the attempt's failure", () => {
    // A local step whose worker died streams again within the same (history) attempt 1.
    const events = [token("llm", 1, 1, "Ref"), token("llm", 2, 2, "Refunds"), failed("llm", 1)];
    expect(fold(events.slice(0, 2))).toMatchObject({ attempt: 2, text: "Refunds" });
    expect(fold(events)).toMatchObject({ text: "" });
    expect(fold([...events, retrying("llm", 2), token("llm", 2, 3, " late"), token("llm", 3, 4, "New")])).toMatchObject({
      attempt: 3,
      text: "New",
    });
  });

  it("ignores the late tokens of a failed attempt, and a failure's second event once the retry writes", () => {
    const events = [token("llm", 1, 1, "Ref"), failed("llm", 1), token("llm", 1, 2, "unds")];
    expect(fold(events)).toMatchObject({ attempt: 1, text: "" });
    expect(fold([...events, token("llm", 2, 3, "New"), retrying("llm", 2)])).toMatchObject({ attempt: 2, text: "New" });
  });

  it("streams a retry whose token attempts lag the history's (the failed attempt wrote nothing)", () => {
    const events = [failed("llm", 1), retrying("llm", 2), started("llm", 2), token("llm", 1, 1, "Refunds")];
    expect(fold(events)).toMatchObject({ attempt: 1, text: "Refunds" });
    expect(fold([...events, failed("llm", 2)])).toMatchObject({ text: "" });
    expect(fold([...events, failed("llm", 2), token("llm", 2, 2, "Again")])).toMatchObject({ attempt: 2, text: "Again" });
  });

  it("keeps showing the first step to stream until it completes, then the next one", () => {
    const events = [token("a", 1, 1, "A1"), token("b", 1, 2, "B1"), token("a", 1, 3, " A2")];
    expect(fold(events)).toMatchObject({ nodeId: "a", text: "A1 A2" });
    expect(fold([...events, completed("a", 1)])).toMatchObject({ nodeId: "a", text: "A1 A2" });
    expect(fold([...events, completed("a", 1), token("b", 1, 4, " B2")])).toMatchObject({
      nodeId: "b",
      text: "B1 B2",
    });
  });

  it("shows run_completed's response in place of the streamed text", () => {
    const done = event({
      event: "run_completed",
      data: {
        response: '{"answer": "30 days"}',
        model: "m",
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        context_used: false,
        run_id: "r1",
      },
    });
    expect(fold([token("llm", 1, 1, "30 da"), done])).toEqual({
      nodeId: "llm",
      attempt: 1,
      text: '{"answer": "30 days"}',
      final: true,
    });
  });
});

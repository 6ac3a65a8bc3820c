import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { queryKeys } from "../api/queryKeys";
import { liveRunEvents } from "../test/liveRunEvents";
import { LiveAnswer } from "./LiveAnswer";
import { useLiveRun } from "./useLiveRun";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function Probe({ onLive }: { onLive: (live: boolean) => void }) {
  onLive(useLiveRun("r1", true).live);
  return null;
}

describe("useLiveRun", () => {
  it("refreshes the run and its timeline when a step completes and when the run ends", async () => {
    const body = [
      `id: 100\nevent: run_started\ndata: {"run_id":"r1","started_at":"2025-01-01T10:00:00Z","nodes":[]}\n\n`,
      `id: 500\nevent: step_completed\ndata: {"node_id":"kb","attempt":1,"duration_ms":5}\n\n`,
      `id: 900\nevent: run_failed\ndata: {"run_id":"r1","status":"failed","message":"boom","node_id":"llm"}\n\n`,
    ].join("");
    vi.stubGlobal("fetch", vi.fn(() => Promise.resolve(new Response(body, { headers: { "content-type": "text/event-stream" } }))));
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, "invalidateQueries");
    const live: boolean[] = [];
    render(
      <QueryClientProvider client={client}>
        <Probe onLive={(value) => live.push(value)} />
      </QueryClientProvider>,
    );
    expect(live[0]).toBe(true);
    // The stream ended: polling takes over until the index says the run ended.
    await waitFor(() => expect(live.at(-1)).toBe(false));
    const keys = invalidate.mock.calls.map((c) => JSON.stringify(c[0]?.queryKey));
    expect(keys.filter((k) => k === JSON.stringify(queryKeys.runs.timeline("r1")))).toHaveLength(2);
    expect(keys.filter((k) => k === JSON.stringify(queryKeys.runs.detail("r1")))).toHaveLength(2);
  });

  it("shows the answer as it is written, a retried attempt's text replaced, until the stream ends", async () => {
    const stream = liveRunEvents();
    vi.stubGlobal("fetch", vi.fn(() => Promise.resolve(stream.response())));
    function Page() {
      const { answer } = useLiveRun("r1", true);
      return answer ? <LiveAnswer answer={answer} /> : <p>No answer yet</p>;
    }
    render(
      <QueryClientProvider client={new QueryClient()}>
        <Page />
      </QueryClientProvider>,
    );
    stream.send("run_started", { run_id: "r1", started_at: "2025-01-01T10:00:00Z", nodes: [] });
    stream.token({ node_id: "llm", attempt: 1, seq: 1, text: "Refunds" });
    stream.token({ node_id: "llm", attempt: 1, seq: 2, text: " take" });
    const panel = await screen.findByTestId("live-answer");
    await waitFor(() => expect(screen.getByTestId("live-answer-text")).toHaveTextContent(/^Refunds take$/));
    expect(panel).toHaveTextContent("step “llm”");

    stream.send("retrying", { node_id: "llm", attempt: 2, delay_ms: 500 });
    await waitFor(() => expect(screen.queryByTestId("live-answer-text")).toBeNull());
    expect(screen.getByTestId("live-answer")).toHaveTextContent("The step is retried");
    stream.token({ node_id: "llm", attempt: 2, seq: 3, text: "Refunds take 30 days" });
    await waitFor(() => expect(screen.getByTestId("live-answer-text")).toHaveTextContent(/^Refunds take 30 days$/));

    // The stream ended: the page polls, and the panel goes (the timeline holds the answer).
    stream.send("run_completed", { response: "Refunds take 30 days.", model: "m", usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, context_used: false, run_id: "r1" });
    await screen.findByText("No answer yet");
  });
});

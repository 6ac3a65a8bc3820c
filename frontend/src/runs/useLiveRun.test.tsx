import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { queryKeys } from "../api/queryKeys";
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
});

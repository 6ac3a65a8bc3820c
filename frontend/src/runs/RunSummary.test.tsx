import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { RunSummary } from "./RunSummary";

afterEach(cleanup);

const run: Schemas["RunOut"] = {
  id: "run-1",
  workflow_id: "wf-1",
  user_id: "u-1",
  workspace_id: "ws-1",
  session_id: null,
  version: null,
  graph_hash: null,
  plan_hash: "a".repeat(64),
  query: "refund?",
  kind: "run",
  parent_run_id: null,
  replay_from_node: null,
  status: "completed",
  error: null,
  started_at: "2026-01-01T10:00:00Z",
  finished_at: "2026-01-01T10:00:01Z",
  temporal_ui_url: "http://127.0.0.1:8233/namespaces/default/workflows/run-1",
  trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
};

function show(r: Schemas["RunOut"]) {
  render(
    <MemoryRouter>
      <RunSummary run={r} workflowName="Support bot" running={false} duration={1000} />
    </MemoryRouter>,
  );
}

describe("RunSummary", () => {
  it("shows the trace the run belongs to", () => {
    show(run);
    expect(screen.getByTestId("run-trace-id")).toHaveTextContent("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("shows no trace line for a run recorded without tracing", () => {
    show({ ...run, trace_id: null });
    expect(screen.queryByTestId("run-trace-id")).toBeNull();
    expect(screen.getByText("Support bot")).toBeInTheDocument();
  });
});

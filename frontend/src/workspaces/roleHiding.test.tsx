import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { BuilderPage } from "../builder/BuilderPage";
import { COMPONENTS } from "../builder/fixtures/catalogue";
import { KnowledgeBasesPage } from "../knowledge/KnowledgeBasesPage";
import { RunDetailPage } from "../runs/RunDetailPage";
import { DashboardPage } from "../workflows/DashboardPage";
import type { Role } from "./roles";
import { renderRoutes, stubApi, workflowRow, workspace } from "./testing";

const GRAPH = {
  nodes: [
    { id: "user_query_1", type: "user_query", config: {}, position: { x: 0, y: 0 } },
    { id: "output_1", type: "output", config: {}, position: { x: 400, y: 0 } },
  ],
  edges: [{ source: "user_query_1", source_handle: "query", target: "output_1", target_handle: "answer" }],
};

const WORKFLOW = { ...workflowRow("wf1", "Refund assistant", "ws2"), graph: GRAPH };

const RUN = {
  id: "run1",
  workflow_id: "wf1",
  user_id: "u2",
  workspace_id: "ws2",
  session_id: null,
  version: 1,
  graph_hash: "g".repeat(64),
  plan_hash: "p".repeat(64),
  query: "Where is my refund?",
  kind: "run",
  parent_run_id: null,
  replay_from_node: null,
  status: "completed",
  error: null,
  started_at: "2025-01-02T00:00:00Z",
  finished_at: "2025-01-02T00:00:02Z",
  temporal_ui_url: "http://temporal.example/run1",
  progress: null,
};

const TIMELINE = {
  run: RUN,
  timeline: {
    run_id: "run1",
    status: "completed",
    started_at: "2025-01-02T00:00:00Z",
    finished_at: "2025-01-02T00:00:02Z",
    query: "Where is my refund?",
    plan_hash: "p".repeat(64),
    event_count: 4,
    nodes: [{ node_id: "user_query_1", component: "user_query", status: "completed" }],
  },
};

/** The API for a user whose role in the team workspace "ws2" is `role`; records writes. */
function stubAs(role: Role) {
  return stubApi((route, query) => {
    if (route === "GET /api/v1/workspaces") return { out: [workspace("ws2", "Support team", role)] };
    if (route === "GET /api/v1/workflows") return { out: query.archived === "true" ? [] : [WORKFLOW] };
    if (route === "GET /api/v1/workflows/wf1") return { out: WORKFLOW };
    if (route === "GET /api/v1/components") return { out: COMPONENTS };
    if (route.startsWith("GET /api/v1/")) return { out: route.endsWith("/timeline") ? TIMELINE : route.endsWith("/run1") ? RUN : [] };
  });
}

function render(path: string) {
  return renderRoutes(
    [
      { path: "/", element: <DashboardPage /> },
      { path: "/workflows/:workflowId", element: <BuilderPage /> },
      { path: "/runs/:runId", element: <RunDetailPage /> },
      { path: "/knowledge-bases", element: <KnowledgeBasesPage /> },
    ],
    path,
  );
}

describe("what a role may not do is not offered", () => {
  beforeEach(() => {
    // React Flow measures its nodes; jsdom has no layout.
    vi.stubGlobal(
      "ResizeObserver",
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  it("a viewer's dashboard has no New, Rename, Duplicate or Archive", async () => {
    stubAs("viewer");
    render("/");
    const card = await screen.findByTestId("workflow-card");
    expect(screen.queryByRole("button", { name: "New workflow" })).toBeNull();
    for (const name of ["Rename", "Duplicate", "Archive"]) {
      expect(within(card).queryByRole("button", { name })).toBeNull();
    }
    expect(within(card).getByRole("button", { name: "View" })).toBeInTheDocument();
    expect(screen.getByTestId("role-note")).toHaveTextContent("You are a viewer in Support team");
    fireEvent.click(screen.getByRole("tab", { name: "Archived" }));
    await screen.findByText("No archived workflows.");
  });

  it("an editor's dashboard has them all", async () => {
    stubAs("editor");
    render("/");
    const card = await screen.findByTestId("workflow-card");
    expect(screen.getByRole("button", { name: "New workflow" })).toBeInTheDocument();
    expect(within(card).getByRole("button", { name: "Archive" })).toBeInTheDocument();
    expect(screen.queryByTestId("role-note")).toBeNull();
  });

  it("a runner opens the workflow read-only with the chat beside it: no Save, Publish or palette", async () => {
    const seen = stubAs("runner");
    render("/workflows/wf1");
    const banner = await screen.findByTestId("read-only-banner");
    expect(banner).toHaveTextContent("You are a runner in “Support team”");
    expect(screen.getByRole("heading", { name: "Refund assistant" })).toBeInTheDocument();
    expect(await screen.findByTestId("chat-panel")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: /message/i })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Publish/ })).toBeNull();
    expect(screen.queryByRole("button", { name: "Add Web Search" })).toBeNull();
    expect(seen.filter((s) => s.method !== "GET")).toEqual([]);
  });

  it("a viewer opens it read-only without the chat", async () => {
    stubAs("viewer");
    render("/workflows/wf1");
    expect(await screen.findByTestId("read-only-banner")).toHaveTextContent("You are a viewer");
    expect(screen.queryByTestId("chat-panel")).toBeNull();
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
  });

  it("an editor gets the builder", async () => {
    stubAs("editor");
    render("/workflows/wf1");
    expect(await screen.findByRole("button", { name: "Save" })).toBeInTheDocument();
    expect(screen.queryByTestId("read-only-banner")).toBeNull();
  });

  it("a run offers Re-run and Replay to a runner, not to a viewer", async () => {
    stubAs("runner");
    render("/runs/run1");
    expect(await screen.findByRole("button", { name: "Re-run" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Replay from step" })).toBeInTheDocument();
    cleanup();

    stubAs("viewer");
    render("/runs/run1");
    expect(await screen.findByRole("button", { name: "Export audit record" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("run-query")).toBeInTheDocument());
    expect(screen.queryByRole("button", { name: "Re-run" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Replay from step" })).toBeNull();
  });

  it("a runner's knowledge bases offer no New", async () => {
    stubAs("runner");
    render("/knowledge-bases");
    expect(await screen.findByText("No knowledge bases in this workspace yet.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /New knowledge base|Create a knowledge base/ })).toBeNull();
  });
});

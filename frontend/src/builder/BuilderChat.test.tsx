/** The builder's chat runs what is on the canvas: unsaved changes are saved before sending. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { BuilderPage } from "./BuilderPage";
import { COMPONENTS } from "./fixtures/catalogue";

const WORKFLOW = {
  id: "wf1",
  name: "Refund assistant",
  description: "",
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  latest_version: null,
  workspace_id: "ws1",
  graph: {
    nodes: [
      { id: "user_query_1", type: "user_query", config: {}, position: { x: 0, y: 0 } },
      { id: "output_1", type: "output", config: {}, position: { x: 400, y: 0 } },
    ],
    edges: [],
  },
};
const WORKSPACES = [{ id: "ws1", name: "Ada's workspace", role: "editor", created_at: "2025-01-01T00:00:00Z" }];
const SESSION = { id: "s1", workflow_id: "wf1", title: "Old", created_at: "2025-01-01T10:00:00Z", updated_at: "2025-01-01T10:00:00Z" };
const QUESTION = { id: "m1", role: "user", content: "Hi?", metadata: {}, run_id: null, created_at: "2025-01-01T10:00:00Z" };
const ANSWER = { response: "Hello there", model: "gpt-4o-mini", usage: {}, context_used: false, run_id: "run-1", citations: [], web_sources: [] };

function stubApi(saveStatus = 200) {
  const calls: { route: string; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: Request | string, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const route = `${request.method} ${new URL(request.url).pathname}`;
      const text = request.method === "GET" ? "" : await request.text();
      calls.push({ route, body: text ? (JSON.parse(text) as unknown) : undefined });
      let status = 200;
      let out: unknown = [];
      if (route === "GET /api/v1/workflows/wf1") out = WORKFLOW;
      else if (route === "GET /api/v1/components") out = COMPONENTS;
      else if (route === "GET /api/v1/workspaces") out = WORKSPACES;
      else if (route === "GET /api/v1/chat/sessions") out = [SESSION];
      else if (route === "PUT /api/v1/workflows/wf1/graph") {
        status = saveStatus;
        out = saveStatus === 200 ? WORKFLOW : { error: { code: "graph_too_large", message: "The graph is too large" } };
      } else if (route === "POST /api/v1/chat/messages") {
        status = 202;
        out = { run_id: "run-1", events_url: "/api/v1/runs/run-1/events", session_id: "s1", message: QUESTION };
      } else if (route === "GET /api/v1/runs/run-1/events") {
        return new Response(`id: 900\nevent: run_completed\ndata: ${JSON.stringify(ANSWER)}\n\n`, {
          headers: { "content-type": "text/event-stream" },
        });
      }
      return new Response(JSON.stringify(out), { status, headers: { "content-type": "application/json" } });
    }),
  );
  return calls;
}

function renderBuilder() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path: "/workflows/:workflowId", element: <BuilderPage /> }], {
    initialEntries: ["/workflows/wf1"],
  });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

async function askOnDirtyCanvas() {
  await screen.findByRole("heading", { name: "Refund assistant" }, { timeout: 8000 });
  fireEvent.click(screen.getByRole("button", { name: "Add Web Search" }));
  await screen.findByTestId("node-web_search_1");
  expect(screen.getByTestId("save-state")).toHaveTextContent("Unsaved changes");
  fireEvent.click(screen.getByRole("tab", { name: "Chat" }));
  fireEvent.change(await screen.findByLabelText("Message"), { target: { value: "Hi?" } });
  await waitFor(() => expect(screen.getByRole("button", { name: "Send" })).toBeEnabled());
  fireEvent.click(screen.getByRole("button", { name: "Send" }));
}

describe("the builder's chat", () => {
  beforeEach(() => {
    vi.stubGlobal(
      "ResizeObserver",
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  // The builder renders React Flow and MUI: slow when the whole suite runs in parallel.
  it("saves a dirty canvas, then sends to the draft", { timeout: 20000 }, async () => {
    const calls = stubApi();
    renderBuilder();
    await askOnDirtyCanvas();
    expect(await screen.findByText("Hello there", {}, { timeout: 8000 })).toBeInTheDocument();
    const routes = calls.map((c) => c.route);
    const saved = routes.indexOf("PUT /api/v1/workflows/wf1/graph");
    const sent = routes.indexOf("POST /api/v1/chat/messages");
    expect(saved).toBeGreaterThanOrEqual(0);
    expect(sent).toBeGreaterThan(saved);
    const graph = calls[saved].body as { nodes: { id: string }[] };
    expect(graph.nodes.map((n) => n.id)).toContain("web_search_1");
    expect(calls[sent].body).toEqual({ session_id: "s1", message: "Hi?", version: "draft" });
    expect(screen.getByTestId("save-state")).toHaveTextContent("Saved");
  });

  it("shows why saving failed and does not send", { timeout: 20000 }, async () => {
    const calls = stubApi(413);
    renderBuilder();
    await askOnDirtyCanvas();
    const error = await screen.findByTestId("chat-error", {}, { timeout: 8000 });
    expect(error).toHaveTextContent("The canvas could not be saved");
    expect(error).toHaveTextContent("The graph is too large");
    expect(calls.some((c) => c.route === "POST /api/v1/chat/messages")).toBe(false);
  });
});

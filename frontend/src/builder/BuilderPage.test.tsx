import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
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
  graph: {
    nodes: [
      { id: "user_query_1", type: "user_query", config: {}, position: { x: 0, y: 0 } },
      { id: "output_1", type: "output", config: {}, position: { x: 400, y: 0 } },
    ],
    edges: [],
  },
};

/** The API as the builder sees it; every PUT of the graph is recorded. */
function stubApi() {
  const saved: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      const route = `${request.method} ${path}`;
      let out: unknown = [];
      if (route === "GET /api/v1/workflows/wf1") out = WORKFLOW;
      else if (route === "GET /api/v1/components") out = COMPONENTS;
      else if (route === "PUT /api/v1/workflows/wf1/graph") {
        saved.push(JSON.parse(await request.text()));
        out = WORKFLOW;
      }
      return new Response(JSON.stringify(out), { status: 200, headers: { "content-type": "application/json" } });
    }),
  );
  return saved;
}

function renderBuilder() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: "/", element: <p>Dashboard</p> },
      { path: "/workflows/:workflowId", element: <BuilderPage /> },
    ],
    { initialEntries: ["/workflows/wf1"] },
  );
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

const saveState = () => screen.getByTestId("save-state");

describe("BuilderPage", () => {
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
  afterEach(() => vi.unstubAllGlobals());

  it("edits, undoes, redoes and saves the graph", async () => {
    const saved = stubApi();
    renderBuilder();
    expect(await screen.findByRole("heading", { name: "Refund assistant" })).toBeInTheDocument();
    expect(saveState()).toHaveTextContent("Saved");

    fireEvent.click(screen.getByRole("button", { name: "Add Web Search" }));
    expect(await screen.findByTestId("node-web_search_1")).toBeInTheDocument();
    expect(saveState()).toHaveTextContent("Unsaved changes");

    fireEvent.keyDown(window, { key: "z", ctrlKey: true });
    await waitFor(() => expect(screen.queryByTestId("node-web_search_1")).toBeNull());
    expect(saveState()).toHaveTextContent("Saved");

    fireEvent.click(screen.getByRole("button", { name: "Redo (Ctrl+Shift+Z)" }));
    expect(await screen.findByTestId("node-web_search_1")).toBeInTheDocument();
    fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    await waitFor(() => expect(saveState()).toHaveTextContent("Saved"));
    expect(saved).toHaveLength(1);
    expect((saved[0] as { nodes: { id: string }[] }).nodes.map((n) => n.id)).toEqual([
      "user_query_1",
      "output_1",
      "web_search_1",
    ]);
  });

  it("asks before leaving unsaved changes, and can save and leave", async () => {
    const saved = stubApi();
    const router = renderBuilder();
    await screen.findByRole("heading", { name: "Refund assistant" });
    fireEvent.click(screen.getByRole("button", { name: "Add Web Search" }));
    await screen.findByTestId("node-web_search_1");

    fireEvent.click(screen.getByRole("link", { name: "Back to workflows" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave without saving?" });
    expect(router.state.location.pathname).toBe("/workflows/wf1");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save and leave" }));
    expect(await screen.findByText("Dashboard")).toBeInTheDocument();
    expect(saved).toHaveLength(1);
  });
});

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { BuilderPage } from "../builder/BuilderPage";
import { COMPONENTS } from "../builder/fixtures/catalogue";

const GRAPH = {
  nodes: [
    { id: "user_query_1", type: "user_query", config: {}, position: { x: 0, y: 0 } },
    { id: "output_1", type: "output", config: {}, position: { x: 400, y: 0 } },
  ],
  edges: [{ source: "user_query_1", source_handle: "query", target: "output_1", target_handle: "answer" }],
};

const ARCHIVED = {
  id: "wf1",
  name: "Refund assistant",
  description: "",
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  latest_version: 2,
  workspace_id: "ws1",
  is_active: false,
  archived_at: "2025-02-01T10:00:00Z",
  graph: GRAPH,
};

const VERSIONS = [2, 1].map((number) => ({
  workflow_id: "wf1",
  number,
  content_hash: "h".repeat(64),
  note: "",
  author_id: null,
  author_email: null,
  created_at: "2025-01-01T00:00:00Z",
}));

function stubApi() {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn((request: Request) => {
      const route = `${request.method} ${new URL(request.url).pathname}`;
      calls.push(route);
      let out: unknown = [];
      if (route === "GET /api/v1/workflows/wf1") out = ARCHIVED;
      else if (route === "GET /api/v1/components") out = COMPONENTS;
      else if (route === "GET /api/v1/workflows/wf1/versions") out = VERSIONS;
      else if (route === "GET /api/v1/workspaces") {
        out = [{ id: "ws1", name: "Ada's workspace", role: "editor", created_at: "2025-01-01T00:00:00Z" }];
      }
      else if (route === "POST /api/v1/workflows/wf1/unarchive") out = { ...ARCHIVED, is_active: true, archived_at: null };
      return Promise.resolve(
        new Response(JSON.stringify(out), { status: 200, headers: { "content-type": "application/json" } }),
      );
    }),
  );
  return calls;
}

function renderOpen() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: "/", element: <p>Dashboard</p> },
      { path: "/runs", element: <p>Runs</p> },
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

describe("an archived workflow", () => {
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

  it("opens read-only with a banner, its versions and a link to its runs", async () => {
    const calls = stubApi();
    renderOpen();
    const banner = await screen.findByTestId("archived-banner");
    expect(banner).toHaveTextContent("was archived");
    expect(banner).toHaveTextContent("read-only");
    expect(screen.getByRole("heading", { name: "Refund assistant" })).toBeInTheDocument();
    expect(await screen.findByText("v2")).toBeInTheDocument();
    expect(screen.getByText("v1")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Runs" })).toHaveAttribute("href", "/runs?workflow=wf1");
    // None of the builder's editing tools: no palette, no save, no publish.
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Publish/ })).toBeNull();
    expect(screen.queryByRole("button", { name: "Add Web Search" })).toBeNull();
    expect(calls.filter((c) => !c.startsWith("GET"))).toEqual([]);
  });

  it("opens in the builder once restored", async () => {
    const calls = stubApi();
    renderOpen();
    fireEvent.click(await screen.findByRole("button", { name: "Restore" }));
    await waitFor(() => expect(screen.queryByTestId("archived-banner")).toBeNull());
    expect(calls).toContain("POST /api/v1/workflows/wf1/unarchive");
    expect(await screen.findByRole("button", { name: "Save" })).toBeInTheDocument();
  });
});

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
  workspace_id: "ws1",
  graph: {
    nodes: [
      { id: "user_query_1", type: "user_query", config: {}, position: { x: 0, y: 0 } },
      { id: "output_1", type: "output", config: {}, position: { x: 400, y: 0 } },
    ],
    edges: [],
  },
};

const CONNECTIONS = [
  {
    name: "openai",
    provider: "openai",
    source: "environment",
    base_url: null,
    has_key: true,
    models: [],
    allow_private_network: true,
    description: "Defined by the server's environment.",
  },
  {
    name: "local-llm",
    provider: "openai-compatible",
    source: "administrator",
    base_url: null,
    has_key: false,
    models: ["llama3.1", "qwen2.5"],
    allow_private_network: true,
    description: "",
  },
];

/** A draft saved before connections: a server URL and a raw collection. */
const LEGACY_WORKFLOW = {
  ...WORKFLOW,
  graph: {
    nodes: [
      { id: "kb", type: "knowledge_base", config: { collection: "kb-abc", top_k: 3 }, position: { x: 0, y: 0 } },
      {
        id: "llm",
        type: "llm_engine",
        config: { provider: "openai-compatible", base_url: "http://10.0.0.5:8000/v1", model: "llama3.1" },
        position: { x: 400, y: 0 },
      },
    ],
    edges: [],
  },
};

/** The workflow's workspace, where the user may edit. */
const WORKSPACES = [{ id: "ws1", name: "Ada's workspace", role: "editor", created_at: "2025-01-01T00:00:00Z" }];

type SavedGraph = { nodes: { id: string; type: string; config: Record<string, unknown> }[] };

/** The API as the builder sees it; every PUT of the graph is recorded. */
function stubApi(workflow: typeof WORKFLOW | typeof LEGACY_WORKFLOW = WORKFLOW) {
  const saved: SavedGraph[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      const route = `${request.method} ${path}`;
      let out: unknown = [];
      if (route === "GET /api/v1/workflows/wf1") out = workflow;
      else if (route === "GET /api/v1/components") out = COMPONENTS;
      else if (route === "GET /api/v1/connections") out = CONNECTIONS;
      else if (route === "GET /api/v1/workspaces") out = WORKSPACES;
      else if (route === "PUT /api/v1/workflows/wf1/graph") {
        saved.push(JSON.parse(await request.text()) as SavedGraph);
        out = workflow;
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
    expect(saved[0].nodes.map((n) => n.id)).toEqual([
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

  it("offers the connections from the API and saves the chosen one with an allowed model", async () => {
    const saved = stubApi();
    renderBuilder();
    await screen.findByRole("heading", { name: "Refund assistant" });
    fireEvent.click(screen.getByRole("button", { name: "Add LLM Engine" }));
    await screen.findByTestId("node-llm_engine_1");
    const panel = screen.getByTestId("config-panel");
    expect(within(panel).queryByLabelText(/Base URL/)).toBeNull();

    const connection = within(panel).getByRole("combobox", { name: "Connection" });
    expect(connection).toHaveTextContent("Default (openai)");
    fireEvent.mouseDown(connection);
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "Default (openai)openai",
      "openaiopenai",
      "local-llmopenai-compatible · no key · 2 models only",
    ]);
    fireEvent.click(screen.getByRole("option", { name: /^local-llm/ }));
    await waitFor(() => expect(within(panel).getByRole("combobox", { name: "Connection" })).toHaveTextContent("local-llm"));
    expect(screen.getByTestId("node-llm_engine_1")).toHaveTextContent("local-llm · gpt-4o-mini");

    // The connection allows two models: the model field offers exactly those.
    const model = within(panel).getByRole("combobox", { name: "Model" });
    expect(model.tagName).toBe("DIV");
    fireEvent.mouseDown(model);
    fireEvent.click(await screen.findByRole("option", { name: "qwen2.5" }));
    await waitFor(() => expect(screen.getByTestId("node-llm_engine_1")).toHaveTextContent("local-llm · qwen2.5"));

    fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    await waitFor(() => expect(saveState()).toHaveTextContent("Saved"));
    const llm = saved[0].nodes.find((n) => n.id === "llm_engine_1");
    expect(llm?.config).toMatchObject({ connection: "local-llm", model: "qwen2.5" });
    expect(llm?.config).not.toHaveProperty("base_url");
    expect(llm?.config).not.toHaveProperty("provider");
  });

  it("strips a server URL and a collection from an old draft, so it can be saved again", async () => {
    const saved = stubApi(LEGACY_WORKFLOW);
    renderBuilder();
    await screen.findByRole("heading", { name: "Refund assistant" });
    // The draft on the server differs from the canvas until it is saved.
    expect(saveState()).toHaveTextContent("Unsaved changes");
    expect(await screen.findByTestId("notice")).toHaveTextContent(/named a server URL or a collection/);
    expect(screen.getByTestId("node-kb")).toHaveTextContent("no knowledge base chosen");
    expect(screen.getByTestId("node-llm")).toHaveTextContent("Default (openai-compatible) · llama3.1");

    fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    await waitFor(() => expect(saveState()).toHaveTextContent("Saved"));
    expect(saved).toHaveLength(1);
    expect(JSON.stringify(saved[0])).not.toMatch(/base_url|collection/);
    expect(saved[0].nodes.map((n) => n.config)).toEqual([
      { top_k: 3 },
      { provider: "openai-compatible", model: "llama3.1" },
    ]);
  });
});

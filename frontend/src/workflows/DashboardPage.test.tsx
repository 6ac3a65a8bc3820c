import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";

import { DashboardPage } from "./DashboardPage";

type Row = {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  latest_version: number | null;
  last_run_status: string | null;
  last_run_at: string | null;
  is_active: boolean;
  archived_at: string | null;
};

function row(id: string, name: string, archivedAt: string | null = null): Row {
  return {
    id,
    name,
    description: "",
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-02T00:00:00Z",
    latest_version: 1,
    last_run_status: "completed",
    last_run_at: "2025-01-02T00:00:00Z",
    is_active: archivedAt === null,
    archived_at: archivedAt,
  };
}

/** The workflows API as a tiny in-memory server: DELETE archives, unarchive restores. */
function stubApi(initial: Row[]) {
  const rows = new Map(initial.map((r) => [r.id, { ...r }]));
  const calls: string[] = [];
  const handle = (request: Request): Response => {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    calls.push(`${route}${url.search}`);
    const json = (body: unknown, status = 200) =>
      new Response(body === null ? null : JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      });
    if (route === "GET /api/v1/workspaces") {
      return json([{ id: "ws1", name: "Ada's workspace", role: "owner", created_at: "2025-01-01T00:00:00Z" }]);
    }
    if (route === "GET /api/v1/workflows") {
      const archived = url.searchParams.get("archived") === "true";
      return json([...rows.values()].filter((r) => r.is_active !== archived));
    }
    const archive = /^DELETE \/api\/v1\/workflows\/([^/]+)$/.exec(route);
    if (archive) {
      const found = rows.get(archive[1]);
      if (found && found.is_active) Object.assign(found, { is_active: false, archived_at: "2025-02-01T10:00:00Z" });
      return json(null, 204);
    }
    const unarchive = /^POST \/api\/v1\/workflows\/([^/]+)\/unarchive$/.exec(route);
    if (unarchive) {
      const found = rows.get(unarchive[1]);
      if (!found) return json({ error: { code: "not_found", message: "missing" } }, 404);
      Object.assign(found, { is_active: true, archived_at: null });
      return json({ ...found, graph: { nodes: [], edges: [] } });
    }
    return json({ error: { code: "not_found", message: `no stub for ${route}` } }, 404);
  };
  vi.stubGlobal("fetch", vi.fn((request: Request) => Promise.resolve(handle(request))));
  return calls;
}

function renderDashboard(path = "/") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: "/", element: <DashboardPage /> },
      { path: "/workflows/:workflowId", element: <p>Builder</p> },
    ],
    { initialEntries: [path] },
  );
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

const cardNames = () => screen.queryAllByTestId("workflow-card").map((c) => within(c).getByRole("heading").textContent);

describe("DashboardPage", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("archives a workflow after a confirmation that says its runs stay readable", async () => {
    const calls = stubApi([row("wf1", "Refund assistant"), row("wf2", "Triage")]);
    renderDashboard();
    await waitFor(() => expect(cardNames()).toEqual(["Refund assistant", "Triage"]));
    const card = screen.getAllByTestId("workflow-card")[0];
    expect(within(card).queryByRole("button", { name: "Delete" })).toBeNull();

    fireEvent.click(within(card).getByRole("button", { name: "Archive" }));
    const dialog = await screen.findByRole("dialog", { name: "Archive “Refund assistant”?" });
    expect(dialog).toHaveTextContent("runs, versions, chats and audit records stay readable");
    expect(calls.some((c) => c.startsWith("DELETE"))).toBe(false); // nothing before confirming
    fireEvent.click(within(dialog).getByRole("button", { name: "Archive" }));

    await waitFor(() => expect(cardNames()).toEqual(["Triage"]));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(calls).toContain("DELETE /api/v1/workflows/wf1");
  });

  it("lists archived workflows under “Archived” and restores one", async () => {
    const calls = stubApi([row("wf1", "Refund assistant"), row("wf2", "Old bot", "2025-01-20T08:00:00Z")]);
    const router = renderDashboard();
    await waitFor(() => expect(cardNames()).toEqual(["Refund assistant"]));

    fireEvent.click(screen.getByRole("tab", { name: "Archived" }));
    await waitFor(() => expect(cardNames()).toEqual(["Old bot"]));
    expect(router.state.location.search).toBe("?view=archived");
    expect(calls).toContain("GET /api/v1/workflows?archived=true&workspace_id=ws1");
    const card = screen.getByTestId("workflow-card");
    expect(card).toHaveTextContent("Archived");
    expect(within(card).queryByRole("button", { name: "Rename" })).toBeNull();
    expect(within(card).queryByRole("button", { name: "Archive" })).toBeNull();

    fireEvent.click(within(card).getByRole("button", { name: "Restore" }));
    await waitFor(() => expect(screen.getByText("No archived workflows.")).toBeInTheDocument());
    expect(calls).toContain("POST /api/v1/workflows/wf2/unarchive");
    fireEvent.click(screen.getByRole("tab", { name: "Active" }));
    await waitFor(() => expect(cardNames()).toEqual(["Refund assistant", "Old bot"]));
  });

  it("opens an archived workflow from its card", async () => {
    stubApi([row("wf2", "Old bot", "2025-01-20T08:00:00Z")]);
    const router = renderDashboard("/?view=archived");
    await waitFor(() => expect(cardNames()).toEqual(["Old bot"]));
    fireEvent.click(screen.getByRole("button", { name: "View" }));
    expect(await screen.findByText("Builder")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/workflows/wf2");
  });
});

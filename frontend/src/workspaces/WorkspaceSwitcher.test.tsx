import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { Outlet } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";

import { Layout } from "../components/Layout";
import { DashboardPage } from "../workflows/DashboardPage";
import { renderRoutes, stubApi, workflowRow, workspace } from "./testing";

const OWN = workspace("ws1", "Ada's workspace", "owner");
const TEAM = workspace("ws2", "Support team", "viewer");
const WORKFLOWS: Record<string, ReturnType<typeof workflowRow>[]> = {
  ws1: [workflowRow("wf1", "Drafts", "ws1")],
  ws2: [workflowRow("wf2", "Refund assistant", "ws2")],
};

function renderDashboard() {
  return renderRoutes(
    [
      {
        element: (
          <Layout>
            <Outlet />
          </Layout>
        ),
        children: [
          { path: "/", element: <DashboardPage /> },
          { path: "/workspace", element: <p>Settings</p> },
          { path: "/workflows/:workflowId", element: <p>Builder</p> },
        ],
      },
    ],
    "/",
  );
}

const cardNames = () => screen.queryAllByTestId("workflow-card").map((c) => within(c).getByRole("heading").textContent);
const switcher = () => screen.getByTestId("workspace-switcher");

describe("WorkspaceSwitcher", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  it("lists the workspaces with the role in each; switching lists the other workspace's workflows", async () => {
    const seen = stubApi((route, query) => {
      if (route === "GET /api/v1/workspaces") return { out: [OWN, TEAM] };
      if (route === "GET /api/v1/workflows" && query.archived !== "true") return { out: WORKFLOWS[query.workspace_id] ?? [] };
      if (route === "GET /api/v1/workflows") return { out: [] };
    });
    renderDashboard();
    await waitFor(() => expect(cardNames()).toEqual(["Drafts"]));
    expect(switcher()).toHaveAccessibleName("Workspace: Ada's workspace (owner)");
    expect(switcher()).toHaveTextContent("owner");
    const listed = seen.filter((s) => s.path === "/api/v1/workflows").map((s) => s.query.workspace_id);
    expect(new Set(listed)).toEqual(new Set(["ws1"]));

    fireEvent.click(switcher());
    const menu = await screen.findByRole("menu");
    const items = within(menu).getAllByRole("menuitem");
    expect(items.map((i) => i.textContent)).toEqual([
      "Ada's workspaceowner",
      "Support teamviewer",
      "Workspace settings",
      "New workspace…",
    ]);
    fireEvent.click(within(menu).getByRole("menuitem", { name: /Support team/ }));

    await waitFor(() => expect(cardNames()).toEqual(["Refund assistant"]));
    expect(switcher()).toHaveAccessibleName("Workspace: Support team (viewer)");
    expect(seen.some((s) => s.path === "/api/v1/workflows" && s.query.workspace_id === "ws2")).toBe(true);
    expect(localStorage.getItem("genai-stack.workspace")).toBe("ws2");
    // A viewer creates nothing here.
    expect(screen.queryByRole("button", { name: "New workflow" })).toBeNull();
  });

  it("falls back to the first workspace when the stored one is gone", async () => {
    localStorage.setItem("genai-stack.workspace", "ws-left-long-ago");
    const seen = stubApi((route, query) => {
      if (route === "GET /api/v1/workspaces") return { out: [OWN, TEAM] };
      if (route === "GET /api/v1/workflows") return { out: query.archived === "true" ? [] : (WORKFLOWS[query.workspace_id] ?? []) };
    });
    renderDashboard();
    await waitFor(() => expect(cardNames()).toEqual(["Drafts"]));
    expect(switcher()).toHaveAccessibleName("Workspace: Ada's workspace (owner)");
    expect(seen.some((s) => s.query.workspace_id === "ws-left-long-ago")).toBe(false);
  });

  it("creates a workspace from the menu and switches to it; new workflows go there", async () => {
    const created = { ...workspace("ws3", "Research", "owner"), members: [] };
    let workspaces = [OWN];
    const seen = stubApi((route) => {
      if (route === "GET /api/v1/workspaces") return { out: workspaces };
      if (route === "POST /api/v1/workspaces") {
        workspaces = [OWN, workspace("ws3", "Research", "owner")];
        return { status: 201, out: created };
      }
      if (route === "GET /api/v1/workflows") return { out: [] };
      if (route === "POST /api/v1/workflows") return { status: 201, out: workflowRow("wf9", "Triage", "ws3") };
    });
    const router = renderDashboard();
    await screen.findByText("No workflows yet — create your first one.");

    fireEvent.click(switcher());
    fireEvent.click(await screen.findByRole("menuitem", { name: "New workspace…" }));
    const dialog = await screen.findByRole("dialog", { name: "New workspace" });
    fireEvent.change(within(dialog).getByLabelText("Name"), { target: { value: " Research " } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(switcher()).toHaveAccessibleName("Workspace: Research (owner)"));
    expect(seen.find((s) => s.method === "POST")).toMatchObject({ path: "/api/v1/workspaces", body: { name: "Research" } });

    fireEvent.click(screen.getByRole("button", { name: "New workflow" }));
    const create = await screen.findByRole("dialog", { name: "New workflow" });
    fireEvent.change(within(create).getByLabelText("Name"), { target: { value: "Triage" } });
    fireEvent.click(within(create).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/workflows/wf9"));
    expect(seen.find((s) => s.method === "POST" && s.path === "/api/v1/workflows")?.body).toEqual({
      name: "Triage",
      description: "",
      workspace_id: "ws3",
    });
  });
});

import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Role } from "./roles";
import { renderRoutes, stubApi, USER, workspace } from "./testing";
import { WorkspaceSettingsPage } from "./WorkspaceSettingsPage";

const LAST_OWNER = "A workspace keeps at least one owner; make another member owner";

function member(userId: string, email: string, role: Role) {
  return { user_id: userId, email, role, created_at: "2025-01-01T00:00:00Z" };
}

function detail(role: Role, members = [member(USER.id, USER.email, role), member("u2", "bob@example.org", "viewer")]) {
  return { ...workspace("ws2", "Support team", role), members };
}

function render() {
  return renderRoutes(
    [
      { path: "/workspace", element: <WorkspaceSettingsPage /> },
      { path: "/", element: <p>Dashboard</p> },
    ],
    "/workspace",
  );
}

const choose = (combobox: HTMLElement, option: RegExp) => {
  fireEvent.mouseDown(combobox);
  fireEvent.click(within(screen.getByRole("listbox")).getByRole("option", { name: option }));
};

describe("WorkspaceSettingsPage", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  it("adds a member by email with a role, and shows the server's refusal", async () => {
    let members = detail("owner").members;
    const seen = stubApi((route, _query, body) => {
      if (route === "GET /api/v1/workspaces") return { out: [workspace("ws2", "Support team", "owner")] };
      if (route === "GET /api/v1/workspaces/ws2") return { out: detail("owner", members) };
      if (route === "POST /api/v1/workspaces/ws2/members") {
        const { email, role } = body as { email: string; role: Role };
        if (email === "nobody@example.org") {
          return { status: 404, out: { error: { code: "not_found", message: "No user has that email; an administrator creates accounts" } } };
        }
        members = [...members, member("u3", email, role)];
        return { status: 201, out: detail("owner", members) };
      }
    });
    render();
    await screen.findByTestId("member-bob@example.org");
    const form = screen.getByRole("form", { name: "Add a member" });
    fireEvent.change(within(form).getByLabelText("Email"), { target: { value: " carol@example.org " } });
    choose(within(form).getByRole("combobox", { name: "Role" }), /^runner/);
    fireEvent.click(within(form).getByRole("button", { name: "Add" }));

    const carol = await screen.findByTestId("member-carol@example.org");
    expect(within(carol).getByRole("combobox", { name: "Role of carol@example.org" })).toHaveTextContent("runner");
    expect(seen.filter((s) => s.method === "POST")).toEqual([
      { method: "POST", path: "/api/v1/workspaces/ws2/members", query: {}, body: { email: "carol@example.org", role: "runner" } },
    ]);
    expect(within(form).getByLabelText("Email")).toHaveValue("");

    fireEvent.change(within(form).getByLabelText("Email"), { target: { value: "nobody@example.org" } });
    fireEvent.click(within(form).getByRole("button", { name: "Add" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent(
      "Could not add the member: No user has that email; an administrator creates accounts",
    );
  });

  it("shows last_owner when the only owner would stop being one", async () => {
    const seen = stubApi((route) => {
      if (route === "GET /api/v1/workspaces") return { out: [workspace("ws2", "Support team", "owner")] };
      if (route === "GET /api/v1/workspaces/ws2") return { out: detail("owner") };
      if (route === `PUT /api/v1/workspaces/ws2/members/${USER.id}`) {
        return { status: 409, out: { error: { code: "last_owner", message: LAST_OWNER } } };
      }
      if (route === `DELETE /api/v1/workspaces/ws2/members/${USER.id}`) {
        return { status: 409, out: { error: { code: "last_owner", message: LAST_OWNER } } };
      }
    });
    render();
    const me = await screen.findByTestId(`member-${USER.email}`);
    expect(me).toHaveTextContent("you");
    choose(within(me).getByRole("combobox", { name: `Role of ${USER.email}` }), /^editor/);
    expect(await screen.findByRole("alert")).toHaveTextContent(`Could not change the role: ${LAST_OWNER}`);
    expect(seen.find((s) => s.method === "PUT")?.body).toEqual({ role: "editor" });
    // The select shows the role the server kept.
    expect(within(me).getByRole("combobox", { name: `Role of ${USER.email}` })).toHaveTextContent("owner");

    fireEvent.click(within(me).getByRole("button", { name: `Remove ${USER.email}` }));
    const dialog = await screen.findByRole("dialog", { name: `Remove ${USER.email}?` });
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(LAST_OWNER);
  });

  it("removes another member after a confirmation", async () => {
    let members = detail("owner").members;
    const seen = stubApi((route) => {
      if (route === "GET /api/v1/workspaces") return { out: [workspace("ws2", "Support team", "owner")] };
      if (route === "GET /api/v1/workspaces/ws2") return { out: detail("owner", members) };
      if (route === "DELETE /api/v1/workspaces/ws2/members/u2") {
        members = members.filter((m) => m.user_id !== "u2");
        return { status: 204 };
      }
    });
    render();
    const bob = await screen.findByTestId("member-bob@example.org");
    fireEvent.click(within(bob).getByRole("button", { name: "Remove bob@example.org" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove bob@example.org?" });
    expect(seen.some((s) => s.method === "DELETE")).toBe(false);
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.queryByTestId("member-bob@example.org")).toBeNull());
    expect(seen.filter((s) => s.method === "DELETE").map((s) => s.path)).toEqual(["/api/v1/workspaces/ws2/members/u2"]);
  });

  it("renames the workspace (owners)", async () => {
    const seen = stubApi((route, _query, body) => {
      if (route === "GET /api/v1/workspaces") return { out: [workspace("ws2", "Support team", "owner")] };
      if (route === "GET /api/v1/workspaces/ws2") return { out: detail("owner") };
      if (route === "PUT /api/v1/workspaces/ws2") return { out: { ...detail("owner"), name: (body as { name: string }).name } };
    });
    render();
    const form = await screen.findByRole("form", { name: "Rename the workspace" });
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "Support" } });
    fireEvent.click(within(form).getByRole("button", { name: "Rename" }));
    expect(await screen.findByRole("heading", { name: "Support" })).toBeInTheDocument();
    expect(seen.find((s) => s.method === "PUT")).toMatchObject({ path: "/api/v1/workspaces/ws2", body: { name: "Support" } });
  });

  it("lets a non-owner read the members and leave, nothing more", async () => {
    let left = false;
    const seen = stubApi((route) => {
      if (route === "GET /api/v1/workspaces") {
        return { out: left ? [workspace("ws1", "Ada's workspace", "owner")] : [workspace("ws1", "Ada's workspace", "owner"), workspace("ws2", "Support team", "editor")] };
      }
      if (route === "GET /api/v1/workspaces/ws2") return { out: detail("editor") };
      if (route === `DELETE /api/v1/workspaces/ws2/members/${USER.id}`) {
        left = true;
        return { status: 204 };
      }
    });
    localStorage.setItem("genai-stack.workspace", "ws2");
    const router = render();
    await screen.findByTestId("member-bob@example.org");
    expect(screen.queryByRole("form", { name: "Add a member" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Rename the workspace" })).toBeNull();
    expect(screen.queryByRole("combobox")).toBeNull();
    expect(screen.queryByRole("button", { name: /^Remove/ })).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Leave workspace" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave “Support team”?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Leave" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(seen.filter((s) => s.method === "DELETE").map((s) => s.path)).toEqual([`/api/v1/workspaces/ws2/members/${USER.id}`]);
  });
});

import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter, Outlet, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";

import { LogoutRoute } from "../auth/LogoutRoute";
import { AuthContext, type AuthState } from "../auth/useAuth";
import { Layout } from "../components/Layout";
import { LeaveDialog } from "./LeaveDialog";
import { useLeaveGuard } from "./useLeaveGuard";

/** A page with (or without) unsaved changes, guarded as the builder is. */
function Editor({ dirty }: { dirty: boolean }) {
  const guard = useLeaveGuard(dirty);
  return (
    <>
      <p>Editing</p>
      <LeaveDialog
        open={guard.asking}
        saveError={null}
        onStay={guard.stay}
        onLeave={guard.leave}
        onSaveAndLeave={guard.leave}
      />
    </>
  );
}

function renderApp(dirty: boolean) {
  const logout = vi.fn();
  const auth: AuthState = {
    user: { id: "u1", email: "ada@example.org", is_admin: false },
    loading: false,
    login: vi.fn(),
    logout,
  };
  const router = createMemoryRouter(
    [
      {
        element: (
          <Layout>
            <Outlet />
          </Layout>
        ),
        children: [
          { path: "/", element: <p>Dashboard</p> },
          { path: "/workflows/:workflowId", element: <Editor dirty={dirty} /> },
          { path: "/logout", element: <LogoutRoute /> },
        ],
      },
    ],
    { initialEntries: ["/workflows/w1"] },
  );
  render(
    <AuthContext.Provider value={auth}>
      <RouterProvider router={router} />
    </AuthContext.Provider>,
  );
  return { router, logout };
}

describe("useLeaveGuard", () => {
  afterEach(() => vi.restoreAllMocks());

  it("holds an app bar link while there are unsaved changes; Stay stays", async () => {
    const { router } = renderApp(true);
    fireEvent.click(screen.getByRole("link", { name: "Workflows" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave without saving?" });
    expect(dialog).toHaveTextContent("This workflow has unsaved changes. They are lost if you leave now.");
    fireEvent.click(screen.getByRole("button", { name: "Stay" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(router.state.location.pathname).toBe("/workflows/w1");
    expect(screen.getByText("Editing")).toBeInTheDocument();
  });

  it("asks before logging out, then logs out through /logout", async () => {
    const { router, logout } = renderApp(true);
    fireEvent.click(screen.getByRole("button", { name: "Log out" }));
    await screen.findByRole("dialog", { name: "Leave without saving?" });
    expect(logout).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Leave without saving" }));
    await waitFor(() => expect(logout).toHaveBeenCalled());
    expect(router.state.location.pathname).toBe("/logout");
  });

  it("asks before Back too", async () => {
    const { router } = renderApp(true);
    await act(() => router.navigate("/"));
    await act(() => router.navigate("/workflows/w1"));
    expect(router.state.location.pathname).toBe("/workflows/w1");
    await act(() => router.navigate(-1));
    await screen.findByRole("dialog", { name: "Leave without saving?" });
    expect(router.state.location.pathname).toBe("/workflows/w1");
  });

  it("lets everything through once saved", async () => {
    const { router, logout } = renderApp(false);
    fireEvent.click(screen.getByRole("link", { name: "Workflows" }));
    await screen.findByText("Dashboard");
    expect(screen.queryByRole("dialog")).toBeNull();
    await act(() => router.navigate("/workflows/w1"));
    fireEvent.click(screen.getByRole("button", { name: "Log out" }));
    await waitFor(() => expect(logout).toHaveBeenCalled());
    expect(router.state.location.pathname).toBe("/logout");
  });
});

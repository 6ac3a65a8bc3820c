import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
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

/** Log out is in the app bar's account menu. */
function logOut() {
  fireEvent.click(screen.getByRole("button", { name: "Account" }));
  fireEvent.click(screen.getByRole("menuitem", { name: "Log out" }));
}

function renderApp(dirty: boolean) {
  // The app bar's workspace switcher asks for the user's workspaces.
  vi.stubGlobal(
    "fetch",
    vi.fn(() =>
      Promise.resolve(
        new Response(JSON.stringify([{ id: "ws1", name: "Ada's", role: "owner", created_at: "2025-01-01T00:00:00Z" }]), {
          status: 200,
          headers: { "content-type": "application/json" },
        }),
      ),
    ),
  );
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
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <AuthContext.Provider value={auth}>
        <RouterProvider router={router} />
      </AuthContext.Provider>
    </QueryClientProvider>,
  );
  return { router, logout };
}

describe("useLeaveGuard", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

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
    logOut();
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
    logOut();
    await waitFor(() => expect(logout).toHaveBeenCalled());
    expect(router.state.location.pathname).toBe("/logout");
  });
});

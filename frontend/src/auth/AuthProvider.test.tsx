import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { getToken, setToken } from "../api/client";
import { AuthProvider } from "./AuthProvider";
import { useAuth, type AuthState } from "./useAuth";

describe("AuthProvider", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it("revokes the session on the server when logging out, and forgets the token", async () => {
    const seen: Request[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((request: Request) => {
        seen.push(request);
        const me = { id: "u1", email: "u@example.org", is_admin: false };
        const logout = new URL(request.url).pathname === "/api/v1/auth/logout";
        return Promise.resolve(
          logout
            ? new Response(null, { status: 204 })
            : new Response(JSON.stringify(me), { headers: { "content-type": "application/json" } }),
        );
      }),
    );
    setToken("session-token");
    const auth: { current: AuthState | null } = { current: null };
    function Probe() {
      auth.current = useAuth();
      return null;
    }
    render(
      <QueryClientProvider client={new QueryClient()}>
        <AuthProvider>
          <Probe />
        </AuthProvider>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(auth.current?.user?.email).toBe("u@example.org"));

    act(() => auth.current?.logout());

    expect(getToken()).toBeNull();
    await waitFor(() =>
      expect(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toContain(
        "POST /api/v1/auth/logout",
      ),
    );
    const logout = seen.find((r) => new URL(r.url).pathname === "/api/v1/auth/logout");
    expect(logout?.headers.get("Authorization")).toBe("Bearer session-token");
    expect(auth.current?.user).toBeNull();
  });
});

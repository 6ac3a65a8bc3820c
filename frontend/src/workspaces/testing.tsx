/**
 * Test helpers for the workspace-aware screens: the API as a stub that records every
 * request, workspaces with each role, and a render inside the providers the app has.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router-dom";
import { vi } from "vitest";

import { AuthContext, type AuthState } from "../auth/useAuth";
import type { Role } from "./roles";

export type Seen = { method: string; path: string; query: Record<string, string>; body: unknown };
export type Answer = { status?: number; out?: unknown } | undefined;

/**
 * Answers each request with `answer("METHOD /path", query, body)` (404 when it answers
 * nothing) and records it.
 */
export function stubApi(answer: (route: string, query: Record<string, string>, body: unknown) => Answer) {
  const seen: Seen[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const text = await request.text();
      const body: unknown = text ? JSON.parse(text) : undefined;
      const query = Object.fromEntries(url.searchParams);
      const route = `${request.method} ${url.pathname}`;
      seen.push({ method: request.method, path: url.pathname, query, body });
      const answered = answer(route, query, body) ?? {
        status: 404,
        out: { error: { code: "not_found", message: `no stub for ${route}` } },
      };
      const status = answered.status ?? 200;
      return new Response(status === 204 ? null : JSON.stringify(answered.out ?? {}), {
        status,
        headers: { "content-type": "application/json" },
      });
    }),
  );
  return seen;
}

export function workspace(id: string, name: string, role: Role) {
  return { id, name, role, created_at: "2025-01-01T00:00:00Z" };
}

export const USER = { id: "u1", email: "ada@example.org", is_admin: false };

/** Renders `routes` at `path` with a query client, the logged-in USER and a memory router. */
export function renderRoutes(routes: RouteObject[], path: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const auth: AuthState = { user: USER, loading: false, login: vi.fn(), logout: vi.fn() };
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <QueryClientProvider client={client}>
      <AuthContext.Provider value={auth}>
        <RouterProvider router={router} />
      </AuthContext.Provider>
    </QueryClientProvider>,
  );
  return router;
}

/** A workflow as the dashboard lists it. */
export function workflowRow(id: string, name: string, workspaceId: string) {
  return {
    id,
    name,
    description: "",
    workspace_id: workspaceId,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-02T00:00:00Z",
    latest_version: 1,
    last_run_status: null,
    last_run_at: null,
    is_active: true,
    archived_at: null,
  };
}

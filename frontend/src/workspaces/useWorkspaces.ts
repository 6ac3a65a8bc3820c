/**
 * Workspaces (`/api/v1/workspaces`): the user's list with their role in each, one
 * workspace with its members, the current workspace, and the role a screen asks about.
 */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { storeWorkspaceId, useStoredWorkspaceId } from "./currentWorkspace";
import { can, type Action, type Role } from "./roles";

export type Workspace = Schemas["WorkspaceOut"];
export type WorkspaceDetail = Schemas["WorkspaceDetail"];
export type Member = Schemas["MemberOut"];

/** The user's workspaces, oldest first, with their role in each. */
export function useWorkspaceList() {
  return useQuery({
    queryKey: queryKeys.workspaces.list(),
    queryFn: () => unwrap(api.GET("/api/v1/workspaces")),
  });
}

/** A workspace with its members. */
export function useWorkspaceDetail(workspaceId: string | null) {
  return useQuery({
    queryKey: queryKeys.workspaces.detail(workspaceId ?? ""),
    enabled: workspaceId !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}", {
          params: { path: { workspace_id: workspaceId ?? "" } },
        }),
      ),
  });
}

export interface CurrentWorkspace {
  /** The chosen workspace; the first one when none is chosen or the chosen one is gone;
   * null while the list loads (or if it failed). */
  workspace: Workspace | null;
  workspaces: Workspace[];
  loading: boolean;
  error: unknown;
  /** Makes another workspace the current one (remembered in localStorage). */
  select: (workspaceId: string) => void;
}

export function useCurrentWorkspace(): CurrentWorkspace {
  const list = useWorkspaceList();
  const stored = useStoredWorkspaceId();
  const workspaces = list.data ?? [];
  const workspace = workspaces.find((w) => w.id === stored) ?? workspaces[0] ?? null;
  return { workspace, workspaces, loading: list.isPending, error: list.error, select: storeWorkspaceId };
}

export interface WorkspaceRole {
  /** The workspace asked about, once the list is loaded (null when not a member). */
  workspace: Workspace | null;
  /** The user's role in it; null while loading or when not a member. */
  role: Role | null;
  loading: boolean;
  /** Why the list of workspaces could not be loaded, if it could not. */
  error: unknown;
  /** Whether the role allows the action (false while loading). */
  can: (action: Action) => boolean;
}

/**
 * The user's role in a workspace (a workflow's, a run's, the current one), from
 * `GET /workspaces`. Undefined or null asks about no workspace: no role.
 */
export function useWorkspaceRole(workspaceId: string | null | undefined): WorkspaceRole {
  const list = useWorkspaceList();
  const workspace = (workspaceId && list.data?.find((w) => w.id === workspaceId)) || null;
  const role = workspace?.role ?? null;
  return {
    workspace,
    role,
    loading: Boolean(workspaceId) && list.isPending,
    error: list.error,
    can: (action) => can(role, action),
  };
}

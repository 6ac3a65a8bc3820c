/**
 * Workspace roles as the API defines them (`api/core/access.py`): each allows a set of
 * actions, and every screen asks `can(role, action)` before showing a button. The API
 * refuses what a role may not do regardless (403 `forbidden`); hiding only spares the click.
 */
import type { Schemas } from "../api/client";

export type Role = Schemas["Role"];

/** view: read; run: execute, chat, re-run, replay; edit: build, publish, archive, knowledge
 * bases and documents; manage: members and roles. */
export type Action = "view" | "run" | "edit" | "manage";

export const ROLES: readonly Role[] = ["owner", "editor", "runner", "viewer"];

const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  viewer: ["view"],
  runner: ["view", "run"],
  editor: ["view", "run", "edit"],
  owner: ["view", "run", "edit", "manage"],
};

/** One line on what each role may do, for the role selects. */
export const ROLE_HELP: Record<Role, string> = {
  owner: "Everything, and manages members and roles",
  editor: "Builds, publishes and archives workflows; manages knowledge bases",
  runner: "Runs workflows and chats with them; reads everything",
  viewer: "Reads workflows, versions, runs, answers and knowledge bases",
};

/** Whether the role allows the action; an unknown role (not loaded, not a member) allows nothing. */
export function can(role: Role | null | undefined, action: Action): boolean {
  return role ? ROLE_ACTIONS[role].includes(action) : false;
}

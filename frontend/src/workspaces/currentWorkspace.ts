/**
 * Which workspace the dashboard, the runs and the knowledge bases show: its id is kept in
 * localStorage (a small external store, so every component reading it changes together,
 * and another tab's choice is followed). The id may name a workspace the user has since
 * left; `useCurrentWorkspace` then falls back to the first one.
 */
import { useSyncExternalStore } from "react";

const STORAGE_KEY = "genai-stack.workspace";
const CHANGED = "genai-stack:workspace-changed";

function read(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage unavailable: the first workspace is shown
  }
}

/** Remembers the chosen workspace (and tells every reader). */
export function storeWorkspaceId(workspaceId: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, workspaceId);
  } catch {
    // storage unavailable: the choice lasts until the page is reloaded
  }
  window.dispatchEvent(new Event(CHANGED));
}

function subscribe(onChange: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) onChange();
  };
  window.addEventListener(CHANGED, onChange);
  window.addEventListener("storage", onStorage);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener("storage", onStorage);
  };
}

/** The stored workspace id, if any (it may name a workspace that is gone). */
export function useStoredWorkspaceId(): string | null {
  return useSyncExternalStore(subscribe, read, () => null);
}

/** The builder's keys: Ctrl/⌘+S saves anywhere; Ctrl/⌘+Z undoes, Ctrl/⌘+Shift+Z or Ctrl/⌘+Y redoes, outside text fields. */
import { useEffect, useEffectEvent } from "react";

export interface BuilderShortcuts {
  onSave: () => void;
  onUndo: () => void;
  onRedo: () => void;
}

/** Whether the key goes to a field that has its own undo. */
export function isTextInput(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  if (target.tagName !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["range", "checkbox", "radio", "button", "submit"].includes(type);
}

export function useBuilderShortcuts({ onSave, onUndo, onRedo }: BuilderShortcuts) {
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "s") {
      event.preventDefault();
      onSave();
      return;
    }
    if (isTextInput(event.target)) return; // the field's own undo
    if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      onUndo();
    } else if ((key === "z" && event.shiftKey) || key === "y") {
      event.preventDefault();
      onRedo();
    }
  });

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}

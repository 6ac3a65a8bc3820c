/**
 * Undo/redo over immutable snapshots. `record` adds a snapshot (dropping the redo list);
 * snapshots recorded under the same `key` one after another merge into one step, so typing
 * a prompt or dragging a slider is undone in one go.
 */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** The key of the last recorded snapshot, if it may be merged with the next. */
  lastKey: string | null;
}

export const HISTORY_LIMIT = 100;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: null };
}

export function record<T>(
  history: History<T>,
  next: T,
  options: { key?: string | null; limit?: number; same?: (a: T, b: T) => boolean } = {},
): History<T> {
  const { key = null, limit = HISTORY_LIMIT, same } = options;
  if (same?.(history.present, next)) return history;
  if (key !== null && key === history.lastKey) {
    return { ...history, present: next, future: [] };
  }
  const past = [...history.past, history.present];
  return {
    past: past.length > limit ? past.slice(past.length - limit) : past,
    present: next,
    future: [],
    lastKey: key,
  };
}

export function canUndo<T>(history: History<T>): boolean {
  return history.past.length > 0;
}

export function canRedo<T>(history: History<T>): boolean {
  return history.future.length > 0;
}

export function undo<T>(history: History<T>): History<T> {
  if (!canUndo(history)) return history;
  const previous = history.past[history.past.length - 1];
  return {
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
    lastKey: null,
  };
}

export function redo<T>(history: History<T>): History<T> {
  if (!canRedo(history)) return history;
  const [next, ...rest] = history.future;
  return { past: [...history.past, history.present], present: next, future: rest, lastKey: null };
}

/** Forget the merge key, so the next record is a step of its own. */
export function seal<T>(history: History<T>): History<T> {
  return history.lastKey === null ? history : { ...history, lastKey: null };
}

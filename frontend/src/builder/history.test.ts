import { describe, expect, it } from "vitest";

import { canRedo, canUndo, createHistory, record, redo, seal, undo } from "./history";

describe("history", () => {
  it("undoes and redoes snapshots in order", () => {
    let h = createHistory("a");
    h = record(h, "b");
    h = record(h, "c");
    expect(h.present).toBe("c");
    h = undo(h);
    expect(h.present).toBe("b");
    h = undo(h);
    expect(h.present).toBe("a");
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe("b");
    expect(canRedo(h)).toBe(true);
    h = redo(redo(h));
    expect(h.present).toBe("c");
    expect(canRedo(h)).toBe(false);
  });

  it("drops the redo list on a new snapshot", () => {
    let h = record(record(createHistory(1), 2), 3);
    h = record(undo(h), 9);
    expect(h.present).toBe(9);
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe(2);
  });

  it("merges consecutive snapshots with the same key into one step", () => {
    let h = createHistory("");
    for (const text of ["H", "He", "Hel", "Hello"]) h = record(h, text, { key: "prompt" });
    h = record(h, "Hello!", { key: "other" });
    expect(h.past).toEqual(["", "Hello"]);
    expect(undo(h).present).toBe("Hello");
    expect(undo(undo(h)).present).toBe("");
    // After an undo or a seal, the same key starts a new step.
    h = record(seal(record(createHistory("x"), "y", { key: "k" })), "z", { key: "k" });
    expect(h.past).toEqual(["x", "y"]);
  });

  it("skips snapshots equal to the present and keeps a bounded past", () => {
    let h = createHistory(0);
    h = record(h, 0, { same: (a, b) => a === b });
    expect(canUndo(h)).toBe(false);
    for (let i = 1; i <= 10; i++) h = record(h, i, { limit: 3 });
    expect(h.past).toEqual([7, 8, 9]);
  });
});

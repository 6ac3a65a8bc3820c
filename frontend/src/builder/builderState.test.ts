import { describe, expect, it } from "vitest";

import { builderReducer, initialState, type BuilderAction, type BuilderState } from "./builderState";
import { flowToGraph, type GraphDoc } from "./graphModel";
import { canRedo, canUndo } from "./history";

const EMPTY: GraphDoc = { nodes: [], edges: [] };
const run = (state: BuilderState, ...actions: BuilderAction[]) => actions.reduce(builderReducer, state);
const graphOf = (state: BuilderState) => flowToGraph(state.nodes, state.edges);

const add = (id: string, componentType: string, x = 0): BuilderAction => ({
  kind: "addNode",
  id,
  componentType,
  position: { x, y: 0 },
  config: {},
});

describe("builderReducer", () => {
  it("adds, connects and undoes/redoes step by step", () => {
    let s = run(
      initialState(EMPTY),
      add("q", "user_query"),
      add("llm", "llm_engine", 300),
      { kind: "connect", edge: { source: "q", source_handle: "query", target: "llm", target_handle: "query" } },
    );
    expect(graphOf(s).nodes.map((n) => n.id)).toEqual(["q", "llm"]);
    expect(graphOf(s).edges).toHaveLength(1);
    expect(s.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["llm"]);

    s = run(s, { kind: "undo" });
    expect(graphOf(s).edges).toHaveLength(0);
    s = run(s, { kind: "undo" }, { kind: "undo" });
    expect(graphOf(s)).toEqual(EMPTY);
    expect(canUndo(s.history)).toBe(false);
    s = run(s, { kind: "redo" }, { kind: "redo" }, { kind: "redo" });
    expect(graphOf(s).edges).toHaveLength(1);
    expect(canRedo(s.history)).toBe(false);
  });

  it("merges edits of one field into one undo step", () => {
    let s = run(initialState(EMPTY), add("llm", "llm_engine"));
    for (const t of [0.5, 0.4, 0.3]) s = run(s, { kind: "setConfig", id: "llm", field: "temperature", value: t });
    s = run(s, { kind: "setConfig", id: "llm", field: "model", value: "gpt-4o" });
    expect(graphOf(s).nodes[0].config).toEqual({ temperature: 0.3, model: "gpt-4o" });
    s = run(s, { kind: "undo" });
    expect(graphOf(s).nodes[0].config).toEqual({ temperature: 0.3 });
    s = run(s, { kind: "undo" });
    expect(graphOf(s).nodes[0].config).toEqual({});
  });

  it("sets and clears policy overrides", () => {
    let s = run(
      initialState(EMPTY),
      add("llm", "llm_engine"),
      { kind: "setPolicy", id: "llm", field: "maximum_attempts", value: 5 },
    );
    expect(graphOf(s).nodes[0].policy).toEqual({ maximum_attempts: 5 });
    s = run(s, { kind: "setPolicy", id: "llm", field: "maximum_attempts", value: undefined });
    expect(graphOf(s).nodes[0].policy).toBeNull();
  });

  it("removes a node with its edges, from the keyboard or the panel", () => {
    const start = run(
      initialState(EMPTY),
      add("q", "user_query"),
      add("kb", "knowledge_base", 300),
      { kind: "connect", edge: { source: "q", source_handle: "query", target: "kb", target_handle: "query" } },
    );
    const viaKeyboard = run(start, { kind: "nodesChange", changes: [{ type: "remove", id: "kb" }] });
    expect(graphOf(viaKeyboard)).toEqual(graphOf(run(start, { kind: "removeNode", id: "kb" })));
    expect(graphOf(viaKeyboard).edges).toEqual([]);
    expect(graphOf(run(viaKeyboard, { kind: "undo" }))).toEqual(graphOf(start));
  });

  it("records a drag when it ends, not while it moves; selection is not a step", () => {
    let s = run(initialState(EMPTY), add("q", "user_query"));
    const steps = s.history.past.length;
    s = run(
      s,
      { kind: "nodesChange", changes: [{ type: "position", id: "q", position: { x: 5, y: 5 }, dragging: true }] },
      { kind: "nodesChange", changes: [{ type: "position", id: "q", position: { x: 50, y: 40 }, dragging: true }] },
      { kind: "nodesChange", changes: [{ type: "select", id: "q", selected: false }] },
    );
    expect(s.history.past.length).toBe(steps);
    s = run(s, { kind: "nodesChange", changes: [{ type: "position", id: "q", dragging: false }] });
    expect(s.history.past.length).toBe(steps + 1);
    expect(graphOf(run(s, { kind: "undo" })).nodes[0].position).toEqual({ x: 0, y: 0 });
  });

  it("replaces the graph (import, restore) as one undoable step", () => {
    const imported: GraphDoc = {
      nodes: [{ id: "o", type: "output", position: { x: 1, y: 2 }, config: {}, policy: null }],
      edges: [],
    };
    let s = run(initialState(EMPTY), add("q", "user_query"), { kind: "replaceGraph", graph: imported });
    expect(graphOf(s)).toEqual(imported);
    s = run(s, { kind: "undo" });
    expect(graphOf(s).nodes.map((n) => n.id)).toEqual(["q"]);
  });
});

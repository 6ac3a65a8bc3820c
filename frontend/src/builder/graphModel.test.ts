import { describe, expect, it } from "vitest";

import {
  canonicalJson,
  edgeId,
  flowToGraph,
  graphToFlow,
  nextNodeId,
  normalizeGraph,
  parseGraphJson,
  withoutLegacyFields,
  type GraphDoc,
} from "./graphModel";

const GRAPH: GraphDoc = {
  nodes: [
    { id: "q", type: "user_query", position: { x: 0, y: 10.5 }, config: {}, policy: null },
    { id: "kb", type: "knowledge_base", position: { x: 300, y: 0 }, config: { knowledge_base_id: "k1", top_k: 3 }, policy: null },
    {
      id: "llm",
      type: "llm_engine",
      position: { x: 600, y: 0 },
      config: { model: "gpt-4o", temperature: 0.2, custom_prompt: "Be brief." },
      policy: { maximum_attempts: 2, start_to_close_seconds: 45 },
    },
    { id: "out", type: "output", position: { x: 900, y: 0 }, config: { response_format: "markdown" }, policy: null },
  ],
  edges: [
    { source: "q", source_handle: "query", target: "kb", target_handle: "query" },
    { source: "q", source_handle: "query", target: "llm", target_handle: "query" },
    { source: "kb", source_handle: "context", target: "llm", target_handle: "context" },
    { source: "llm", source_handle: "answer", target: "out", target_handle: "answer" },
  ],
};

describe("Graph ⇄ React Flow", () => {
  it("round-trips a graph unchanged", () => {
    const { nodes, edges } = graphToFlow(GRAPH);
    expect(nodes).toHaveLength(4);
    expect(nodes[2]).toMatchObject({
      id: "llm",
      type: "component",
      position: { x: 600, y: 0 },
      data: { componentType: "llm_engine", config: { temperature: 0.2 } },
    });
    expect(edges[2]).toEqual({
      id: "kb:context->llm:context",
      source: "kb",
      sourceHandle: "context",
      target: "llm",
      targetHandle: "context",
    });
    expect(flowToGraph(nodes, edges)).toEqual(GRAPH);
  });

  it("fills the API's defaults and drops empty policies", () => {
    const graph = normalizeGraph({
      nodes: [{ id: "a", type: "output", policy: { maximum_attempts: null } }],
    });
    expect(graph).toEqual({
      nodes: [{ id: "a", type: "output", position: { x: 0, y: 0 }, config: {}, policy: null }],
      edges: [],
    });
  });

  it("keeps measured sizes and selection of nodes it already drew", () => {
    const first = graphToFlow(GRAPH).nodes.map((n) => ({ ...n, measured: { width: 240, height: 120 }, selected: n.id === "kb" }));
    const again = graphToFlow(GRAPH, first).nodes;
    expect(again[1].measured).toEqual({ width: 240, height: 120 });
    expect(again[1].selected).toBe(true);
    expect(again[0].selected).toBeUndefined();
  });

  it("compares graphs by content, whatever the key order", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [1, { f: 1, e: 2 }] } })).toBe(
      canonicalJson({ a: { c: [1, { e: 2, f: 1 }], d: 2 }, b: 1 }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });

  it("names edges by their four ends", () => {
    expect(edgeId(GRAPH.edges[0])).toBe("q:query->kb:query");
  });
});

describe("nextNodeId", () => {
  it("numbers ids per type like the API", () => {
    expect(nextNodeId("llm_engine", [])).toBe("llm_engine_1");
    expect(nextNodeId("llm_engine", ["llm_engine_1", "llm_engine_3"])).toBe("llm_engine_2");
  });
});

/** GRAPH as saved before connections: a server URL and a raw collection. */
function legacyGraph(): GraphDoc {
  const graph = structuredClone(GRAPH);
  graph.nodes[1].config = { ...graph.nodes[1].config, collection: "kb-abc", embedding_model: "all-MiniLM-L6-v2" };
  graph.nodes[2].config = { ...graph.nodes[2].config, provider: "openai-compatible", base_url: "http://10.0.0.5:8000/v1" };
  return graph;
}

describe("withoutLegacyFields", () => {
  it("drops an LLM node's base_url and a knowledge base node's collection, and nothing else", () => {
    const stripped = withoutLegacyFields(legacyGraph());
    expect(stripped.nodes[1].config).toEqual({ knowledge_base_id: "k1", top_k: 3, embedding_model: "all-MiniLM-L6-v2" });
    // The legacy provider stays: it names the default connection the server falls back to.
    expect(stripped.nodes[2].config).toEqual({ ...GRAPH.nodes[2].config, provider: "openai-compatible" });
    expect(canonicalJson(stripped)).not.toMatch(/base_url|collection/);
    expect(stripped.edges).toEqual(GRAPH.edges);
  });

  it("returns the same graph when there is nothing to drop", () => {
    expect(withoutLegacyFields(GRAPH)).toBe(GRAPH);
    // Only the forbidden field of each component type is dropped.
    const other = { ...GRAPH, nodes: [{ ...GRAPH.nodes[0], config: { collection: "x", base_url: "y" } }] };
    expect(withoutLegacyFields(other)).toBe(other);
  });

  it("is applied to imported files", () => {
    const result = parseGraphJson(JSON.stringify(legacyGraph()));
    if ("error" in result) throw new Error(result.error);
    expect(canonicalJson(result.graph)).not.toMatch(/base_url|collection/);
  });
});

describe("parseGraphJson", () => {
  it("reads a graph or a workflow holding one", () => {
    const text = JSON.stringify(GRAPH);
    expect(parseGraphJson(text)).toEqual({ graph: GRAPH });
    expect(parseGraphJson(JSON.stringify({ name: "x", graph: GRAPH }))).toEqual({ graph: GRAPH });
  });

  it.each([
    ["not json", "not JSON"],
    ["[1, 2]", "needs a \"nodes\" list"],
    [JSON.stringify({ nodes: [{ id: "a" }] }), "nodes[0] needs a string \"id\" and \"type\""],
    [JSON.stringify({ nodes: [{ id: "a b", type: "x" }] }), "not a valid node id"],
    [JSON.stringify({ nodes: [{ id: "a", type: "x" }, { id: "a", type: "y" }] }), "repeats"],
    [
      JSON.stringify({ nodes: [{ id: "a", type: "x" }], edges: [{ source: "a", source_handle: "o", target: "b", target_handle: "i" }] }),
      "unknown node \"b\"",
    ],
    [JSON.stringify({ nodes: [{ id: "a", type: "x", position: { x: "1" } }] }), "position"],
  ])("refuses %s with a reason", (text, reason) => {
    const result = parseGraphJson(text);
    expect("error" in result && result.error).toContain(reason);
  });
});

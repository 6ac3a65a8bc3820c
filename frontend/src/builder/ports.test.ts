import { describe, expect, it } from "vitest";

import { CATALOGUE } from "./fixtures/catalogue";
import type { GraphEdge } from "./graphModel";
import { connectionProblem, findPort } from "./ports";

const NODES = [
  { id: "q", type: "user_query" },
  { id: "kb", type: "knowledge_base" },
  { id: "llm", type: "llm_engine" },
  { id: "out", type: "output" },
  { id: "web", type: "web_search" },
];
const EDGES: GraphEdge[] = [{ source: "q", source_handle: "query", target: "kb", target_handle: "query" }];

const check = (source: string, sourceHandle: string, target: string, targetHandle: string, edges = EDGES) =>
  connectionProblem(CATALOGUE, NODES, edges, { source, sourceHandle, target, targetHandle });

describe("connectionProblem", () => {
  it("allows ports of the same type", () => {
    expect(check("q", "query", "llm", "query")).toBeNull();
    expect(check("kb", "context", "llm", "context")).toBeNull();
    expect(check("web", "results", "llm", "web_results")).toBeNull();
    expect(check("llm", "answer", "out", "answer")).toBeNull();
  });

  it("refuses ports of different types, naming both", () => {
    expect(check("kb", "context", "llm", "query")).toBe("context (passages) cannot connect to query (text)");
    expect(check("q", "query", "out", "answer")).toBe("query (text) cannot connect to answer (answer)");
  });

  it("refuses a second edge into an input", () => {
    expect(check("q", "query", "kb", "query")).toMatch(/query of kb is already connected \(from q\)/);
  });

  it("refuses self loops and unknown ports", () => {
    expect(check("llm", "answer", "llm", "query")).toMatch(/itself/);
    expect(check("kb", "nope", "llm", "query")).toMatch(/kb has no output 'nope'/);
    expect(check("q", "query", "llm", "nope")).toMatch(/llm has no input 'nope'/);
    expect(check("q", null as unknown as string, "llm", "query")).toMatch(/Connect an output/);
  });

  it("refuses a connection that closes a cycle", () => {
    const relay = {
      ...CATALOGUE.get("knowledge_base")!,
      type: "relay",
      outputs: [{ name: "out", type: "text" as const, required: true, description: "" }],
    };
    const catalogue = new Map([...CATALOGUE, ["relay", relay]]);
    const nodes = [
      { id: "a", type: "relay" },
      { id: "b", type: "relay" },
    ];
    const edges: GraphEdge[] = [{ source: "a", source_handle: "out", target: "b", target_handle: "query" }];
    expect(
      connectionProblem(catalogue, nodes, edges, { source: "b", sourceHandle: "out", target: "a", targetHandle: "query" }),
    ).toBe("b → a would make a cycle");
  });

  it("finds ports by direction", () => {
    expect(findPort(CATALOGUE, "llm_engine", "input", "context")).toMatchObject({ type: "passages", required: false });
    expect(findPort(CATALOGUE, "llm_engine", "output", "context")).toBeUndefined();
  });
});

/**
 * Which connections the catalogue allows: an output joins an input of the same port type,
 * an input takes one edge, a node does not feed itself, and the graph stays acyclic.
 * The same rules the compiler checks, so a refused connection says why right away.
 */
import type { Schemas } from "../api/client";
import type { GraphEdge } from "./graphModel";

export type Component = Schemas["ComponentOut"];
export type Port = Schemas["Port"];
export type Catalogue = Map<string, Component>;

export function catalogueOf(components: Component[]): Catalogue {
  return new Map(components.map((c) => [c.type, c]));
}

/** A proposed connection, ends as React Flow names them. */
export interface ConnectionEnds {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}

export interface NodeRefLite {
  id: string;
  type: string;
}

/** The colour of a port type's handles and edges. */
export const PORT_COLORS: Record<string, string> = {
  text: "#43A047",
  passages: "#1E88E5",
  web_results: "#00897B",
  answer: "#FB8C00",
};

export function portColor(type: string | undefined): string {
  return (type && PORT_COLORS[type]) || "#757575";
}

export function findPort(
  catalogue: Catalogue,
  componentType: string | undefined,
  direction: "input" | "output",
  name: string | null | undefined,
): Port | undefined {
  const component = componentType ? catalogue.get(componentType) : undefined;
  if (!component || !name) return undefined;
  return (direction === "input" ? component.inputs : component.outputs).find((p) => p.name === name);
}

/** Whether `to` can be reached from `from` along the edges. */
function reaches(edges: GraphEdge[], from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}

/**
 * Why the connection is refused, or null when it is allowed. `edges` are the graph's
 * current edges (an edge being reconnected should be left out by the caller).
 */
export function connectionProblem(
  catalogue: Catalogue,
  nodes: NodeRefLite[],
  edges: GraphEdge[],
  c: ConnectionEnds,
): string | null {
  if (!c.source || !c.target || !c.sourceHandle || !c.targetHandle) {
    return "Connect an output (right side of a node) to an input (left side)";
  }
  const source = nodes.find((n) => n.id === c.source);
  const target = nodes.find((n) => n.id === c.target);
  if (!source || !target) return "Both ends must be nodes on the canvas";
  if (source.id === target.id) return `${source.id} cannot connect to itself`;
  const out = findPort(catalogue, source.type, "output", c.sourceHandle);
  const inp = findPort(catalogue, target.type, "input", c.targetHandle);
  if (!out) return `${source.id} has no output '${c.sourceHandle}'`;
  if (!inp) return `${target.id} has no input '${c.targetHandle}'`;
  if (out.type !== inp.type) {
    return `${out.name} (${out.type}) cannot connect to ${inp.name} (${inp.type})`;
  }
  const fed = edges.find((e) => e.target === target.id && e.target_handle === inp.name);
  if (fed) {
    return `${inp.name} of ${target.id} is already connected (from ${fed.source}); an input takes one edge`;
  }
  if (reaches(edges, target.id, source.id)) {
    return `${source.id} → ${target.id} would make a cycle`;
  }
  return null;
}

/** A connection drawn between two handles of the same kind (output to output, input to input). */
export function sameSideProblem(kind: "source" | "target"): string {
  return kind === "source"
    ? "Both ends are outputs: connect an output (right) to an input (left)"
    : "Both ends are inputs: connect an output (right) to an input (left)";
}

/** What every node card needs besides its own data: the catalogue and the last validation. */
import { createContext, useContext } from "react";

import type { Catalogue } from "./ports";
import { textOf } from "./textOf";

export interface Problem {
  code: string;
  message: string;
  node_id?: string | null;
  field?: string | null;
}

export interface BuilderContextValue {
  catalogue: Catalogue;
  /** Problems from the last validation, by node id. */
  problems: Map<string, Problem[]>;
  /** Knowledge base names by id, for node summaries. */
  knowledgeBaseNames: Map<string, string>;
}

export const BuilderContext = createContext<BuilderContextValue>({
  catalogue: new Map(),
  problems: new Map(),
  knowledgeBaseNames: new Map(),
});

export function useBuilderContext(): BuilderContextValue {
  return useContext(BuilderContext);
}

/** Problems grouped by the node they name (those naming none under ""). */
export function problemsByNode(problems: Problem[]): Map<string, Problem[]> {
  const byNode = new Map<string, Problem[]>();
  for (const p of problems) {
    const key = p.node_id ?? "";
    byNode.set(key, [...(byNode.get(key) ?? []), p]);
  }
  return byNode;
}

/** The problems of a graph_invalid error's details, if that is what it is. */
export function problemsOf(details: Record<string, unknown> | undefined): Problem[] {
  const list = details?.problems;
  if (!Array.isArray(list)) return [];
  return list
    .filter((p): p is Record<string, unknown> => typeof p === "object" && p !== null)
    .map((p) => ({
      code: textOf(p.code ?? p.type ?? "problem"),
      message: textOf(p.message ?? p.msg ?? "Invalid"),
      node_id: typeof p.node_id === "string" ? p.node_id : null,
      field: typeof p.field === "string" ? p.field : null,
    }));
}

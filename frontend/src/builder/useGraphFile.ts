/** The graph as a JSON file: export downloads the canvas; import replaces it (one undo step). */
import { useReactFlow } from "@xyflow/react";
import { useCallback } from "react";

import { parseGraphJson, type GraphDoc } from "./graphModel";
import type { Notice } from "./Notice";
import type { Catalogue } from "./ports";

export interface GraphFileOptions {
  graph: GraphDoc;
  workflowName: string;
  catalogue: Catalogue;
  replaceGraph: (graph: GraphDoc) => void;
  /** Whether a graph is the saved draft (the notice says so). */
  isSaved: (graph: GraphDoc) => boolean;
  /** The graph was replaced: the last validation no longer applies. */
  onReplaced: () => void;
  notify: (notice: Notice) => void;
}

/** `Refund bot` → `Refund-bot.graph.json`. */
export function fileName(name: string): string {
  return (name.trim().replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-|-$/g, "") || "workflow") + ".graph.json";
}

export function useGraphFile({ graph, workflowName, catalogue, replaceGraph, isSaved, onReplaced, notify }: GraphFileOptions) {
  const { fitView } = useReactFlow();

  const exportGraph = useCallback(() => {
    const blob = new Blob([JSON.stringify(graph, null, 2) + "\n"], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = fileName(workflowName);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }, [graph, workflowName]);

  const importFile = useCallback(
    async (file: File) => {
      let text: string;
      try {
        text = await file.text();
      } catch (err) {
        return notify({ severity: "error", message: `Could not read ${file.name}: ${String(err)}` });
      }
      const parsed = parseGraphJson(text);
      if ("error" in parsed) {
        return notify({ severity: "error", message: `Could not import ${file.name}: ${parsed.error}` });
      }
      replaceGraph(parsed.graph);
      onReplaced();
      const unknown = [...new Set(parsed.graph.nodes.map((n) => n.type).filter((t) => !catalogue.has(t)))];
      notify(
        unknown.length
          ? { severity: "warning", message: `Imported, but these component types are unknown: ${unknown.join(", ")}` }
          : {
              severity: "success",
              message:
                `Imported ${parsed.graph.nodes.length} nodes and ${parsed.graph.edges.length} edges` +
                (isSaved(parsed.graph) ? " (the same as the saved draft)" : " — save to keep them"),
            },
      );
      requestAnimationFrame(() => void fitView({ padding: 0.1, maxZoom: 1 }));
    },
    [catalogue, fitView, isSaved, notify, onReplaced, replaceGraph],
  );

  return { exportGraph, importFile };
}

/**
 * The draft on the server: whether the canvas differs from what was last saved (dirty),
 * save, validate (saving first), publish a version (saving first), and what a restore or
 * import makes the saved state.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { canonicalJson, withoutLegacyFields, type GraphDoc } from "./graphModel";
import type { Notice } from "./Notice";
import type { ValidationState } from "./useValidationState";

export interface GraphPersistenceOptions {
  workflow: Schemas["WorkflowDetail"];
  /** The graph on the canvas now. */
  graph: GraphDoc;
  /** The graph as loaded (legacy fields included): the saved state to begin with. */
  initialGraph: GraphDoc;
  validation: Pick<ValidationState, "showProblems" | "showValid" | "dismiss" | "clear">;
  notify: (notice: Notice) => void;
}

export function useGraphPersistence({ workflow, graph, initialGraph, validation, notify }: GraphPersistenceOptions) {
  const workflowId = workflow.id;
  const queryClient = useQueryClient();
  const [savedJson, setSavedJson] = useState(() => canonicalJson(initialGraph));
  const [latestVersion, setLatestVersion] = useState(workflow.latest_version ?? null);
  const dirty = useMemo(() => canonicalJson(graph) !== savedJson, [graph, savedJson]);
  const { showProblems, showValid, dismiss, clear } = validation;

  const save = useMutation({
    mutationFn: async (graphToSave: GraphDoc) => {
      // Never a server URL or a raw collection: the API refuses them (graphs from before
      // connections are stripped when loaded; this holds for any other way in too).
      const sent = withoutLegacyFields(graphToSave);
      await unwrap(
        api.PUT("/api/v1/workflows/{workflow_id}/graph", {
          params: { path: { workflow_id: workflowId } },
          body: sent,
        }),
      );
      return sent;
    },
    onSuccess: (sent) => {
      setSavedJson(canonicalJson(sent));
      void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.list() });
    },
  });
  const { mutateAsync: saveGraph } = save;
  /** Saves the canvas; rejects when it fails (the error is shown by `save.error`). */
  const saveNow = useCallback(async () => {
    await saveGraph(graph);
  }, [saveGraph, graph]);
  const ensureSaved = useCallback(async () => {
    if (dirty) await saveGraph(graph);
  }, [dirty, saveGraph, graph]);

  const validate = useMutation({
    mutationFn: async () => {
      await ensureSaved();
      return unwrap(
        api.GET("/api/v1/workflows/{workflow_id}/validate", { params: { path: { workflow_id: workflowId } } }),
      );
    },
    onSuccess: (result) => showValid(result.steps),
    onError: (err) => {
      if (!showProblems(err)) dismiss();
    },
  });

  const publish = useCallback(
    async (note: string) => {
      await ensureSaved();
      try {
        const version = await unwrap(
          api.POST("/api/v1/workflows/{workflow_id}/versions", {
            params: { path: { workflow_id: workflowId } },
            body: { note },
          }),
        );
        setLatestVersion(version.number);
        clear();
        notify({ severity: "success", message: `Published version ${version.number}` });
        void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.versions(workflowId) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.list() });
        return version;
      } catch (err) {
        showProblems(err);
        throw err;
      }
    },
    [ensureSaved, workflowId, queryClient, showProblems, clear, notify],
  );

  /** The graph is now the saved draft (a version was restored into it). */
  const markSaved = useCallback((saved: GraphDoc) => setSavedJson(canonicalJson(saved)), []);
  const isSaved = useCallback((other: GraphDoc) => canonicalJson(other) === savedJson, [savedJson]);

  return { dirty, latestVersion, save, saveNow, ensureSaved, validate, publish, markSaved, isSaved };
}

/** What can be done with a finished or running run: re-run, replay from a step, export its audit record. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { downloadAudit } from "./audit";

export function useRunActions(runId: string) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const afterNewRun = (newRunId: string) => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.runs.all() });
    void navigate(`/runs/${newRunId}`);
  };
  const rerun = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/runs/{run_id}/rerun", { params: { path: { run_id: runId } } })),
    onSuccess: (res) => afterNewRun(res.run_id),
  });
  const replay = useMutation({
    mutationFn: (fromNode: string) =>
      unwrap(
        api.POST("/api/v1/runs/{run_id}/replay", {
          params: { path: { run_id: runId } },
          body: { from_node: fromNode },
        }),
      ),
    onSuccess: (res) => afterNewRun(res.run_id),
  });
  const audit = useMutation({ mutationFn: () => downloadAudit(runId) });
  return { rerun, replay, audit };
}

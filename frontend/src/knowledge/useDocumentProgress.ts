/** A document as it is now: the listed row, kept current while its ingestion runs. */
import { useEffect, useEffectEvent, useState } from "react";

import { isFinished, watchDocument, type Document } from "./documentProgress";

export function useDocumentProgress(
  listed: Document,
  onFinished: (document: Document) => void,
): Document {
  const [live, setLive] = useState<Document | null>(null);
  const open = !isFinished(listed);
  const { id, workflow_id: workflowId } = listed;
  // A retry starts a new workflow for the same document: watch again.
  const attempt = `${id}|${workflowId ?? ""}`;
  const finished = useEffectEvent((document: Document) => onFinished(document));
  // Deleted while watched: the list refresh removes the row.
  const lost = useEffectEvent(() => onFinished(listed));

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    watchDocument(id, { signal: controller.signal, onUpdate: setLive })
      .then((final) => {
        if (final && !controller.signal.aborted) finished(final);
      })
      .catch(() => {
        if (!controller.signal.aborted) lost();
      });
    return () => controller.abort();
    // Keyed by the attempt (id and workflow), not by `listed`, which changes on every list refresh.
  }, [id, workflowId, open]);

  if (!live || `${live.id}|${live.workflow_id ?? ""}` !== attempt) return listed;
  // The list may be newer (say, it was refreshed after the stream's last event).
  if (isFinished(listed) && !isFinished(live)) return listed;
  return live;
}

/** A document as it is now: the listed row, kept current while its ingestion runs. */
import { useEffect, useRef, useState } from "react";

import { isFinished, watchDocument, type Document } from "./documentProgress";

export function useDocumentProgress(
  listed: Document,
  onFinished: (document: Document) => void,
): Document {
  const [live, setLive] = useState<Document | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  const open = !isFinished(listed);
  // A retry starts a new workflow for the same document: watch again.
  const attempt = `${listed.id}|${listed.workflow_id ?? ""}`;

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    watchDocument(listed.id, { signal: controller.signal, onUpdate: setLive })
      .then((final) => {
        if (final && !controller.signal.aborted) finished.current(final);
      })
      .catch(() => {
        // Deleted while watched: the list refresh removes the row.
        if (!controller.signal.aborted) finished.current(listed);
      });
    return () => controller.abort();
    // Keyed by the attempt: `listed` changes on every list refresh.
  }, [attempt, open]);

  if (!live || `${live.id}|${live.workflow_id ?? ""}` !== attempt) return listed;
  // The list may be newer (say, it was refreshed after the stream's last event).
  if (isFinished(listed) && !isFinished(live)) return listed;
  return live;
}

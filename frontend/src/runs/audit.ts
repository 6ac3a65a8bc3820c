/** Downloads a finished run's audit record as a .json file, byte for byte as served. */
import { api, unwrap } from "../api/client";

export async function fetchAuditBlob(runId: string): Promise<Blob> {
  // parseAs "blob": the bytes are kept as received (the record's digest covers them)
  const blob = await unwrap(
    api.GET("/api/v1/runs/{run_id}/audit", {
      params: { path: { run_id: runId } },
      parseAs: "blob",
    }),
  );
  return blob;
}

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = filename;
  anchor.style.display = "none";
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function downloadAudit(runId: string): Promise<void> {
  const blob = await fetchAuditBlob(runId);
  saveBlob(new Blob([blob], { type: "application/json" }), `audit-${runId}.json`);
}

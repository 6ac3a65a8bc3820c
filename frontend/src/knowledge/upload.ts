/**
 * `POST /documents/upload` as multipart form data, by `fetch` (the body is the file
 * itself, streamed by the browser). Refusals come back as an `ApiError` whose message
 * names the file and says what to do.
 */
import { ApiError, getToken, setToken, toApiError } from "../api/client";
import type { Document } from "./documentProgress";
import { formatBytes } from "./format";

export async function uploadDocument(knowledgeBaseId: string, file: File): Promise<Document> {
  const form = new FormData();
  form.append("knowledge_base_id", knowledgeBaseId);
  form.append("file", file, file.name);
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await globalThis.fetch(`${window.location.origin}/api/v1/documents/upload`, {
      method: "POST",
      body: form,
      headers,
    });
  } catch (err) {
    // A server refusing an over-large body may close the connection mid-upload.
    throw new ApiError(
      0,
      "network",
      `“${file.name}” could not be uploaded: the connection closed (${String(err)}). ` +
        "If the file is very large, it may be over the server's limit.",
    );
  }
  const body = await response.json().catch(() => null);
  if (response.status === 401 && getToken()) {
    setToken(null);
    window.dispatchEvent(new Event("genai-stack:logged-out"));
  }
  if (!response.ok) throw readableUploadError(toApiError(response.status, body), file);
  return body as Document;
}

/** The API's refusal, reworded for the person who chose the file. */
export function readableUploadError(error: ApiError, file: Pick<File, "name" | "size">): ApiError {
  const name = `“${file.name}”`;
  let message = error.message;
  if (error.status === 413) {
    const limit = Number(error.details.limit_bytes);
    message =
      `${name} is too large (${formatBytes(file.size)})` +
      (Number.isFinite(limit) && limit > 0 ? `: files are limited to ${formatBytes(limit)}.` : ".");
  } else if (error.status === 415) {
    message = `Unsupported file type: ${error.message}.`;
  } else if (error.status === 422 && error.code === "empty_file") {
    message = `${name} is empty: there is nothing to ingest.`;
  } else if (error.status === 401) {
    message = "Your session has expired: log in again.";
  } else {
    message = `${name} could not be uploaded: ${error.message}`;
  }
  return new ApiError(error.status, error.code, message, error.details);
}

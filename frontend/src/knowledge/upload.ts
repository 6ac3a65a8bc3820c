/**
 * `POST /documents/upload` as multipart form data, by `XMLHttpRequest` so the bytes sent
 * can be reported as they go (`fetch` cannot report upload progress). Refusals come back
 * as an `ApiError` whose message names the file and says what to do.
 */
import { ApiError, getToken, setToken, toApiError } from "../api/client";
import type { Document } from "./documentProgress";
import { formatBytes } from "./format";

export interface UploadProgress {
  /** Bytes of the request body sent so far. */
  loaded: number;
  /** The request body's size (file plus multipart framing), or null when unknown. */
  total: number | null;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

export function uploadDocument(
  knowledgeBaseId: string,
  file: File,
  { onProgress, signal }: UploadOptions = {},
): Promise<Document> {
  const form = new FormData();
  form.append("knowledge_base_id", knowledgeBaseId);
  form.append("file", file, file.name);
  return new Promise<Document>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${window.location.origin}/api/v1/documents/upload`);
    const token = getToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.responseType = "text";
    xhr.upload.onprogress = (event: ProgressEvent) => {
      onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : null });
    };
    // A server refusing an over-large body may close the connection mid-upload.
    xhr.onerror = () =>
      reject(
        new ApiError(
          0,
          "network",
          `“${file.name}” could not be uploaded: the connection closed. ` +
            "If the file is very large, it may be over the server's limit.",
        ),
      );
    xhr.onabort = () => reject(new ApiError(0, "aborted", `The upload of “${file.name}” was stopped.`));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 401 && getToken()) {
        setToken(null);
        window.dispatchEvent(new Event("genai-stack:logged-out"));
      }
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(readableUploadError(toApiError(xhr.status, body), file));
      } else {
        resolve(body as Document);
      }
    };
    if (signal) {
      if (signal.aborted) {
        reject(new ApiError(0, "aborted", `The upload of “${file.name}” was stopped.`));
        return;
      }
      signal.addEventListener("abort", () => xhr.abort(), { once: true });
    }
    xhr.send(form);
  });
}

/** 0–100 for a progress report, or null when the size is unknown. */
export function uploadPercentage(progress: UploadProgress | undefined): number | null {
  if (!progress || !progress.total) return null;
  return Math.max(0, Math.min(100, Math.floor((progress.loaded / progress.total) * 100)));
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

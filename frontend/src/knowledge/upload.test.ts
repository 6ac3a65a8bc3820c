import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { setToken } from "../api/client";
import { uploadDocument, uploadPercentage, type UploadProgress } from "./upload";

/** A stand-in for XMLHttpRequest: records the request; the test drives its events. */
class FakeXhr {
  static last: FakeXhr;
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  responseText = "";
  responseType = "";
  aborted = false;
  upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  progress(loaded: number, total: number, lengthComputable = true) {
    this.upload.onprogress?.({ loaded, total, lengthComputable } as ProgressEvent);
  }
  respond(status: number, body: unknown) {
    this.status = status;
    this.responseText = typeof body === "string" ? body : JSON.stringify(body);
    this.onload?.();
  }
  refuse(status: number, code: string, message: string, details: object = {}) {
    this.respond(status, { error: { code, message, details } });
  }
}

const file = (name: string, bytes = 3) => new File([new Uint8Array(bytes)], name);

describe("uploadDocument", () => {
  beforeEach(() => vi.stubGlobal("XMLHttpRequest", FakeXhr));
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it("posts the knowledge base and the file as multipart with the bearer token", async () => {
    setToken("t0ken");
    const pending = uploadDocument("kb-1", file("notes.md"));
    const xhr = FakeXhr.last;
    expect(xhr.method).toBe("POST");
    expect(new URL(xhr.url).pathname).toBe("/api/v1/documents/upload");
    expect(xhr.headers.Authorization).toBe("Bearer t0ken");
    const form = xhr.body as FormData;
    expect(form.get("knowledge_base_id")).toBe("kb-1");
    expect((form.get("file") as File).name).toBe("notes.md");
    xhr.respond(202, { id: "doc-1", status: "queued" });
    await expect(pending).resolves.toMatchObject({ id: "doc-1", status: "queued" });
  });

  it("sends no Authorization header when logged out", () => {
    void uploadDocument("kb-1", file("notes.md")).catch(() => undefined);
    expect(FakeXhr.last.headers.Authorization).toBeUndefined();
  });

  it("reports the bytes sent as they go", async () => {
    const seen: UploadProgress[] = [];
    const pending = uploadDocument("kb-1", file("big.pdf", 1000), {
      onProgress: (p) => seen.push(p),
    });
    const xhr = FakeXhr.last;
    xhr.progress(0, 1200);
    xhr.progress(504, 1200);
    xhr.progress(1200, 1200);
    xhr.progress(10, 0, false);
    xhr.respond(202, { id: "doc-2", status: "queued" });
    await pending;
    expect(seen).toEqual([
      { loaded: 0, total: 1200 },
      { loaded: 504, total: 1200 },
      { loaded: 1200, total: 1200 },
      { loaded: 10, total: null },
    ]);
    expect(seen.map(uploadPercentage)).toEqual([0, 42, 100, null]);
    expect(uploadPercentage(undefined)).toBeNull();
  });

  it("says a file is too large, with the limit", async () => {
    const pending = uploadDocument("kb-1", file("big.pdf", 2048));
    FakeXhr.last.refuse(413, "payload_too_large", "Files are limited to 52428800 bytes", {
      limit_bytes: 52428800,
    });
    await expect(pending).rejects.toMatchObject({
      status: 413,
      message: "“big.pdf” is too large (2.0 KB): files are limited to 50 MB.",
    });
  });

  it("says a file's type is not supported, with the API's reason", async () => {
    const pending = uploadDocument("kb-1", file("tool.pdf"));
    FakeXhr.last.refuse(
      415,
      "unsupported_media_type",
      "'tool.pdf' is named '.pdf', which promises a PDF, but holds a Windows executable; rename it or upload the right file",
    );
    await expect(pending).rejects.toMatchObject({
      status: 415,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- Vitest types asymmetric matchers as `any`
      message: expect.stringMatching(/^Unsupported file type: 'tool.pdf' is named '.pdf'.*right file\.$/),
    });
  });

  it("says a file is empty", async () => {
    const pending = uploadDocument("kb-1", file("empty.txt", 0));
    FakeXhr.last.refuse(422, "empty_file", "'empty.txt' is empty");
    await expect(pending).rejects.toMatchObject({
      status: 422,
      message: "“empty.txt” is empty: there is nothing to ingest.",
    });
  });

  it("names the file for other refusals, and for a body that is not JSON", async () => {
    const pending = uploadDocument("kb-1", file("a.txt"));
    FakeXhr.last.respond(502, "<html>Bad gateway</html>");
    await expect(pending).rejects.toMatchObject({
      status: 502,
      message: "“a.txt” could not be uploaded: The server answered 502",
    });
  });

  it("logs out on 401", async () => {
    setToken("expired");
    const loggedOut = vi.fn();
    window.addEventListener("genai-stack:logged-out", loggedOut);
    const pending = uploadDocument("kb-1", file("a.txt"));
    FakeXhr.last.refuse(401, "unauthorized", "Not authenticated");
    await expect(pending).rejects.toMatchObject({
      status: 401,
      message: "Your session has expired: log in again.",
    });
    expect(loggedOut).toHaveBeenCalledOnce();
    expect(localStorage.getItem("genai-stack.token")).toBeNull();
    window.removeEventListener("genai-stack:logged-out", loggedOut);
  });

  it("explains a connection closed mid-upload", async () => {
    const pending = uploadDocument("kb-1", file("x.pdf"));
    FakeXhr.last.progress(100, 5000);
    FakeXhr.last.onerror?.();
    await expect(pending).rejects.toMatchObject({
      status: 0,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- Vitest types asymmetric matchers as `any`
      message: expect.stringContaining("“x.pdf” could not be uploaded"),
    });
  });

  it("stops when its signal aborts", async () => {
    const controller = new AbortController();
    const pending = uploadDocument("kb-1", file("x.pdf"), { signal: controller.signal });
    controller.abort();
    expect(FakeXhr.last.aborted).toBe(true);
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";

import { setToken } from "../api/client";
import { uploadDocument } from "./upload";

function refuse(status: number, code: string, message: string, details: object = {}) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () =>
      new Response(JSON.stringify({ error: { code, message, details } }), {
        status,
        headers: { "content-type": "application/json" },
      }),
    ),
  );
}

const file = (name: string, bytes = 3) => new File([new Uint8Array(bytes)], name);

describe("uploadDocument", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it("posts the knowledge base and the file as multipart with the bearer token", async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) =>
      new Response(JSON.stringify({ id: "doc-1", status: "queued" }), { status: 202 }),
    );
    vi.stubGlobal("fetch", fetch);
    setToken("t0ken");
    const document = await uploadDocument("kb-1", file("notes.md"));
    expect(document).toMatchObject({ id: "doc-1", status: "queued" });
    const [url, init] = fetch.mock.calls[0];
    expect(new URL(url).pathname).toBe("/api/v1/documents/upload");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer t0ken");
    const form = init.body as FormData;
    expect(form.get("knowledge_base_id")).toBe("kb-1");
    expect((form.get("file") as File).name).toBe("notes.md");
  });

  it("says a file is too large, with the limit", async () => {
    refuse(413, "payload_too_large", "Files are limited to 52428800 bytes", { limit_bytes: 52428800 });
    await expect(uploadDocument("kb-1", file("big.pdf", 2048))).rejects.toMatchObject({
      status: 413,
      message: "“big.pdf” is too large (2.0 KB): files are limited to 50 MB.",
    });
  });

  it("says a file's type is not supported, with the API's reason", async () => {
    refuse(
      415,
      "unsupported_media_type",
      "'tool.pdf' is named '.pdf', which promises a PDF, but holds a Windows executable; rename it or upload the right file",
    );
    await expect(uploadDocument("kb-1", file("tool.pdf"))).rejects.toMatchObject({
      status: 415,
      message: expect.stringMatching(/^Unsupported file type: 'tool.pdf' is named '.pdf'.*right file\.$/),
    });
  });

  it("says a file is empty", async () => {
    refuse(422, "empty_file", "'empty.txt' is empty");
    await expect(uploadDocument("kb-1", file("empty.txt", 0))).rejects.toMatchObject({
      status: 422,
      message: "“empty.txt” is empty: there is nothing to ingest.",
    });
  });

  it("explains a connection closed mid-upload", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(uploadDocument("kb-1", file("x.pdf"))).rejects.toMatchObject({
      status: 0,
      message: expect.stringContaining("“x.pdf” could not be uploaded"),
    });
  });
});

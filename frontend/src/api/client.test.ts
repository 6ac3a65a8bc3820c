import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError, api, setToken, toApiError, unwrap } from "./client";

describe("toApiError", () => {
  it("reads the API's error format", () => {
    const err = toApiError(422, {
      error: { code: "graph_invalid", message: "The workflow has 1 problem(s)", details: { problems: [] } },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe("graph_invalid");
    expect(err.message).toBe("The workflow has 1 problem(s)");
    expect(err.details).toEqual({ problems: [] });
  });

  it("falls back to a readable message for other bodies", () => {
    expect(toApiError(502, "Bad Gateway").message).toBe("The server answered 502");
  });
});

describe("the client", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken(null);
  });

  it("sends the bearer token and turns API errors into ApiError", async () => {
    const seen: Request[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((request: Request) => {
        seen.push(request);
        return Promise.resolve(
          new Response(
            JSON.stringify({ error: { code: "not_found", message: "workflow 'x' was not found" } }),
            { status: 404, headers: { "content-type": "application/json" } },
          ),
        );
      }),
    );
    setToken("t0ken");
    const pending = unwrap(
      api.GET("/api/v1/workflows/{workflow_id}", { params: { path: { workflow_id: "x" } } }),
    );
    await expect(pending).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect(seen[0].headers.get("Authorization")).toBe("Bearer t0ken");
    expect(new URL(seen[0].url).pathname).toBe("/api/v1/workflows/x");
  });
});

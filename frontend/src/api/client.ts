/**
 * The typed API client: paths and bodies come from `schema.d.ts`, generated from the
 * API's own OpenAPI schema (`frontend/openapi.json`, kept current by a Python test).
 * Every error the API returns has one shape, `{error: {code, message, details}}`;
 * `unwrap` turns it into an `ApiError` whose message is meant for people.
 */
import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

const TOKEN_KEY = "genai-stack.token";

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The error body's message, or a readable fallback for a body of another shape. */
export function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: string; message?: string; details?: object } })
    ?.error;
  if (error && typeof error.message === "string") {
    return new ApiError(
      status,
      error.code ?? "error",
      error.message,
      (error.details ?? {}) as Record<string, unknown>,
    );
  }
  return new ApiError(status, "http_error", `The server answered ${status}`);
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  fetch: (request) => globalThis.fetch(request), // looked up per call (tests stub it)
});
api.use(auth);

/** The data of an openapi-fetch result, or throws its error as an ApiError. */
export async function unwrap<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result;
  try {
    result = await pending;
  } catch (err) {
    throw new ApiError(0, "network", `The API cannot be reached: ${String(err)}`);
  }
  if (result.error !== undefined || !result.response.ok) {
    if (result.response.status === 401 && getToken()) {
      setToken(null);
      window.dispatchEvent(new Event("genai-stack:logged-out"));
    }
    throw toApiError(result.response.status, result.error);
  }
  return result.data as T;
}

/** A message for any thrown value (ApiError or other). */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

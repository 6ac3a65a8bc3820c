import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { renderRoutes, stubApi } from "../workspaces/testing";
import { ApiKeysPage } from "./ApiKeysPage";

const SECRET = "gsk_live_5Qm2a9ZtY1vNw8Xc3Lk7Pd0Rf4Hs6Jb";

function apiKey(id: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name,
    prefix: `gsk_${id}`,
    scope: "run",
    created_at: "2025-01-01T00:00:00Z",
    expires_at: "2099-04-01T00:00:00Z",
    last_used_at: null,
    last_used_address: null,
    use_count: 0,
    revoked_at: null,
    ...extra,
  };
}

function render() {
  return renderRoutes([{ path: "/api-keys", element: <ApiKeysPage /> }], "/api-keys");
}

const choose = (label: string, option: RegExp) => {
  fireEvent.mouseDown(screen.getByRole("combobox", { name: label }));
  fireEvent.click(within(screen.getByRole("listbox")).getByRole("option", { name: option }));
};

describe("ApiKeysPage", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("lists keys with their prefix, scope, expiry, last use, uses and revocation", async () => {
    stubApi((route) => {
      if (route === "GET /api/v1/api-keys") {
        return {
          out: [
            apiKey("k1", "nightly report", {
              scope: "read",
              last_used_at: "2025-03-01T10:00:00Z",
              last_used_address: "10.1.2.3",
              use_count: 42,
            }),
            apiKey("k2", "old job", { revoked_at: "2025-02-01T00:00:00Z", expires_at: null }),
          ],
        };
      }
    });
    render();
    const nightly = await screen.findByTestId("api-key-nightly report");
    expect(nightly).toHaveTextContent("gsk_k1…");
    expect(nightly).toHaveTextContent("Read");
    expect(nightly).toHaveTextContent("from 10.1.2.3");
    expect(nightly).toHaveTextContent("42");
    expect(nightly).toHaveTextContent("active");
    const old = screen.getByTestId("api-key-old job");
    expect(old).toHaveTextContent("never"); // expires never, never used
    expect(old).toHaveTextContent("revoked");
    expect(within(old).queryByRole("button", { name: /Revoke/ })).toBeNull();
  });

  it("creates a key and shows its secret once; after closing it is gone", async () => {
    let keys: ReturnType<typeof apiKey>[] = [];
    const seen = stubApi((route, _query, body) => {
      if (route === "GET /api/v1/api-keys") return { out: keys };
      if (route === "POST /api/v1/api-keys") {
        const { name, scope } = body as { name: string; scope: string };
        const created = apiKey("k9", name, { scope });
        keys = [created];
        return { status: 201, out: { ...created, key: SECRET } };
      }
    });
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    render();
    await screen.findByText("No API keys yet.");

    fireEvent.click(screen.getByRole("button", { name: "Create key" }));
    const form = await screen.findByRole("dialog", { name: "Create an API key" });
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "ci deploy" } });
    expect(within(form).getByText(/Reads, and runs workflows/)).toBeInTheDocument(); // the default scope, explained
    choose("Scope", /^Full/);
    expect(within(form).getByText(/Everything your roles allow/)).toBeInTheDocument();
    choose("Expires after", /^Never$/);
    fireEvent.click(within(form).getByRole("button", { name: "Create" }));

    const shown = await screen.findByRole("dialog", { name: "Your new API key" });
    expect(shown).toHaveTextContent("it will not be shown again");
    expect(within(shown).getByDisplayValue(SECRET)).toBeInTheDocument();
    expect(seen.find((s) => s.method === "POST")?.body).toEqual({ name: "ci deploy", scope: "full", expires_in_days: null });
    fireEvent.click(within(shown).getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(await within(shown).findByText("Copied to the clipboard.")).toBeInTheDocument();

    fireEvent.click(within(shown).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    const row = await screen.findByTestId("api-key-ci deploy");
    expect(row).toHaveTextContent("gsk_k9…");
    expect(document.body).not.toHaveTextContent(SECRET);
    expect(screen.queryByDisplayValue(SECRET)).toBeNull();
  });

  it("revokes a key after a confirmation", async () => {
    let keys = [apiKey("k1", "nightly report")];
    const seen = stubApi((route) => {
      if (route === "GET /api/v1/api-keys") return { out: keys };
      if (route === "DELETE /api/v1/api-keys/k1") {
        keys = [apiKey("k1", "nightly report", { revoked_at: "2025-03-02T00:00:00Z" })];
        return { out: keys[0] };
      }
    });
    render();
    const row = await screen.findByTestId("api-key-nightly report");
    fireEvent.click(within(row).getByRole("button", { name: "Revoke nightly report" }));
    const dialog = await screen.findByRole("dialog", { name: "Revoke key “nightly report”?" });
    expect(seen.some((s) => s.method === "DELETE")).toBe(false);
    fireEvent.click(within(dialog).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(screen.getByTestId("api-key-nightly report")).toHaveTextContent("revoked"));
    expect(seen.filter((s) => s.method === "DELETE").map((s) => s.path)).toEqual(["/api/v1/api-keys/k1"]);
    expect(within(screen.getByTestId("api-key-nightly report")).queryByRole("button", { name: /Revoke/ })).toBeNull();
  });
});

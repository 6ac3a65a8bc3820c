import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";

import { AuthContext, type AuthState } from "../auth/useAuth";
import { ConnectionDialog } from "./ConnectionDialog";
import { ConnectionsPage } from "./ConnectionsPage";
import type { Connection } from "./useConnections";

type Seen = { method: string; path: string; body: unknown };

/** Answers every request with `answer(method path)`; records what was sent. */
function stubFetch(answer: (route: string) => { status: number; out?: unknown }) {
  const seen: Seen[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const text = await request.text();
      const path = new URL(request.url).pathname;
      seen.push({ method: request.method, path, body: text ? JSON.parse(text) : undefined });
      const { status, out } = answer(`${request.method} ${path}`);
      return new Response(status === 204 ? null : JSON.stringify(out ?? {}), {
        status,
        headers: { "content-type": "application/json" },
      });
    }),
  );
  return seen;
}

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(<QueryClientProvider client={client}>{children}</QueryClientProvider>);
}

const LOCAL: Connection = {
  name: "local-llm",
  provider: "openai-compatible",
  source: "administrator",
  base_url: "http://127.0.0.1:11434/v1",
  has_key: true,
  models: ["llama3.1"],
  allow_private_network: true,
  description: "Ollama",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

const ENV: Connection = {
  name: "openai",
  provider: "openai",
  source: "environment",
  base_url: "https://api.openai.com/v1",
  has_key: true,
  models: [],
  allow_private_network: true,
  description: "Defined by the server's environment.",
};

const change = (label: string | RegExp, value: string) =>
  fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe("ConnectionDialog", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("adds a connection: posts the typed fields, the key and the models as chips", async () => {
    const seen = stubFetch(() => ({ status: 201, out: LOCAL }));
    const onSaved = vi.fn();
    wrap(<ConnectionDialog onClose={() => {}} onSaved={onSaved} />);
    const key = screen.getByLabelText("API key");
    expect(key).toHaveAttribute("type", "password");
    expect(key).toHaveValue("");

    change("Name", "local-llm");
    fireEvent.mouseDown(screen.getByRole("combobox", { name: "Provider" }));
    fireEvent.click(within(screen.getByRole("listbox")).getByRole("option", { name: "openai-compatible" }));
    change("Base URL", " http://127.0.0.1:11434/v1 ");
    change("API key", "sk-local");
    // A comma turns what was typed into a chip; what is still typed counts on save.
    change("Allowed models", "llama3.1, qwen2.5,");
    expect(screen.getByRole("button", { name: "llama3.1" })).toBeInTheDocument();
    change("Allowed models", "mistral");
    fireEvent.click(screen.getByRole("switch", { name: "Allow private network (local Ollama/vLLM)" }));
    change("Description", "Ollama on this machine");
    fireEvent.click(screen.getByRole("button", { name: "Add" }));

    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(LOCAL));
    expect(seen).toEqual([
      {
        method: "POST",
        path: "/api/v1/connections",
        body: {
          name: "local-llm",
          provider: "openai-compatible",
          base_url: "http://127.0.0.1:11434/v1",
          api_key: "sk-local",
          models: ["llama3.1", "qwen2.5", "mistral"],
          allow_private_network: true,
          description: "Ollama on this machine",
        },
      },
    ]);
  });

  it("shows the server's refusal of the URL in the form", async () => {
    const message = "base_url is refused: 169.254.169.254 is a link-local address";
    stubFetch(() => ({ status: 422, out: { error: { code: "url_not_allowed", message, details: { field: "base_url" } } } }));
    const onSaved = vi.fn();
    wrap(<ConnectionDialog onClose={() => {}} onSaved={onSaved} />);
    change("Name", "metadata");
    change("Base URL", "http://169.254.169.254/v1");
    fireEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(`Could not save: ${message}`);
    // ...and under the field it names.
    expect(screen.getByLabelText("Base URL")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getAllByText(message)).toHaveLength(2);
    expect(onSaved).not.toHaveBeenCalled();
  });

  it("shows a taken name (409) on the name field", async () => {
    const message = "'openai' is the name of a connection the environment defines";
    stubFetch(() => ({ status: 409, out: { error: { code: "conflict", message } } }));
    wrap(<ConnectionDialog onClose={() => {}} onSaved={() => {}} />);
    change("Name", "openai");
    fireEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(message);
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
  });

  it("checks the name and an openai-compatible URL before sending", () => {
    const seen = stubFetch(() => ({ status: 201, out: LOCAL }));
    wrap(<ConnectionDialog onClose={() => {}} onSaved={() => {}} />);
    change("Name", "Local LLM");
    fireEvent.mouseDown(screen.getByRole("combobox", { name: "Provider" }));
    fireEvent.click(within(screen.getByRole("listbox")).getByRole("option", { name: "openai-compatible" }));
    fireEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(screen.getByText(/Lower-case letters, digits and dashes, starting/)).toBeInTheDocument();
    expect(screen.getByText("Required for an OpenAI-compatible server")).toBeInTheDocument();
    expect(seen).toEqual([]);
  });

  it("never pre-fills the key when editing: it says a key is stored, and sends one only to replace or remove it", async () => {
    const seen = stubFetch(() => ({ status: 200, out: LOCAL }));
    const onSaved = vi.fn();
    wrap(<ConnectionDialog connection={LOCAL} onClose={() => {}} onSaved={onSaved} />);
    expect(screen.getByLabelText("Name")).toBeDisabled();
    expect(screen.getByLabelText("Base URL")).toHaveValue("http://127.0.0.1:11434/v1");
    expect(screen.getByTestId("key-state")).toHaveTextContent("Key stored");
    expect(document.querySelectorAll('input[type="password"]')).toHaveLength(0);

    // Saving without touching the key leaves it as it is (no api_key in the body).
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(seen[0]).toEqual({
      method: "PATCH",
      path: "/api/v1/connections/local-llm",
      body: {
        base_url: "http://127.0.0.1:11434/v1",
        models: ["llama3.1"],
        allow_private_network: true,
        description: "Ollama",
      },
    });

    fireEvent.click(screen.getByRole("button", { name: "Replace" }));
    const key = screen.getByLabelText("New API key");
    expect(key).toHaveAttribute("type", "password");
    expect(key).toHaveValue("");
    change("New API key", "sk-new");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(2));
    expect(seen[1].body).toMatchObject({ api_key: "sk-new" });

    fireEvent.click(screen.getByRole("button", { name: "Keep the stored key" }));
    fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    expect(screen.getByText("The key will be removed when you save.")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(3));
    expect(seen[2].body).toMatchObject({ api_key: null });
  });
});

function withUser(isAdmin: boolean, children: ReactNode) {
  const auth: AuthState = {
    user: { id: "u1", email: "a@example.com", is_admin: isAdmin },
    loading: false,
    login: async () => {},
    logout: () => {},
  };
  return (
    <AuthContext.Provider value={auth}>
      <MemoryRouter>{children}</MemoryRouter>
    </AuthContext.Provider>
  );
}

describe("ConnectionsPage", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("tells other users that only administrators manage connections", () => {
    const seen = stubFetch(() => ({ status: 403, out: {} }));
    wrap(withUser(false, <ConnectionsPage />));
    expect(screen.getByText(/Only administrators manage provider connections/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add connection" })).toBeNull();
    expect(seen).toEqual([]);
  });

  it("lists connections, the environment's read-only, and deletes after confirmation", async () => {
    let deleted = false;
    const seen = stubFetch((route) => {
      if (route === "DELETE /api/v1/connections/local-llm") {
        deleted = true;
        return { status: 204 };
      }
      return { status: 200, out: deleted ? [ENV] : [ENV, LOCAL] };
    });
    wrap(withUser(true, <ConnectionsPage />));
    const local = await screen.findByTestId("connection-local-llm");
    const env = screen.getByTestId("connection-openai");
    expect(env).toHaveTextContent("environment · read-only");
    expect(within(env).queryByRole("button", { name: /Edit|Delete/ })).toBeNull();
    expect(local).toHaveTextContent("key stored");
    expect(local).toHaveTextContent("llama3.1");
    expect(local).not.toHaveTextContent("sk-");

    fireEvent.click(within(local).getByRole("button", { name: "Delete local-llm" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete connection local-llm?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByTestId("connection-local-llm")).toBeNull());
    expect(seen.filter((s) => s.method === "DELETE").map((s) => s.path)).toEqual(["/api/v1/connections/local-llm"]);
  });
});

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ChatPanel } from "./ChatPanel";

type Handler = (request: Request, body: unknown) => { status?: number; json: unknown };

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function stubApi(routes: Record<string, Handler>) {
  const seen: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const text = request.method === "GET" ? "" : await request.text();
      const body: unknown = text ? JSON.parse(text) : undefined;
      seen.push({ method: request.method, path: url.pathname + url.search, body });
      const handler = routes[`${request.method} ${url.pathname}`];
      if (!handler) return json(404, { error: { code: "not_found", message: `no route ${url.pathname}` } });
      const { status = 200, json: out } = handler(request, body);
      return json(status, out);
    }),
  );
  return seen;
}

function renderPanel(version?: number | "draft") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <ChatPanel workflowId="wf1" version={version} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const reply = (content: string) => ({
  response: content,
  model: "gpt-4o-mini",
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  context_used: true,
  citations: [{ document: "policy.pdf", page: 4, chunk_id: "c1", score: 0.9 }],
  web_sources: [],
  run_id: "run-1",
  version: null,
  session_id: "s1",
  message: {
    id: "m2",
    role: "assistant",
    content,
    metadata: { model: "gpt-4o-mini", citations: [{ document: "policy.pdf", page: 4, chunk_id: "c1", score: 0.9 }] },
    run_id: "run-1",
    created_at: "2025-01-01T10:00:01Z",
  },
});

beforeEach(() => localStorage.clear());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("ChatPanel", () => {
  it("starts a session on the first message and shows the answer", async () => {
    let history: unknown[] = [];
    const sessions: unknown[] = [];
    const seen = stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({ json: [] }),
      "GET /api/v1/chat/sessions": () => ({ json: sessions }),
      "POST /api/v1/chat/sessions": (_r, body) => {
        const created = { id: "s1", workflow_id: "wf1", title: (body as { title: string }).title, created_at: "2025-01-01T10:00:00Z", updated_at: "2025-01-01T10:00:00Z" };
        sessions.push(created);
        return { status: 201, json: created };
      },
      "POST /api/v1/chat/sessions/s1/messages": () => {
        const r = reply("Refunds take **30 days**.");
        history = [
          { id: "m1", role: "user", content: "How long?", metadata: {}, run_id: null, created_at: "2025-01-01T10:00:00Z" },
          r.message,
        ];
        return { json: r };
      },
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: history }),
    });
    renderPanel("draft");
    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "How long?" } });
    await waitFor(() => expect(screen.getByRole("button", { name: "Send" })).toBeEnabled());
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("30 days")).toBeInTheDocument();
    expect(screen.getByTestId("citation")).toHaveTextContent("policy.pdf, p. 4");
    expect(screen.getByRole("link", { name: "View run" })).toHaveAttribute("href", "/runs/run-1");
    const sent = seen.find((s) => s.method === "POST" && s.path.endsWith("/messages"));
    expect(sent?.body).toEqual({ content: "How long?", version: "draft" });
    expect(seen.find((s) => s.path === "/api/v1/chat/sessions" && s.method === "POST")?.body).toEqual({
      workflow_id: "wf1",
      title: "How long?",
    });
    await waitFor(() => expect(localStorage.getItem("genai-stack.chat-session.wf1")).toBe("s1"));
  });

  it("shows the stored history of the latest session", async () => {
    stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({ json: [] }),
      "GET /api/v1/chat/sessions": () => ({
        json: [{ id: "s1", workflow_id: "wf1", title: "Old", created_at: "2025-01-01T10:00:00Z", updated_at: "2025-01-01T10:00:00Z" }],
      }),
      "GET /api/v1/chat/sessions/s1/messages": () => ({
        json: [
          { id: "m1", role: "user", content: "Earlier question", metadata: {}, run_id: null, created_at: "2025-01-01T10:00:00Z" },
          reply("Earlier answer").message,
        ],
      }),
    });
    renderPanel();
    expect(await screen.findByText("Earlier question")).toBeInTheDocument();
    expect(screen.getByText("Earlier answer")).toBeInTheDocument();
  });

  it("shows an API error as a readable message in the conversation", async () => {
    const seen = stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({
        json: [{ workflow_id: "wf1", number: 2, content_hash: "x", note: "", author_id: null, author_email: null, created_at: "2025-01-01T10:00:00Z" }],
      }),
      "GET /api/v1/chat/sessions": () => ({
        json: [{ id: "s1", workflow_id: "wf1", title: "Old", created_at: "2025-01-01T10:00:00Z", updated_at: "2025-01-01T10:00:00Z" }],
      }),
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: [] }),
      "POST /api/v1/chat/sessions/s1/messages": () => ({
        status: 502,
        json: { error: { code: "run_failed", message: "Step llm failed: invalid API key", details: { run_id: "r9", node_id: "llm" } } },
      }),
    });
    renderPanel(2);
    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "Hello" } });
    await waitFor(() => expect(screen.getByRole("button", { name: "Send" })).toBeEnabled());
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    const error = await screen.findByTestId("chat-error");
    expect(error).toHaveTextContent("The run failed at step “llm”");
    expect(error).toHaveTextContent("invalid API key");
    expect(screen.getByRole("link", { name: "View the failed run" })).toHaveAttribute("href", "/runs/r9");
    expect(seen.find((s) => s.method === "POST")?.body).toEqual({ content: "Hello", version: 2 });
  });
});

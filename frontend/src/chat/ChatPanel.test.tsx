import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../api/client";
import { liveRunEvents } from "../test/liveRunEvents";
import { ChatPanel, type ChatPanelProps } from "./ChatPanel";

type Handler = (request: Request, body: unknown) => { status?: number; json: unknown } | Response;

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
    vi.fn(async (input: Request | string, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const url = new URL(request.url);
      const text = request.method === "GET" ? "" : await request.text();
      const body: unknown = text ? JSON.parse(text) : undefined;
      seen.push({ method: request.method, path: url.pathname + url.search, body });
      const handler = routes[`${request.method} ${url.pathname}`];
      if (!handler) return json(404, { error: { code: "not_found", message: `no route ${url.pathname}` } });
      const out = handler(request, body);
      if (out instanceof Response) return out;
      return json(out.status ?? 200, out.json);
    }),
  );
  return seen;
}

function renderPanel(version?: number | "draft", props: Partial<ChatPanelProps> = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <ChatPanel workflowId="wf1" version={version} {...props} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const SESSION = { id: "s1", workflow_id: "wf1", title: "Old", created_at: "2025-01-01T10:00:00Z", updated_at: "2025-01-01T10:00:00Z" };
const QUESTION = { id: "m1", role: "user", content: "How long?", metadata: {}, run_id: null, created_at: "2025-01-01T10:00:00Z" };
const ACCEPTED = { run_id: "run-1", events_url: "/api/v1/runs/run-1/events", session_id: "s1", message: QUESTION };
const ANSWER = {
  success: true,
  response: "Refunds take **30 days**.",
  model: "gpt-4o",
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  context_used: true,
  run_id: "run-1",
  version: null,
  citations: [{ document: "policy.pdf", page: 4, chunk_id: "c1", score: 0.9 }],
  web_sources: [],
};

async function ask(text: string) {
  fireEvent.change(screen.getByLabelText("Message"), { target: { value: text } });
  await waitFor(() => expect(screen.getByRole("button", { name: "Send" })).toBeEnabled());
  fireEvent.click(screen.getByRole("button", { name: "Send" }));
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
      "POST /api/v1/chat/messages": () => {
        history = [QUESTION, reply("Refunds take **30 days**.").message];
        return { status: 202, json: ACCEPTED };
      },
      "GET /api/v1/runs/run-1/events": () =>
        new Response(
          [
            `id: 100\nevent: run_started\ndata: {"run_id":"run-1","started_at":"2025-01-01T10:00:00Z","nodes":[]}\n\n`,
            `id: 900\nevent: run_completed\ndata: ${JSON.stringify(ANSWER)}\n\n`,
          ].join(""),
          { headers: { "content-type": "text/event-stream" } },
        ),
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: history }),
    });
    renderPanel("draft");
    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "How long?" } });
    await waitFor(() => expect(screen.getByRole("button", { name: "Send" })).toBeEnabled());
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("30 days")).toBeInTheDocument();
    expect(screen.getByTestId("citation")).toHaveTextContent("policy.pdf, p. 4");
    expect(screen.getByRole("link", { name: "View run" })).toHaveAttribute("href", "/runs/run-1");
    const sent = seen.find((s) => s.method === "POST" && s.path === "/api/v1/chat/messages");
    expect(sent?.body).toEqual({ session_id: "s1", message: "How long?", version: "draft" });
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
      "POST /api/v1/chat/messages": () => ({
        status: 422,
        json: { error: { code: "graph_invalid", message: "The graph is not valid", details: { problems: [{ node_id: "llm", message: "no model" }] } } },
      }),
    });
    renderPanel(2);
    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "Hello" } });
    await waitFor(() => expect(screen.getByRole("button", { name: "Send" })).toBeEnabled());
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    const error = await screen.findByTestId("chat-error");
    expect(error).toHaveTextContent("The workflow cannot run");
    expect(error).toHaveTextContent("llm: no model");
    expect(seen.find((s) => s.method === "POST")?.body).toEqual({ session_id: "s1", message: "Hello", version: 2 });
    // Not sent: the text is back in the input.
    expect(screen.getByLabelText("Message")).toHaveValue("Hello");
  });

  it("shows the current step from the run's events, then the answer in its place", async () => {
    const stream = liveRunEvents();
    let history: unknown[] = [];
    stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({ json: [] }),
      "GET /api/v1/chat/sessions": () => ({ json: [SESSION] }),
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: history }),
      "POST /api/v1/chat/messages": () => {
        history = [QUESTION]; // the answer is stored later
        return { status: 202, json: ACCEPTED };
      },
      "GET /api/v1/runs/run-1/events": () => stream.response(),
    });
    const nodes = new Map([
      ["kb", { type: "knowledge_base", config: {} }],
      ["search", { type: "web_search", config: {} }],
      ["llm", { type: "llm_engine", config: { model: "gpt-4o" } }],
    ]);
    renderPanel("draft", { nodes });
    await screen.findByText("Ask a question to run the workflow.");
    await ask("How long?");
    const running = await screen.findByTestId("chat-running");
    expect(await screen.findByText("How long?")).toBeInTheDocument();

    stream.send("run_started", { run_id: "run-1", started_at: "2025-01-01T10:00:00Z", nodes: [{ node_id: "q", component: "user_query" }] });
    stream.send("step_started", { node_id: "kb", attempt: 1 });
    await waitFor(() => expect(running).toHaveTextContent("Searching the knowledge base…"));
    stream.send("step_completed", { node_id: "kb", attempt: 1, duration_ms: 12 });
    stream.send("step_started", { node_id: "search", attempt: 1 });
    await waitFor(() => expect(running).toHaveTextContent("Searching the web…"));
    stream.send("step_started", { node_id: "llm", attempt: 1 });
    await waitFor(() => expect(running).toHaveTextContent("Asking gpt-4o…"));
    stream.send("attempt_failed", { node_id: "llm", attempt: 1, status: "failed", error: "429 rate limited", error_type: "RateLimitError" });
    await waitFor(() => expect(running).toHaveTextContent("Retrying after an error: 429 rate limited"));
    stream.send("retrying", { node_id: "llm", attempt: 2, delay_ms: 1000 });
    await waitFor(() => expect(running).toHaveTextContent("Retrying after an error: 429 rate limited"));
    stream.send("step_started", { node_id: "llm", attempt: 2 });
    await waitFor(() => expect(running).toHaveTextContent("Asking gpt-4o… (attempt 2)"));
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();

    stream.send("run_completed", ANSWER);
    expect(await screen.findByText("30 days")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId("chat-running")).toBeNull());
    expect(screen.getByTestId("citation")).toHaveTextContent("policy.pdf, p. 4");
    expect(screen.getByRole("link", { name: "View run" })).toHaveAttribute("href", "/runs/run-1");
    // The question shows once.
    expect(screen.getAllByText("How long?")).toHaveLength(1);
  });

  it("shows the answer as its tokens arrive, drops a retried attempt's text, then shows the reply", async () => {
    const stream = liveRunEvents();
    let history: unknown[] = [];
    stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({ json: [] }),
      "GET /api/v1/chat/sessions": () => ({ json: [SESSION] }),
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: history }),
      "POST /api/v1/chat/messages": () => {
        history = [QUESTION];
        return { status: 202, json: ACCEPTED };
      },
      "GET /api/v1/runs/run-1/events": () => stream.response(),
    });
    renderPanel("draft", { nodes: new Map([["llm", { type: "llm_engine", config: { model: "gpt-4o" } }]]) });
    await screen.findByText("Ask a question to run the workflow.");
    await ask("How long?");
    const running = await screen.findByTestId("chat-running");

    // Tokens before the step's step_started: the line names the step all the same.
    stream.token({ node_id: "llm", attempt: 1, seq: 1, text: "Refunds" });
    stream.token({ node_id: "llm", attempt: 1, seq: 2, text: " take" });
    await waitFor(() => expect(screen.getByTestId("streaming-answer")).toHaveTextContent("Refunds take"));
    expect(running).toHaveTextContent("Asking gpt-4o…");
    expect(screen.queryByTestId("chat-message-assistant")).toBeNull();
    stream.send("step_started", { node_id: "llm", attempt: 1 });
    stream.token({ node_id: "llm", attempt: 1, seq: 2, text: " take" }); // sent again: skipped
    stream.token({ node_id: "llm", attempt: 1, seq: 3, text: " 3" });
    await waitFor(() => expect(screen.getByTestId("streaming-answer")).toHaveTextContent(/^Refunds take 3$/));

    stream.send("attempt_failed", { node_id: "llm", attempt: 1, status: "failed", error: "429 rate limited", error_type: "ProviderRateLimited" });
    await waitFor(() => expect(running).toHaveTextContent("Retrying after a rate limit…"));
    expect(screen.queryByTestId("streaming-answer")).toBeNull();
    stream.send("retrying", { node_id: "llm", attempt: 2, delay_ms: 1000 });
    stream.token({ node_id: "llm", attempt: 2, seq: 4, text: "Refunds take 30" });
    await waitFor(() => expect(screen.getByTestId("streaming-answer")).toHaveTextContent(/^Refunds take 30$/));
    expect(running).toHaveTextContent("Asking gpt-4o… (attempt 2)");

    // A token of a later attempt replaces the text even before the failure is reported.
    stream.token({ node_id: "llm", attempt: 3, seq: 5, text: "Refunds" });
    await waitFor(() => expect(screen.getByTestId("streaming-answer")).toHaveTextContent(/^Refunds$/));

    stream.send("run_completed", ANSWER);
    expect(await screen.findByText("30 days")).toBeInTheDocument();
    expect(screen.queryByTestId("streaming-answer")).toBeNull();
    expect(screen.queryByTestId("chat-running")).toBeNull();
    expect(screen.getByTestId("chat-message-assistant")).toHaveTextContent("Refunds take 30 days.");
    expect(screen.getByTestId("citation")).toHaveTextContent("policy.pdf, p. 4");
  });

  it("shows a run_failed's message, once, under the question", async () => {
    const stream = liveRunEvents();
    let history: unknown[] = [];
    stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({ json: [] }),
      "GET /api/v1/chat/sessions": () => ({ json: [SESSION] }),
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: history }),
      "POST /api/v1/chat/messages": () => {
        history = [QUESTION];
        return { status: 202, json: ACCEPTED };
      },
      "GET /api/v1/runs/run-1/events": () => stream.response(),
    });
    renderPanel("draft");
    await screen.findByText("Ask a question to run the workflow.");
    await ask("How long?");
    await screen.findByTestId("chat-running");
    stream.send("run_failed", { run_id: "run-1", status: "failed", message: "Step llm failed: invalid API key", node_id: "llm" });
    const error = await screen.findByTestId("chat-error");
    expect(error).toHaveTextContent("The run failed at step “llm”");
    expect(error).toHaveTextContent("invalid API key");
    expect(screen.getByRole("link", { name: "View the failed run" })).toHaveAttribute("href", "/runs/run-1");
    expect(screen.queryByTestId("chat-running")).toBeNull();
    expect(screen.getAllByText("How long?")).toHaveLength(1);
  });

  it("prepares the draft (saves the canvas) before sending to it", async () => {
    const order: string[] = [];
    const seen = stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({ json: [] }),
      "GET /api/v1/chat/sessions": () => ({ json: [SESSION] }),
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: [] }),
      "POST /api/v1/chat/messages": () => {
        order.push("send");
        return { status: 202, json: ACCEPTED };
      },
      "GET /api/v1/runs/run-1/events": () =>
        new Response(`id: 900\nevent: run_completed\ndata: ${JSON.stringify(ANSWER)}\n\n`, {
          headers: { "content-type": "text/event-stream" },
        }),
    });
    const prepareDraft = vi.fn(async () => {
      order.push("save");
      await Promise.resolve();
    });
    renderPanel("draft", { prepareDraft });
    await screen.findByText("Ask a question to run the workflow.");
    await ask("How long?");
    expect(await screen.findByText("30 days")).toBeInTheDocument();
    expect(order).toEqual(["save", "send"]);
    expect(seen.find((s) => s.path === "/api/v1/chat/messages")?.body).toEqual({
      session_id: "s1",
      message: "How long?",
      version: "draft",
    });
  });

  it("does not send when saving the canvas fails, and says why", async () => {
    const seen = stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({ json: [] }),
      "GET /api/v1/chat/sessions": () => ({ json: [SESSION] }),
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: [] }),
    });
    const prepareDraft = vi.fn(() => Promise.reject(new ApiError(403, "forbidden", "You may not edit this workflow")));
    renderPanel("draft", { prepareDraft });
    await screen.findByText("Ask a question to run the workflow.");
    await ask("How long?");
    const error = await screen.findByTestId("chat-error");
    expect(error).toHaveTextContent("The canvas could not be saved, so the message was not sent");
    expect(error).toHaveTextContent("You may not edit this workflow");
    expect(seen.some((s) => s.path === "/api/v1/chat/messages")).toBe(false);
    expect(screen.getByLabelText("Message")).toHaveValue("How long?");
  });

  it("does not save the canvas for a published version", async () => {
    stubApi({
      "GET /api/v1/workflows/wf1/versions": () => ({
        json: [{ workflow_id: "wf1", number: 3, content_hash: "x", note: "", author_id: null, author_email: null, created_at: "2025-01-01T10:00:00Z" }],
      }),
      "GET /api/v1/chat/sessions": () => ({ json: [SESSION] }),
      "GET /api/v1/chat/sessions/s1/messages": () => ({ json: [] }),
      "POST /api/v1/chat/messages": () => ({ status: 202, json: ACCEPTED }),
      "GET /api/v1/runs/run-1/events": () =>
        new Response(`id: 900\nevent: run_completed\ndata: ${JSON.stringify(ANSWER)}\n\n`, {
          headers: { "content-type": "text/event-stream" },
        }),
    });
    const prepareDraft = vi.fn(() => Promise.resolve());
    renderPanel(3, { prepareDraft });
    await screen.findByText("Ask a question to run the workflow.");
    await ask("How long?");
    expect(await screen.findByText("30 days")).toBeInTheDocument();
    expect(prepareDraft).not.toHaveBeenCalled();
  });
});

import { cleanup, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";

import { ApiError } from "../api/client";
import { ChatErrorView } from "./ChatError";
import { ChatMessageView, type ChatMessageData } from "./ChatMessage";

afterEach(cleanup);

function renderMessage(message: ChatMessageData) {
  return render(
    <MemoryRouter>
      <ChatMessageView message={message} />
    </MemoryRouter>,
  );
}

const answer: ChatMessageData = {
  role: "assistant",
  content: "Refunds take **30 days**.\n\n- from delivery\n- see [policy](https://example.org/policy)",
  run_id: "run-123",
  metadata: {
    model: "gpt-4o-mini",
    usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    context_used: true,
    citations: [
      { document: "policy.pdf", page: 4, chunk_id: "c1", score: 0.9, snippet: "Refunds take 30 days" },
      { document: "policy.pdf", page: 4, chunk_id: "c2", score: 0.8 },
      { document: "faq.txt", page: null, chunk_id: "c3", score: 0.7 },
    ],
    web_sources: [{ title: "Refund law", link: "https://law.example.org/refunds", snippet: "" }],
  },
};

describe("ChatMessageView", () => {
  it("renders the answer as Markdown", () => {
    renderMessage(answer);
    expect(screen.getByText("30 days").tagName).toBe("STRONG");
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(
      expect.arrayContaining(["from delivery"]),
    );
    const link = screen.getByRole("link", { name: "policy" });
    expect(link).toHaveAttribute("href", "https://example.org/policy");
    expect(link).toHaveAttribute("target", "_blank");
  });

  it("lists each cited document and page once", () => {
    renderMessage(answer);
    const citations = within(screen.getByRole("list", { name: "Citations" }));
    expect(citations.getAllByTestId("citation").map((c) => c.textContent)).toEqual([
      "policy.pdf, p. 4",
      "faq.txt",
    ]);
  });

  it("links web sources, the run, and shows model and tokens", () => {
    renderMessage(answer);
    expect(screen.getByRole("link", { name: "Refund law" })).toHaveAttribute(
      "href",
      "https://law.example.org/refunds",
    );
    expect(screen.getByRole("link", { name: "View run" })).toHaveAttribute("href", "/runs/run-123");
    expect(screen.getByTestId("chat-model")).toHaveTextContent("gpt-4o-mini");
    expect(screen.getByTestId("chat-usage")).toHaveTextContent("150 tokens");
  });

  it("does not render raw HTML or javascript: links", () => {
    renderMessage({
      role: "assistant",
      content: '<img src=x onerror="alert(1)"> [click](javascript:alert(1))',
      run_id: null,
      metadata: { web_sources: [{ title: "bad", link: "javascript:alert(1)" }] },
    });
    expect(document.querySelector("img")).toBeNull();
    for (const a of document.querySelectorAll("a")) {
      expect(a.getAttribute("href") ?? "").not.toMatch(/^javascript:/i);
    }
  });

  it("shows a question as plain text, not Markdown", () => {
    renderMessage({ role: "user", content: "what is **this**?", run_id: null });
    expect(screen.getByTestId("chat-message-user")).toHaveTextContent("what is **this**?");
  });

  it("tolerates an answer without metadata", () => {
    renderMessage({ role: "assistant", content: "plain", run_id: null });
    expect(screen.getByText("plain")).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Citations" })).toBeNull();
    expect(screen.queryByRole("link", { name: "View run" })).toBeNull();
  });
});

describe("ChatErrorView", () => {
  it("lists every problem of an invalid graph", () => {
    render(
      <MemoryRouter>
        <ChatErrorView
          error={
            new ApiError(422, "graph_invalid", "The workflow has 1 problem(s)", {
              problems: [{ code: "missing", node_id: "llm", field: "config.model", message: "a model is required" }],
            })
          }
        />
      </MemoryRouter>,
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("The workflow cannot run");
    expect(alert).toHaveTextContent("llm (config.model): a model is required");
  });

  it("names the failed step and links to the failed run", () => {
    render(
      <MemoryRouter>
        <ChatErrorView
          error={
            new ApiError(502, "run_failed", "Step llm failed: invalid API key", {
              run_id: "r-9",
              node_id: "llm",
            })
          }
        />
      </MemoryRouter>,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("The run failed at step “llm”");
    expect(screen.getByRole("alert")).toHaveTextContent("Step llm failed: invalid API key");
    expect(screen.getByRole("link", { name: "View the failed run" })).toHaveAttribute("href", "/runs/r-9");
  });
});

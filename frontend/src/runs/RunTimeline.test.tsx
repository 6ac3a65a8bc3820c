import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import type { Schemas } from "../api/client";
import { barOf, RunTimeline, runSpan } from "./RunTimeline";

afterEach(cleanup);

type NodeTimeline = Schemas["NodeTimeline"];

const T0 = Date.parse("2025-01-01T10:00:00Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

const nodes: NodeTimeline[] = [
  {
    implicit: false,
    node_id: "query",
    component: "user_query",
    status: "completed",
    started_at: at(0),
    finished_at: at(100),
    duration_ms: 100,
    attempts: [{ attempt: 1, status: "completed" }],
    inputs: {},
    outputs: { query: "refund?" },
    config: {},
  },
  {
    implicit: false,
    node_id: "kb",
    component: "knowledge_base",
    status: "completed",
    started_at: at(100),
    finished_at: at(400),
    duration_ms: 300,
    attempts: [{ attempt: 1, status: "completed" }],
    inputs: { query: "refund?" },
    outputs: { context: "Refunds take 30 days." },
    config: { collection: "kb-1", top_k: 2 },
    passages: [
      { document: "policy.pdf", page: 4, chunk_id: "c1", score: 0.91, text: "Refunds take 30 days." },
    ],
  },
  {
    implicit: false,
    node_id: "llm",
    component: "llm_engine",
    status: "failed",
    started_at: at(400),
    finished_at: at(1000),
    duration_ms: 600,
    error: "ProviderAuthError: invalid API key",
    attempts: [
      { attempt: 1, status: "failed", error: "rate limited", error_type: "ProviderRateLimit" },
      { attempt: 2, status: "failed", error: "invalid API key", error_type: "ProviderAuthError" },
    ],
    inputs: { query: "refund?", context: "Refunds take 30 days." },
    outputs: {},
    config: { model: "gpt-4o-mini", api_key: "***" },
    model: "gpt-4o-mini",
    usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 },
    streams: [
      { attempt: 1, tokens: 4, chars: 21, outcome: "interrupted" },
      { attempt: 2, tokens: 0, chars: 0, outcome: "failed" },
    ],
  },
  { node_id: "out", component: "output", status: "pending", attempts: [], implicit: false },
];

function renderTimeline() {
  return render(<RunTimeline nodes={nodes} startedAt={at(0)} finishedAt={at(1000)} now={T0 + 5000} />);
}

describe("RunTimeline", () => {
  it("shows one row per node, in order, with its status", () => {
    renderTimeline();
    const rows = screen.getAllByTestId("timeline-node");
    expect(rows.map((r) => r.dataset.nodeId)).toEqual(["query", "kb", "llm", "out"]);
    expect(within(rows[1]).getByText("completed")).toBeInTheDocument();
    expect(within(rows[2]).getByText("failed")).toBeInTheDocument();
    expect(within(rows[3]).getByText("pending")).toBeInTheDocument();
    expect(within(rows[1]).getByText("300 ms")).toBeInTheDocument();
  });

  it("sizes and places each bar in proportion to the run", () => {
    renderTimeline();
    const bars = screen.getAllByTestId("duration-bar");
    expect(bars).toHaveLength(3); // the pending step has no bar
    expect(bars[0].style.left).toBe("0%");
    expect(bars[0].style.width).toBe("10%");
    expect(bars[1].style.left).toBe("10%");
    expect(bars[1].style.width).toBe("30%");
    expect(bars[2].style.left).toBe("40%");
    expect(bars[2].style.width).toBe("60%");
  });

  it("summarises attempts, errors, model and tokens on the row", () => {
    renderTimeline();
    const llm = screen.getAllByTestId("timeline-node")[2];
    expect(llm).toHaveTextContent("2 attempts");
    expect(llm).toHaveTextContent("ProviderAuthError: invalid API key");
    expect(within(llm).getByTestId("node-model")).toHaveTextContent("gpt-4o-mini · 60 tokens");
    expect(screen.getAllByTestId("timeline-node")[1]).toHaveTextContent("1 passage");
  });

  it("expands a node to its attempts, inputs and outputs", () => {
    renderTimeline();
    fireEvent.click(screen.getByRole("button", { name: "Show details of llm" }));
    const attempts = screen.getByRole("table", { name: "Attempts of llm" });
    const rows = within(attempts).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("ProviderRateLimit: rate limited");
    expect(rows[2]).toHaveTextContent("ProviderAuthError: invalid API key");
    expect(screen.getByLabelText("Inputs")).toHaveTextContent('"context": "Refunds take 30 days."');
    expect(screen.getByLabelText("Config")).toHaveTextContent('"api_key": "***"');
    expect(screen.getByText("tokens: 50 prompt + 10 completion = 60")).toBeInTheDocument();
  });

  it("lists the answers a step streamed, an interrupted one with the tokens it cost", () => {
    renderTimeline();
    fireEvent.click(screen.getByRole("button", { name: "Show details of llm" }));
    const table = screen.getByRole("table", { name: "Streamed answers of llm" });
    const rows = within(table).getAllByTestId("streamed-answer");
    expect(rows.map((r) => r.dataset.outcome)).toEqual(["interrupted", "failed"]);
    expect(within(rows[0]).getAllByRole("cell").map((c) => c.textContent)).toEqual([
      "1",
      "interrupted: its worker stopped mid-answer, and the step ran again",
      "4",
      "21",
    ]);
  });

  it("shows a knowledge base step's passages with document and page", () => {
    renderTimeline();
    fireEvent.click(screen.getByRole("button", { name: "Show details of kb" }));
    const passage = screen.getByTestId("passage");
    expect(passage).toHaveTextContent("policy.pdf, p. 4");
    expect(passage).toHaveTextContent("Refunds take 30 days.");
    expect(screen.getByLabelText("Outputs")).toHaveTextContent('"context"');
  });

  it("draws a running step up to now", () => {
    const running: NodeTimeline = {
      node_id: "llm",
      component: "llm_engine",
      status: "running",
      started_at: at(500),
      implicit: false,
    };
    const span = runSpan([running], at(0), null, T0 + 1000);
    expect(span).toEqual({ start: T0, end: T0 + 1000 });
    expect(barOf(running, span, T0 + 1000)).toEqual({ left: 50, width: 50 });
  });

  it("says so when nothing ran yet", () => {
    render(<RunTimeline nodes={[]} startedAt={at(0)} />);
    expect(screen.getByText("No steps recorded yet.")).toBeInTheDocument();
  });
});

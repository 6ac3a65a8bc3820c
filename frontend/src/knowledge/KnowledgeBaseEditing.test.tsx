import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { EditKnowledgeBaseDialog } from "./EditKnowledgeBaseDialog";
import { ReindexDialog } from "./ReindexDialog";

function stubFetch(status: number, out: unknown) {
  const seen: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const text = await request.text();
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        body: text ? JSON.parse(text) : undefined,
      });
      return new Response(JSON.stringify(out), {
        status,
        headers: { "content-type": "application/json" },
      });
    }),
  );
  return seen;
}

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  return render(<QueryClientProvider client={client}>{children}</QueryClientProvider>);
}

const kb = { id: "kb-1", name: "Policies", description: "HR" };

describe("EditKnowledgeBaseDialog", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("puts the new name and description", async () => {
    const seen = stubFetch(200, { ...kb, name: "Handbook" });
    const onSaved = vi.fn();
    wrap(<EditKnowledgeBaseDialog knowledgeBase={kb} onClose={() => {}} onSaved={onSaved} />);
    const save = screen.getByRole("button", { name: "Save" });
    expect(save).toBeDisabled();
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "  Handbook " } });
    fireEvent.click(save);
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(seen).toEqual([
      { method: "PUT", path: "/api/v1/knowledge-bases/kb-1", body: { name: "Handbook", description: "HR" } },
    ]);
  });

  it("refuses a blank name and shows the API's refusal readably", async () => {
    stubFetch(422, {
      error: { code: "invalid_request", message: "name: String should have at least 1 character" },
    });
    wrap(<EditKnowledgeBaseDialog knowledgeBase={kb} onClose={() => {}} onSaved={() => {}} />);
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "  " } });
    expect(screen.getByText("A name is required")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
    fireEvent.change(screen.getByLabelText("Description"), { target: { value: "x" } });
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Other" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not save: name: String should have at least 1 character",
    );
  });
});

describe("ReindexDialog", () => {
  afterEach(() => vi.unstubAllGlobals());

  const detail = {
    id: "kb-1",
    name: "Policies",
    embedding_provider: "local" as const,
    embedding_model: "all-MiniLM-L6-v2",
    documents: { total: 3, completed: 3, running: 0, queued: 0, failed: 0, cancelled: 0 },
  };

  it("explains the re-ingestion and posts the chosen model", async () => {
    const seen = stubFetch(202, { ...detail, embedding_model: "custom-model" });
    const onStarted = vi.fn();
    wrap(<ReindexDialog knowledgeBase={detail} onClose={() => {}} onStarted={onStarted} />);
    expect(screen.getByTestId("reindex-warning")).toHaveTextContent(
      /Every document is ingested again \(3 documents\).*new collection/,
    );
    expect(screen.getByLabelText("Embedding model")).toHaveValue("all-MiniLM-L6-v2");
    fireEvent.change(screen.getByLabelText("Embedding model"), { target: { value: "custom-model" } });
    fireEvent.click(screen.getByRole("button", { name: "Re-index" }));
    await waitFor(() => expect(onStarted).toHaveBeenCalled());
    expect(seen).toEqual([
      {
        method: "POST",
        path: "/api/v1/knowledge-bases/kb-1/reindex",
        body: { embedding_provider: "local", embedding_model: "custom-model" },
      },
    ]);
  });

  it("shows a refusal readably", async () => {
    stubFetch(503, { error: { code: "temporal_unavailable", message: "Temporal cannot be reached" } });
    wrap(<ReindexDialog knowledgeBase={detail} onClose={() => {}} onStarted={() => {}} />);
    fireEvent.click(screen.getByRole("button", { name: "Re-index" }));
    expect(await screen.findByText("Temporal cannot be reached")).toHaveTextContent(
      "Could not re-index: Temporal cannot be reached",
    );
  });
});

import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { DocumentRow } from "./DocumentRow";
import { formatEta } from "./format";
import { makeDocument } from "./testDocuments";
import type { Document } from "./documentProgress";

function renderRow(document: Document) {
  const actions = { onCancel: vi.fn(), onRetry: vi.fn(), onDelete: vi.fn() };
  render(<DocumentRow document={document} {...actions} />);
  return { row: screen.getByTestId("document-row"), ...actions };
}

describe("DocumentRow", () => {
  afterEach(cleanup); // the setup does not clean up between tests

  it("shows a running ingestion's bar, pages, chunks, percentage and ETA", async () => {
    const { row, onCancel, onDelete } = renderRow(makeDocument());
    const bar = within(row).getByRole("progressbar", { name: "Ingestion of shared-mime-info-spec.pdf" });
    expect(bar).toHaveAttribute("aria-valuenow", "43.8");
    expect(within(row).getByTestId("document-percentage")).toHaveTextContent("43.8%");
    expect(within(row).getByTestId("document-details")).toHaveTextContent(
      "17 pages · 30 / 80 chunks · about 1 min 35 s left",
    );
    expect(within(row).getByText("running")).toBeInTheDocument();
    expect(row).toHaveTextContent("Embedding chunks");
    expect(row).toHaveTextContent("PDF · 207 KB");
    expect(within(row).queryByRole("button", { name: "Retry" })).toBeNull();
    await userEvent.click(within(row).getByRole("button", { name: "Cancel" }));
    await userEvent.click(within(row).getByRole("button", { name: "Delete" }));
    expect(onCancel).toHaveBeenCalledOnce();
    expect(onDelete).toHaveBeenCalledOnce();
  });

  it("shows a queued document at 0 % without an ETA", () => {
    const { row } = renderRow(
      makeDocument({
        status: "queued",
        stage: "queued",
        pages_extracted: 0,
        chunks_embedded: 0,
        chunks_total: 0,
        percentage: 0,
        eta_seconds: null,
      }),
    );
    expect(within(row).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "0");
    expect(within(row).getByText("queued")).toBeInTheDocument();
    expect(within(row).getByTestId("document-details")).toHaveTextContent(/^0 pages · 0 chunks$/);
    expect(row).toHaveTextContent("Waiting for a worker");
  });

  it("says what an unfinished document waits for, and nothing once it is finished", () => {
    const notice = "Waiting for an ingestion worker: none has been seen for 40 s.";
    const { row } = renderRow(
      makeDocument({ status: "queued", stage: "queued", percentage: 0, eta_seconds: null, notice }),
    );
    expect(within(row).getByTestId("document-notice")).toHaveTextContent(notice);
    cleanup();
    const { row: finished } = renderRow(makeDocument({ status: "completed", stage: "completed", notice }));
    expect(within(finished).queryByTestId("document-notice")).toBeNull();
  });

  it("shows a completed document full, without ETA or cancel", () => {
    const { row } = renderRow(
      makeDocument({
        status: "completed",
        stage: "completed",
        chunks_embedded: 80,
        percentage: 100,
        eta_seconds: 0,
        finished_at: "2025-01-01T00:01:00Z",
      }),
    );
    expect(within(row).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
    expect(within(row).getByTestId("document-percentage")).toHaveTextContent("100%");
    expect(within(row).getByTestId("document-details")).toHaveTextContent(/^17 pages · 80 \/ 80 chunks$/);
    expect(within(row).getByText("completed")).toBeInTheDocument();
    expect(within(row).queryByRole("button", { name: "Cancel" })).toBeNull();
    expect(within(row).queryByRole("button", { name: "Retry" })).toBeNull();
  });

  it("shows a failed document's reason and offers a retry", async () => {
    const { row, onRetry } = renderRow(
      makeDocument({
        status: "failed",
        stage: "failed",
        eta_seconds: null,
        error: "embedding failed: the provider answered 401",
      }),
    );
    expect(within(row).getByText("failed")).toBeInTheDocument();
    expect(within(row).getByRole("alert")).toHaveTextContent("embedding failed: the provider answered 401");
    expect(within(row).queryByRole("button", { name: "Cancel" })).toBeNull();
    await userEvent.click(within(row).getByRole("button", { name: "Retry" }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it("offers a retry for a cancelled document", () => {
    const { row } = renderRow(makeDocument({ status: "cancelled", stage: "cancelled", eta_seconds: null }));
    expect(within(row).getByText("cancelled")).toBeInTheDocument();
    expect(within(row).getByRole("button", { name: "Retry" })).toBeEnabled();
    expect(within(row).queryByRole("alert")).toBeNull();
  });

  it("disables its actions while one is being sent", () => {
    render(
      <DocumentRow document={makeDocument()} onCancel={vi.fn()} onRetry={vi.fn()} onDelete={vi.fn()} busy />,
    );
    expect(screen.getByRole("button", { name: "Cancel" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Delete" })).toBeDisabled();
  });
});

describe("formatEta", () => {
  it("reads like people talk", () => {
    expect(formatEta(0.4)).toBe("< 1 s");
    expect(formatEta(42.2)).toBe("42 s");
    expect(formatEta(120)).toBe("2 min");
    expect(formatEta(3725)).toBe("1 h 2 min");
  });
});

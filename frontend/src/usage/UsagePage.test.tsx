import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { renderRoutes, stubApi, workspace } from "../workspaces/testing";
import { UsagePage } from "./UsagePage";
import { formatCost, rangeStart } from "./useUsage";

function figures(total: number, cost: number | null, extra: Record<string, unknown> = {}) {
  return {
    prompt_tokens: total - 10,
    completion_tokens: 10,
    total_tokens: total,
    estimated_cost_usd: cost,
    unpriced_tokens: 0,
    estimated: false,
    ...extra,
  };
}

function group(key: string, label: string, total: number, cost: number | null, runs: number, extra = {}) {
  return { key, label, runs, ...figures(total, cost, extra) };
}

function report(groupBy: string, rows: ReturnType<typeof group>[], unpriced = 0) {
  const total = rows.reduce((sum, r) => sum + r.total_tokens, 0);
  const cost = rows.reduce((sum, r) => sum + (r.estimated_cost_usd ?? 0), 0);
  const runs = rows.reduce((sum, r) => sum + r.runs, 0);
  return {
    from: "2026-10-30T00:00:00Z",
    to: "2026-11-29T00:00:00Z",
    group_by: groupBy,
    rows,
    totals: group("total", "total", total, cost, runs, { unpriced_tokens: unpriced }),
    cost_unknown: unpriced > 0,
  };
}

const DAYS = report("day", [
  group("2026-11-27", "2026-11-27", 0, 0, 0),
  group("2026-11-28", "2026-11-28", 1200, 0.0042, 3),
]);
const BY = {
  workflow: report("workflow", [
    group("wf1", "Refund answers", 1000, 0.004, 2),
    group("wf2", "House model", 200, null, 1, { unpriced_tokens: 200 }),
  ], 200),
  user: report("user", [group("u1", "ada@example.org", 1200, 0.0042, 3)]),
  model: report("model", [group("openai/gpt-4o-mini", "openai/gpt-4o-mini", 1200, 0.0042, 3)]),
};

function stubUsage() {
  return stubApi((route, query) => {
    if (route === "GET /api/v1/workspaces") return { out: [workspace("w1", "Support", "viewer")] };
    if (route === "GET /api/v1/usage") {
      if (query.group_by === "day") return { out: DAYS };
      return { out: BY[query.group_by as keyof typeof BY] };
    }
  });
}

describe("UsagePage", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows the totals, a bar per day and the usage by workflow of the current workspace", async () => {
    const seen = stubUsage();
    renderRoutes([{ path: "/usage", element: <UsagePage /> }], "/usage");

    const totals = await screen.findByTestId("usage-totals");
    expect(totals).toHaveTextContent("1,200");
    expect(totals).toHaveTextContent("$0.0042");
    expect(screen.getByRole("img", { name: "Tokens per day" })).toBeInTheDocument();
    // What a screen reader reads, and each bar's tooltip.
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "2026-11-27: 0",
      "2026-11-28: 1,200",
    ]);
    expect(screen.getByTestId("bar-2026-11-27").getAttribute("height")).toBe("0");
    const table = await screen.findByRole("table", { name: "Workflow" });
    expect(within(table).getByTestId("usage-row-Refund answers")).toHaveTextContent("1,000");
    const house = within(table).getByTestId("usage-row-House model");
    expect(house).toHaveTextContent("unknown †");
    const asked = seen.filter((s) => s.path === "/api/v1/usage");
    expect(asked.every((s) => s.query.workspace_id === "w1" && s.query.from === rangeStart(30))).toBe(true);
  });

  it("switches the chart to cost, the table to users or models, and the range", async () => {
    const seen = stubUsage();
    renderRoutes([{ path: "/usage", element: <UsagePage /> }], "/usage");
    await screen.findByTestId("usage-totals");

    fireEvent.click(screen.getByRole("button", { name: "Cost" }));
    expect(screen.getByRole("img", { name: "Estimated cost per day" })).toBeInTheDocument();
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toContain("2026-11-28: $0.0042");

    fireEvent.click(screen.getByRole("button", { name: "User" }));
    const users = await screen.findByRole("table", { name: "User" });
    expect(within(users).getByTestId("usage-row-ada@example.org")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Model" }));
    expect(await screen.findByTestId("usage-row-openai/gpt-4o-mini")).toBeInTheDocument();

    fireEvent.mouseDown(screen.getByRole("combobox", { name: "Range" }));
    fireEvent.click(within(screen.getByRole("listbox")).getByRole("option", { name: "Last 7 days" }));
    await waitFor(() =>
      expect(seen.some((s) => s.path === "/api/v1/usage" && s.query.from === rangeStart(7))).toBe(true),
    );
  });
});

describe("formatCost", () => {
  it("shows small costs with significant digits, large ones in cents, and unknown ones", () => {
    expect(formatCost(0.000123)).toBe("$0.000123");
    expect(formatCost(12.3456)).toBe("$12.35");
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(null)).toBe("unknown");
  });

  it("starts a range of n days n - 1 days before today", () => {
    expect(rangeStart(7, new Date("2026-11-28T15:00:00Z"))).toBe("2026-11-22");
  });
});

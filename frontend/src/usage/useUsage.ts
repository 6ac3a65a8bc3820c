/**
 * Usage and estimated cost (`GET /api/v1/usage`): the tokens of the runs the user may read,
 * grouped by day, workflow, user or model, priced with the API's price table.
 */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";

export type UsageReport = Schemas["UsageReport"];
export type UsageGroup = Schemas["UsageGroup"];
export type UsageGrouping = UsageReport["group_by"];

/** The ranges the screen offers, in days back from now. */
export const RANGES: readonly { days: number; label: string }[] = [
  { days: 7, label: "Last 7 days" },
  { days: 30, label: "Last 30 days" },
  { days: 90, label: "Last 90 days" },
  { days: 365, label: "Last 365 days" },
];

export interface UsageParams {
  days: number;
  groupBy: UsageGrouping;
  workspaceId: string | null;
  /** False until the workspace is known (no report of every workspace first). */
  enabled: boolean;
}

/** The first day of a range of `days` days ending today (UTC), as `YYYY-MM-DD`. */
export function rangeStart(days: number, today: Date = new Date()): string {
  const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  start.setUTCDate(start.getUTCDate() - (days - 1));
  return start.toISOString().slice(0, 10);
}

export function useUsageReport({ days, groupBy, workspaceId, enabled }: UsageParams) {
  const from = rangeStart(days);
  const query: Record<string, string> = { from, group_by: groupBy };
  if (workspaceId) query.workspace_id = workspaceId;
  return useQuery({
    queryKey: queryKeys.usage.report(query),
    queryFn: () => unwrap(api.GET("/api/v1/usage", { params: { query } })),
    enabled,
  });
}

const small = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 3 });
const large = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 2 });

/** An estimated cost for people: `$0.00123`, `$12.35`; unknown when no token has a price. */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return "unknown";
  if (usd === 0) return "$0";
  return usd >= 1 ? large.format(usd) : small.format(usd);
}

export function formatTokens(tokens: number): string {
  return tokens.toLocaleString("en-US");
}

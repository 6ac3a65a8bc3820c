/** What changed between two graphs (versions or the saved draft), as lists. */
import { Box, Typography } from "@mui/material";

import type { Schemas } from "../api/client";
import type { VersionRef } from "../api/queryKeys";

type Diff = Schemas["VersionDiff"];

export function refLabel(ref: VersionRef): string {
  return ref === "draft" ? "saved draft" : `v${ref}`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value.length > 80 ? `“${value.slice(0, 80)}…”` : `“${value}”`;
  return JSON.stringify(value);
}

export function DiffView({ diff }: { diff: Diff }) {
  if (diff.unchanged) {
    return (
      <Typography variant="body2" color="text.secondary" data-testid="diff-view">
        No differences between {refLabel(diff.base)} and {refLabel(diff.target)}.
      </Typography>
    );
  }
  const added = diff.nodes_added ?? [];
  const removed = diff.nodes_removed ?? [];
  const changed = diff.nodes_changed ?? [];
  const edgesAdded = diff.edges_added ?? [];
  const edgesRemoved = diff.edges_removed ?? [];
  const edge = (e: Schemas["Edge"]) => `${e.source}.${e.source_handle} → ${e.target}.${e.target_handle}`;
  return (
    <Box data-testid="diff-view" sx={{ fontSize: 14 }}>
      <Typography variant="subtitle2" sx={{ mb: 1 }}>
        From {refLabel(diff.base)} to {refLabel(diff.target)}
      </Typography>
      {added.map((n) => (
        <Typography key={`a-${n.id}`} variant="body2" sx={{ color: "success.dark" }}>
          + node {n.id} ({n.type})
        </Typography>
      ))}
      {removed.map((n) => (
        <Typography key={`r-${n.id}`} variant="body2" sx={{ color: "error.dark" }}>
          − node {n.id} ({n.type})
        </Typography>
      ))}
      {changed.map((n) => (
        <Box key={`c-${n.id}`} sx={{ my: 0.5 }}>
          <Typography variant="body2" sx={{ color: "warning.dark" }}>
            ~ node {n.id} ({n.type}){n.moved_only ? " moved" : ""}
          </Typography>
          {n.moved_only
            ? null
            : n.changes
                .filter((c) => c.path !== "position")
                .map((c) => (
                  <Typography key={c.path} variant="body2" sx={{ pl: 2, fontFamily: "monospace", fontSize: 13 }}>
                    {c.path}: {show(c.before)} → {show(c.after)}
                  </Typography>
                ))}
        </Box>
      ))}
      {edgesAdded.map((e) => (
        <Typography key={`ea-${edge(e)}`} variant="body2" sx={{ color: "success.dark" }}>
          + edge {edge(e)}
        </Typography>
      ))}
      {edgesRemoved.map((e) => (
        <Typography key={`er-${edge(e)}`} variant="body2" sx={{ color: "error.dark" }}>
          − edge {edge(e)}
        </Typography>
      ))}
    </Box>
  );
}

/**
 * The component palette, from `GET /components`: drag an item onto the canvas (HTML5 drag
 * and drop), or press it (Enter / the + button) to add it in the middle of the view.
 */
import AddIcon from "@mui/icons-material/Add";
import { Box, CircularProgress, IconButton, Stack, Tooltip, Typography } from "@mui/material";
import type { DragEvent } from "react";

import { ErrorAlert } from "../components/ErrorAlert";
import { componentColor } from "./NodeCard";
import type { Component } from "./ports";

/** The drag data type carrying a component type from the palette to the canvas. */
export const DRAG_TYPE = "application/x-genai-component";

export interface PaletteProps {
  components: Component[] | undefined;
  loading: boolean;
  error: unknown;
  onAdd: (type: string) => void;
  /** A horizontal strip (narrow windows) instead of a column. */
  horizontal?: boolean;
}

export function Palette({ components, loading, error, onAdd, horizontal = false }: PaletteProps) {
  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(DRAG_TYPE, type);
    event.dataTransfer.setData("text/plain", type);
    event.dataTransfer.effectAllowed = "copy";
  };
  return (
    <Box
      component="nav"
      aria-label="Components"
      sx={{
        p: 1.5,
        overflow: "auto",
        ...(horizontal ? { display: "flex", gap: 1, alignItems: "stretch" } : {}),
      }}
    >
      {!horizontal ? (
        <Typography variant="overline" color="text.secondary" sx={{ display: "block", lineHeight: 2 }}>
          Components
        </Typography>
      ) : null}
      <ErrorAlert error={error} title="Could not load components" />
      {loading ? <CircularProgress size={24} aria-label="Loading components" /> : null}
      {!loading && !error && (components ?? []).length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No components available.
        </Typography>
      ) : null}
      {(components ?? []).map((c) => {
        const color = componentColor(c.type, c);
        return (
          <Box
            key={c.type}
            data-testid={`palette-${c.type}`}
            role="button"
            tabIndex={0}
            draggable
            aria-label={`${c.label}: drag onto the canvas, or press Enter to add`}
            onDragStart={(e) => onDragStart(e, c.type)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                onAdd(c.type);
              }
            }}
            onDoubleClick={() => onAdd(c.type)}
            sx={{
              mb: horizontal ? 0 : 1,
              flexShrink: 0,
              minWidth: horizontal ? 150 : undefined,
              border: "1px solid",
              borderColor: "divider",
              borderLeft: `6px solid ${color}`,
              borderRadius: 1.5,
              bgcolor: "background.paper",
              px: 1.25,
              py: 0.75,
              cursor: "grab",
              "&:hover": { boxShadow: 2 },
              "&:focus-visible": { outline: `2px solid ${color}` },
            }}
          >
            <Stack direction="row" sx={{ alignItems: "center" }}>
              <Typography variant="body2" sx={{ fontWeight: 600, flexGrow: 1 }}>
                {c.label}
              </Typography>
              <Tooltip title={`Add ${c.label}`}>
                <IconButton
                  size="small"
                  aria-label={`Add ${c.label}`}
                  onClick={() => onAdd(c.type)}
                  sx={{ p: 0.25 }}
                >
                  <AddIcon fontSize="small" />
                </IconButton>
              </Tooltip>
            </Stack>
            {!horizontal ? (
              <Typography variant="caption" color="text.secondary" sx={{ display: "block", lineHeight: 1.3 }}>
                {c.description}
              </Typography>
            ) : null}
          </Box>
        );
      })}
      {!horizontal && components?.length ? (
        <Typography variant="caption" color="text.secondary" sx={{ display: "block", mt: 1 }}>
          Connect an output (right) to an input (left) of the same type. Delete or Backspace removes
          the selection.
        </Typography>
      ) : null}
    </Box>
  );
}

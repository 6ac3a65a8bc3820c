/**
 * A component on the canvas: a header in the component's colour, one handle per port
 * (inputs on the left, outputs on the right; handle id = port name, labelled), a summary of
 * its config, and — after a failed validation — a red border with the node's problems.
 */
import ErrorOutlineIcon from "@mui/icons-material/ErrorOutlined";
import { Box, Stack, Typography } from "@mui/material";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";

import { NODE_COLORS } from "../theme";
import { defaultConnectionName } from "./ConnectionPicker";
import { useBuilderContext } from "./context";
import type { Config, FlowNode } from "./graphModel";
import { portColor, type Component, type Port } from "./ports";
import { textOf } from "./textOf";

export const NODE_WIDTH = 220;

export function componentColor(type: string, component?: Component): string {
  return NODE_COLORS[type] ?? component?.color ?? "#607D8B";
}

/** A one-line summary of a node's config, shown under its title. */
export function summarize(type: string, config: Config, knowledgeBaseNames: Map<string, string>): string {
  const parts: string[] = [];
  switch (type) {
    case "llm_engine":
      parts.push(
        typeof config.connection === "string" && config.connection
          ? config.connection
          : `Default (${defaultConnectionName(config)})`,
      );
      if (config.model) parts.push(textOf(config.model));
      if (typeof config.temperature === "number") parts.push(`temp ${config.temperature}`);
      if (config.use_web_search) parts.push("+ web");
      break;
    case "knowledge_base": {
      const id = config.knowledge_base_id;
      if (typeof id === "string" && id) parts.push(knowledgeBaseNames.get(id) ?? "knowledge base " + id.slice(0, 8));
      else parts.push("no knowledge base chosen");
      if (typeof config.top_k === "number") parts.push(`top ${config.top_k}`);
      break;
    }
    case "web_search":
      if (config.engine) parts.push(textOf(config.engine));
      if (typeof config.num_results === "number") parts.push(`${config.num_results} results`);
      break;
    case "output":
      if (config.response_format) parts.push(textOf(config.response_format));
      break;
    case "user_query":
      if (typeof config.max_length === "number") parts.push(`up to ${config.max_length} chars`);
      break;
  }
  return parts.join(" · ");
}

function PortRow({ nodeId, port, side }: { nodeId: string; port: Port; side: "input" | "output" }) {
  const input = side === "input";
  const color = portColor(port.type);
  return (
    <Box
      sx={{
        position: "relative",
        display: "flex",
        justifyContent: input ? "flex-start" : "flex-end",
        alignItems: "baseline",
        gap: 0.5,
        px: 1.5,
        py: 0.25,
        minHeight: 24,
      }}
      title={port.description || `${port.name} (${port.type})`}
    >
      <Handle
        type={input ? "target" : "source"}
        position={input ? Position.Left : Position.Right}
        id={port.name}
        data-testid={`handle-${nodeId}-${port.name}`}
        aria-label={`${input ? "input" : "output"} ${port.name} (${port.type})`}
        style={{ width: 12, height: 12, background: color, border: "2px solid #fff", boxShadow: `0 0 0 1px ${color}` }}
      />
      <Typography variant="caption" sx={{ fontWeight: port.required ? 600 : 400 }}>
        {port.name}
      </Typography>
      <Typography variant="caption" sx={{ color, fontSize: 10 }}>
        {port.type}
        {input && !port.required ? " · optional" : ""}
      </Typography>
    </Box>
  );
}

export const NodeCard = memo(function NodeCard({ id, data, selected }: NodeProps<FlowNode>) {
  const { catalogue, problems, knowledgeBaseNames } = useBuilderContext();
  const component = catalogue.get(data.componentType);
  const color = componentColor(data.componentType, component);
  const nodeProblems = problems.get(id) ?? [];
  const invalid = nodeProblems.length > 0;
  const summary = summarize(data.componentType, data.config, knowledgeBaseNames);
  return (
    <Box
      data-testid={`node-${id}`}
      data-invalid={invalid ? "true" : "false"}
      sx={{
        width: NODE_WIDTH,
        bgcolor: "background.paper",
        borderRadius: 2,
        border: "2px solid",
        borderColor: invalid ? "error.main" : selected ? color : "divider",
        boxShadow: selected ? `0 0 0 3px ${color}44` : invalid ? "0 0 0 3px rgba(211,47,47,0.25)" : 1,
        overflow: "visible",
      }}
    >
      <Box sx={{ bgcolor: color, color: "#fff", px: 1.5, py: 0.75, borderRadius: "6px 6px 0 0" }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
          <Typography variant="subtitle2" sx={{ fontWeight: 700, flexGrow: 1 }} noWrap>
            {component?.label ?? `Unknown: ${data.componentType}`}
          </Typography>
          {invalid ? <ErrorOutlineIcon fontSize="small" aria-label="has problems" /> : null}
        </Stack>
        <Typography variant="caption" sx={{ opacity: 0.9, display: "block" }} noWrap>
          {id}
        </Typography>
      </Box>
      {summary ? (
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ display: "block", px: 1.5, pt: 0.5 }}
          noWrap
          title={summary}
        >
          {summary}
        </Typography>
      ) : null}
      <Box sx={{ display: "grid", gridTemplateColumns: "1fr 1fr", py: 0.5 }}>
        <Box>
          {(component?.inputs ?? []).map((port) => (
            <PortRow key={port.name} nodeId={id} port={port} side="input" />
          ))}
        </Box>
        <Box>
          {(component?.outputs ?? []).map((port) => (
            <PortRow key={port.name} nodeId={id} port={port} side="output" />
          ))}
        </Box>
      </Box>
      {invalid ? (
        <Box
          data-testid={`node-problems-${id}`}
          sx={{ borderTop: "1px solid", borderColor: "error.light", bgcolor: "#FDECEA", px: 1.5, py: 0.5, borderRadius: "0 0 6px 6px" }}
        >
          {nodeProblems.slice(0, 4).map((p, i) => (
            <Typography key={i} variant="caption" color="error.dark" sx={{ display: "block", lineHeight: 1.3, py: 0.25 }}>
              {p.message}
            </Typography>
          ))}
          {nodeProblems.length > 4 ? (
            <Typography variant="caption" color="error.dark">
              …and {nodeProblems.length - 4} more
            </Typography>
          ) : null}
        </Box>
      ) : null}
    </Box>
  );
});

/**
 * The selected node's settings: the form generated from its component's config schema,
 * a knowledge base picker for knowledge_base nodes, a provider connection picker (and the
 * models it allows) for llm_engine nodes, per-node retry/timeout overrides under
 * "Advanced", and the node's problems from the last validation.
 */
import DeleteIcon from "@mui/icons-material/DeleteOutlined";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  Box,
  Button,
  Link,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useMemo, type ReactNode } from "react";
import { Link as RouterLink } from "react-router-dom";

import { messageOf, type Schemas } from "../api/client";
import { ConfigForm, type FieldChange } from "./configForm";
import { ConnectionPicker, effectiveConnection, ModelSelect, type ConnectionOptions } from "./ConnectionPicker";
import type { Problem } from "./context";
import type { FlowNode } from "./graphModel";
import { componentColor } from "./NodeCard";
import { POLICY_FIELDS, policyPlaceholders } from "./policy";
import type { Component } from "./ports";
import { fieldsFromSchema, type FieldSpec } from "./schemaFields";

type KnowledgeBase = Schemas["KnowledgeBaseOut"];

export interface KnowledgeBaseOptions {
  data: KnowledgeBase[] | undefined;
  loading: boolean;
  error: unknown;
}

export interface ConfigPanelProps {
  node: FlowNode | null;
  selectedCount: number;
  component: Component | undefined;
  problems: Problem[];
  knowledgeBases: KnowledgeBaseOptions;
  connections: ConnectionOptions;
  onConfig: FieldChange;
  onPolicy: FieldChange;
  onDelete: () => void;
}

/** Problems whose field is `prefix.name`, by name. */
function fieldErrors(problems: Problem[], prefix: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of problems) {
    if (p.field?.startsWith(prefix + ".")) {
      const name = p.field.slice(prefix.length + 1).split(".")[0];
      errors[name] ??= p.message;
    }
  }
  return errors;
}

export function KnowledgeBasePicker({
  value,
  onChange,
  options,
  error,
}: {
  value: unknown;
  onChange: (value: string | undefined) => void;
  options: KnowledgeBaseOptions;
  error?: string;
}) {
  const selected = typeof value === "string" ? value : "";
  const list = options.data ?? [];
  const known = !selected || list.some((kb) => kb.id === selected);
  let helper: ReactNode = error ?? "Queries are embedded by the model that built it.";
  if (options.loading) helper = "Loading knowledge bases…";
  else if (options.error) helper = `Could not load knowledge bases: ${messageOf(options.error)}`;
  else if (!list.length)
    helper = (
      <>
        No knowledge bases yet —{" "}
        <Link component={RouterLink} to="/knowledge-bases">
          create one
        </Link>
        .
      </>
    );
  return (
    <TextField
      select
      fullWidth
      size="small"
      label="Knowledge base"
      value={selected}
      disabled={options.loading}
      error={Boolean(error || options.error)}
      helperText={helper}
      onChange={(e) => onChange(e.target.value || undefined)}
    >
      <MenuItem value="">
        <em>None chosen</em>
      </MenuItem>
      {!known ? <MenuItem value={selected}>Unknown knowledge base ({selected})</MenuItem> : null}
      {list.map((kb) => (
        <MenuItem key={kb.id} value={kb.id}>
          {kb.name}
          <Typography component="span" variant="caption" color="text.secondary" sx={{ ml: 1 }}>
            {kb.embedding_provider} · {kb.embedding_model}
          </Typography>
        </MenuItem>
      ))}
    </TextField>
  );
}

export function ConfigPanel({
  node,
  selectedCount,
  component,
  problems,
  knowledgeBases,
  connections,
  onConfig,
  onPolicy,
  onDelete,
}: ConfigPanelProps) {
  const fields = useMemo<FieldSpec[]>(
    () => (component ? fieldsFromSchema(component.config_schema) : []),
    [component],
  );
  if (!node) {
    return (
      <Box sx={{ p: 2 }}>
        <Typography color="text.secondary" variant="body2">
          {selectedCount > 1
            ? `${selectedCount} nodes selected. Select one node to configure it.`
            : "Select a node on the canvas to configure it."}
        </Typography>
      </Box>
    );
  }
  const type = node.data.componentType;
  const color = componentColor(type, component);
  const config = node.data.config;
  const connection = type === "llm_engine" ? effectiveConnection(config, connections.data) : undefined;
  const configErrors = fieldErrors(problems, "config");
  const policyErrors = fieldErrors(problems, "policy");
  const policy = (node.data.policy ?? {}) as Record<string, unknown>;
  const overridden = Object.keys(policy).length;
  return (
    <Box sx={{ p: 2 }} data-testid="config-panel">
      <Stack direction="row" spacing={1} sx={{ alignItems: "center", mb: 1 }}>
        <Box sx={{ width: 12, height: 12, borderRadius: "50%", bgcolor: color, flexShrink: 0 }} />
        <Typography variant="subtitle1" sx={{ fontWeight: 700, flexGrow: 1 }} noWrap>
          {component?.label ?? type}
        </Typography>
        <Button size="small" color="error" startIcon={<DeleteIcon />} onClick={onDelete}>
          Delete
        </Button>
      </Stack>
      <Typography variant="caption" color="text.secondary" sx={{ display: "block" }}>
        id <code>{node.id}</code>
      </Typography>
      {component ? (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          {component.description}
        </Typography>
      ) : (
        <Alert severity="warning" sx={{ my: 1 }}>
          “{type}” is not a component of the catalogue: delete this node or change the graph.
        </Alert>
      )}
      {problems.length ? (
        <Alert severity="error" sx={{ mb: 2 }} data-testid="node-problem-list">
          {problems.map((p, i) => (
            <Box key={i}>{p.message}</Box>
          ))}
        </Alert>
      ) : null}
      <ConfigForm
        fields={fields}
        value={config}
        onChange={onConfig}
        errors={configErrors}
        renderField={(field, value, change) => {
          if (type === "knowledge_base" && field.name === "knowledge_base_id") {
            return (
              <KnowledgeBasePicker
                value={value}
                options={knowledgeBases}
                error={configErrors.knowledge_base_id}
                onChange={(id) => change(field.name, id)}
              />
            );
          }
          if (type === "llm_engine" && field.name === "connection") {
            return (
              <ConnectionPicker
                value={value}
                config={config}
                options={connections}
                error={configErrors.connection}
                onChange={(name) => change(field.name, name)}
              />
            );
          }
          if (type === "llm_engine" && field.name === "model" && connection?.models.length) {
            return (
              <ModelSelect
                value={value}
                fallback={field.default}
                connection={connection}
                error={configErrors.model}
                onChange={(model) => change(field.name, model)}
              />
            );
          }
          return undefined;
        }}
      />
      {component ? (
        <Accordion disableGutters variant="outlined" sx={{ mt: 2 }} defaultExpanded={Object.keys(policyErrors).length > 0}>
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Typography variant="body2" sx={{ fontWeight: 600 }}>
              Advanced{overridden ? ` (${overridden} overridden)` : ""}
            </Typography>
          </AccordionSummary>
          <AccordionDetails>
            <Typography variant="caption" color="text.secondary" sx={{ display: "block", mb: 1.5 }}>
              Retries and timeout of this step. Leave a field empty to keep the component's default.
            </Typography>
            <ConfigForm
              fields={POLICY_FIELDS}
              value={policy}
              onChange={onPolicy}
              errors={policyErrors}
              placeholders={policyPlaceholders(component)}
            />
          </AccordionDetails>
        </Accordion>
      ) : null}
    </Box>
  );
}

/** The run history's filters: workflow, status, kind and start time, kept in the URL. */
import {
  Button,
  FormControl,
  InputLabel,
  MenuItem,
  Paper,
  Select,
  Stack,
  TextField,
} from "@mui/material";

import type { Schemas } from "../api/client";
import { shortId } from "./format";

const STATUSES = ["running", "completed", "failed"];
const KINDS = ["run", "rerun", "replay"];

export type RunFilterValues = {
  workflow: string;
  status: string;
  kind: string;
  after: string;
  before: string;
};

export interface RunFiltersProps {
  filters: RunFilterValues;
  workflows: Schemas["WorkflowOut"][] | undefined;
  names: Map<string, string>;
  anyFilter: boolean;
  onChange: (name: keyof RunFilterValues, value: string) => void;
  onClear: () => void;
}

export function RunFilters({ filters, workflows, names, anyFilter, onChange, onClear }: RunFiltersProps) {
  return (
    <Paper variant="outlined" sx={{ p: 1.5, mb: 2 }}>
      <Stack direction="row" sx={{ gap: 1.5, flexWrap: "wrap", alignItems: "center" }}>
        <FormControl size="small" sx={{ minWidth: 220 }}>
          <InputLabel id="runs-workflow-label">Workflow</InputLabel>
          <Select
            labelId="runs-workflow-label"
            label="Workflow"
            value={filters.workflow}
            onChange={(e) => onChange("workflow", e.target.value)}
            inputProps={{ "aria-label": "Workflow filter" }}
          >
            <MenuItem value="">
              <em>All workflows</em>
            </MenuItem>
            {filters.workflow && !names.has(filters.workflow) ? (
              <MenuItem value={filters.workflow}>{shortId(filters.workflow)}</MenuItem>
            ) : null}
            {(workflows ?? []).map((w) => (
              <MenuItem key={w.id} value={w.id}>
                {w.name}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <OptionFilter
          name="Status"
          anyLabel="Any status"
          options={STATUSES}
          value={filters.status}
          onChange={(value) => onChange("status", value)}
          minWidth={140}
        />
        <OptionFilter
          name="Kind"
          anyLabel="Any kind"
          options={KINDS}
          value={filters.kind}
          onChange={(value) => onChange("kind", value)}
          minWidth={120}
        />
        <TextField
          size="small"
          type="datetime-local"
          label="Started after"
          value={filters.after}
          onChange={(e) => onChange("after", e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <TextField
          size="small"
          type="datetime-local"
          label="Started before"
          value={filters.before}
          onChange={(e) => onChange("before", e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        {anyFilter ? (
          <Button size="small" onClick={onClear}>
            Clear filters
          </Button>
        ) : null}
      </Stack>
    </Paper>
  );
}

/** A filter that picks one of a few fixed values, or none. */
function OptionFilter({
  name,
  anyLabel,
  options,
  value,
  onChange,
  minWidth,
}: {
  name: string;
  anyLabel: string;
  options: string[];
  value: string;
  onChange: (value: string) => void;
  minWidth: number;
}) {
  const labelId = `runs-${name.toLowerCase()}-label`;
  return (
    <FormControl size="small" sx={{ minWidth }}>
      <InputLabel id={labelId}>{name}</InputLabel>
      <Select
        labelId={labelId}
        label={name}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        inputProps={{ "aria-label": `${name} filter` }}
      >
        <MenuItem value="">
          <em>{anyLabel}</em>
        </MenuItem>
        {options.map((option) => (
          <MenuItem key={option} value={option}>
            {option}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

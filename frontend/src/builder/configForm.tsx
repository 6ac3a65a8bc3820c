/**
 * A form generated from field specs (see `schemaFields.ts`): Slider for bounded numbers,
 * Select for enums, multiline text for prompts, Switch for booleans, a combo box for
 * free text with suggestions. Values are written back field by field; an emptied optional
 * field is removed (the component's default applies).
 */
import {
  Autocomplete,
  Box,
  FormControlLabel,
  FormHelperText,
  MenuItem,
  Slider,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { useId, type ReactNode } from "react";

import type { Config, JsonValue } from "./graphModel";
import { NumberField } from "./NumberField";
import { fieldError, snapToStep, type FieldSpec } from "./schemaFields";
import { textOf } from "./textOf";

export type FieldChange = (name: string, value: JsonValue | undefined) => void;

export interface ConfigFormProps {
  fields: FieldSpec[];
  value: Config | Record<string, unknown>;
  onChange: FieldChange;
  /** Messages from the server's validation, by field name. */
  errors?: Record<string, string>;
  /** Fields not shown. */
  hidden?: Set<string>;
  /** Placeholder per field (e.g. the component's default for a policy override). */
  placeholders?: Record<string, string>;
  /** A control of its own for some fields (e.g. the knowledge base picker). */
  renderField?: (field: FieldSpec, value: unknown, onChange: FieldChange) => ReactNode | undefined;
}

export function ConfigForm({
  fields,
  value,
  onChange,
  errors = {},
  hidden,
  placeholders = {},
  renderField,
}: ConfigFormProps) {
  return (
    <Stack spacing={2}>
      {fields
        .filter((f) => !hidden?.has(f.name))
        .map((field) => {
          const current = value[field.name];
          const custom = renderField?.(field, current, onChange);
          if (custom !== undefined) return <Box key={field.name}>{custom}</Box>;
          return (
            <FieldControl
              key={field.name}
              field={field}
              value={current}
              onChange={onChange}
              serverError={errors[field.name]}
              placeholder={placeholders[field.name]}
            />
          );
        })}
    </Stack>
  );
}

interface FieldControlProps {
  field: FieldSpec;
  value: unknown;
  onChange: FieldChange;
  serverError?: string;
  placeholder?: string;
}

/** What an emptied text input means: remove the key, or keep an empty string. */
function emptied(field: FieldSpec): JsonValue | undefined {
  return field.nullable || (field.required && field.default === undefined) || field.default === undefined
    ? undefined
    : "";
}

export function FieldControl({ field, value, onChange, serverError, placeholder }: FieldControlProps) {
  const shown = value ?? field.default;
  const localError = value === undefined ? fieldError(field, undefined) : fieldError(field, value);
  const error = serverError ?? localError ?? undefined;
  const help = error ?? field.description;
  switch (field.kind) {
    case "switch":
      return (
        <Box>
          <FormControlLabel
            control={
              <Switch
                checked={Boolean(shown)}
                onChange={(e) => onChange(field.name, e.target.checked)}
              />
            }
            label={field.label}
          />
          {help ? <FormHelperText error={Boolean(error)}>{help}</FormHelperText> : null}
        </Box>
      );
    case "select":
      return (
        <TextField
          select
          fullWidth
          size="small"
          label={field.label}
          value={textOf(shown)}
          onChange={(e) => onChange(field.name, e.target.value === "" ? undefined : e.target.value)}
          error={Boolean(error)}
          helperText={help}
        >
          {field.nullable || field.default === undefined ? (
            <MenuItem value="">
              <em>{placeholder ?? "Not set"}</em>
            </MenuItem>
          ) : null}
          {(field.options ?? []).map((option) => (
            <MenuItem key={option} value={option}>
              {option}
            </MenuItem>
          ))}
        </TextField>
      );
    case "slider":
      return (
        <SliderField field={field} value={shown} onChange={onChange} error={error} help={help} />
      );
    case "number":
      return (
        <NumberField
          label={field.label}
          value={typeof value === "number" ? value : typeof shown === "number" ? shown : undefined}
          integer={field.integer}
          min={field.min}
          max={field.max}
          placeholder={placeholder}
          error={error}
          helperText={help}
          onChange={(n) => onChange(field.name, n)}
        />
      );
    case "combo":
      return (
        <Autocomplete
          freeSolo
          size="small"
          options={field.options ?? []}
          value={textOf(shown)}
          inputValue={textOf(shown)}
          onInputChange={(_, text, reason) => {
            if (reason === "reset" && text === (shown ?? "")) return;
            onChange(field.name, text === "" ? emptied(field) : text);
          }}
          renderInput={(params) => (
            <TextField {...params} label={field.label} error={Boolean(error)} helperText={help} />
          )}
        />
      );
    case "multiline":
    case "text":
      return (
        <TextField
          fullWidth
          size="small"
          label={field.label}
          value={textOf(shown)}
          placeholder={placeholder}
          onChange={(e) =>
            onChange(field.name, e.target.value === "" ? emptied(field) : e.target.value)
          }
          multiline={field.kind === "multiline"}
          minRows={field.kind === "multiline" ? 4 : undefined}
          maxRows={field.kind === "multiline" ? 14 : undefined}
          error={Boolean(error)}
          helperText={
            field.kind === "multiline" && field.maxLength && !error
              ? `${textOf(shown).length} / ${field.maxLength}`
              : help
          }
        />
      );
  }
}

function SliderField({
  field,
  value,
  onChange,
  error,
  help,
}: {
  field: FieldSpec;
  value: unknown;
  onChange: FieldChange;
  error?: string;
  help?: string;
}) {
  const labelId = useId();
  const min = field.min ?? 0;
  const max = field.max ?? 100;
  const numeric = typeof value === "number" ? value : min;
  return (
    <Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center" }}>
        <Typography id={labelId} variant="body2" sx={{ flexGrow: 1 }}>
          {field.label}
        </Typography>
        <NumberField
          label=""
          ariaLabel={`${field.label} value`}
          value={typeof value === "number" ? value : undefined}
          integer={field.integer}
          min={field.min}
          max={field.max}
          step={field.step}
          onChange={(n) => onChange(field.name, n)}
          width={96}
        />
      </Stack>
      <Slider
        size="small"
        value={Math.min(max, Math.max(min, numeric))}
        min={min}
        max={max}
        step={field.step ?? 1}
        valueLabelDisplay="auto"
        onChange={(_, v) => onChange(field.name, snapToStep(v, field.step))}
        aria-label={field.label}
        sx={{ mx: 1, width: "calc(100% - 16px)" }}
      />
      {help ? <FormHelperText error={Boolean(error)}>{help}</FormHelperText> : null}
    </Box>
  );
}

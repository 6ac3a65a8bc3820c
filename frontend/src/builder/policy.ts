/**
 * Per-node overrides of a component's retry policy, timeout and execution mode
 * (`StepPolicyOverride` in workflows/graph.py): the bounds the API enforces; an empty
 * field keeps the component's default.
 */
import type { Component } from "./ports";
import type { FieldSpec } from "./schemaFields";

const base = { required: false, nullable: true } as const;

export const POLICY_FIELDS: FieldSpec[] = [
  { ...base, name: "start_to_close_seconds", label: "Timeout (seconds)", kind: "number", min: 0, exclusiveMin: true, max: 3600 },
  { ...base, name: "maximum_attempts", label: "Maximum attempts", kind: "number", integer: true, min: 1, max: 20 },
  { ...base, name: "initial_interval_seconds", label: "First retry after (seconds)", kind: "number", min: 0, exclusiveMin: true, max: 60 },
  { ...base, name: "backoff_coefficient", label: "Backoff coefficient", kind: "number", min: 1, max: 10 },
  { ...base, name: "maximum_interval_seconds", label: "Longest retry interval (seconds)", kind: "number", min: 0, exclusiveMin: true, max: 600 },
  {
    ...base,
    name: "execution",
    label: "Execution",
    kind: "select",
    options: ["local", "regular"],
    description: "local: in the workflow's worker; regular: dispatched as an activity task.",
  },
];

/** "Default: 3" placeholders from the component's step defaults. */
export function policyPlaceholders(component: Component | undefined): Record<string, string> {
  const defaults = (component?.defaults ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    POLICY_FIELDS.map((f) => [f.name, defaults[f.name] !== undefined ? `Default: ${String(defaults[f.name])}` : "Default"]),
  );
}

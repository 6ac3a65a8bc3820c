/**
 * A component's config JSON Schema (pydantic's) as a list of form fields: which control
 * each property gets, its label, bounds, options and default.
 */
import type { Config, JsonValue } from "./graphModel";

export type FieldKind =
  | "select"
  | "slider"
  | "number"
  | "text"
  | "multiline"
  | "switch"
  | "combo";

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  description?: string;
  required: boolean;
  /** The property may be null (pydantic `X | None`): an empty input clears it. */
  nullable: boolean;
  default?: JsonValue;
  integer?: boolean;
  min?: number;
  max?: number;
  /** Exclusive bounds (`gt`/`lt`). */
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  step?: number;
  options?: string[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: JsonValue;
  enum?: JsonValue[];
  const?: JsonValue;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  examples?: JsonValue[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** Labels that read better than the property name. */
const LABELS: Record<string, string> = {
  knowledge_base_id: "Knowledge base",
  top_k: "Top K",
  num_results: "Number of results",
  custom_prompt: "Prompt",
  max_tokens: "Max tokens",
};

/** Suggested values for free-text fields (the list stays open to any value). */
export const SUGGESTIONS: Record<string, string[]> = {
  model: [
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1-mini",
    "gpt-4.1",
    "gemini-1.5-flash",
    "gemini-1.5-pro",
    "gemini-2.0-flash",
    "llama3.1",
  ],
};

export function humanize(name: string): string {
  const words = name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/\$defs\//, "");
    const target = root.$defs?.[name] ?? {};
    // Keep the property's own default and description over the definition's.
    const { $ref: _ref, ...own } = schema;
    void _ref;
    return { ...resolve(target, root), ...own, title: own.title ?? undefined };
  }
  if (schema.allOf?.length === 1) {
    const { allOf, ...own } = schema;
    return { ...resolve(allOf[0], root), ...own };
  }
  return schema;
}

/** One field spec per property, in the schema's order. */
export function fieldsFromSchema(schema: JsonSchema): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => {
    let prop = resolve(raw, schema);
    let nullable = false;
    const variants = prop.anyOf ?? prop.oneOf;
    if (variants) {
      const nonNull = variants.filter((v) => v.type !== "null");
      nullable = nonNull.length < variants.length;
      const { anyOf: _a, oneOf: _o, ...own } = prop;
      void _a;
      void _o;
      prop = { ...resolve(nonNull[0] ?? {}, schema), ...own };
    }
    const type = Array.isArray(prop.type) ? prop.type.find((t) => t !== "null") : prop.type;
    const spec: FieldSpec = {
      name,
      label: LABELS[name] ?? humanize(name),
      kind: "text",
      description: prop.description,
      required: required.has(name),
      nullable,
      default: prop.default,
      minLength: prop.minLength,
      maxLength: prop.maxLength,
      pattern: prop.pattern,
      format: prop.format,
    };
    if (prop.enum) {
      spec.kind = "select";
      spec.options = prop.enum.map(String);
    } else if (type === "boolean") {
      spec.kind = "switch";
    } else if (type === "number" || type === "integer") {
      spec.integer = type === "integer";
      spec.min = prop.minimum ?? prop.exclusiveMinimum;
      spec.max = prop.maximum ?? prop.exclusiveMaximum;
      spec.exclusiveMin = prop.minimum === undefined && prop.exclusiveMinimum !== undefined;
      spec.exclusiveMax = prop.maximum === undefined && prop.exclusiveMaximum !== undefined;
      const bounded = spec.min !== undefined && spec.max !== undefined;
      const range = bounded ? spec.max! - spec.min! : Infinity;
      // A slider for a bounded range it can cover step by step; a number input for the rest.
      if (bounded && (!spec.integer || range <= 100)) {
        spec.kind = "slider";
        spec.step = spec.integer ? 1 : niceStep(range);
      } else {
        spec.kind = "number";
      }
    } else if (type === "string") {
      const examples = (prop.examples ?? []).map(String);
      if (examples.length || SUGGESTIONS[name]) {
        spec.kind = "combo";
        spec.options = examples.length ? examples : SUGGESTIONS[name];
      } else if (/prompt|template|instructions/.test(name) || (!prop.format && (prop.maxLength ?? 0) > 500)) {
        spec.kind = "multiline";
      }
    }
    return spec;
  });
}

/** A step that divides a range into about a hundred slider positions (0.01 for 0..2). */
function niceStep(range: number): number {
  if (!Number.isFinite(range) || range <= 0) return 1;
  const raw = range / 100;
  const power = 10 ** Math.floor(Math.log10(raw));
  return power;
}

/** A value on a step's grid, without float noise (0.21, not 0.21000000000000002). */
export function snapToStep(value: number, step: number | undefined): number {
  if (!step) return value;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return Number(value.toFixed(decimals));
}

/** The config a new node starts with: every property's non-null default. */
export function defaultConfig(schema: JsonSchema): Config {
  const config: Config = {};
  for (const field of fieldsFromSchema(schema)) {
    if (field.default !== undefined && field.default !== null) config[field.name] = field.default;
  }
  return config;
}

/** What is wrong with a value for a field, by the schema's bounds (the server checks too). */
export function fieldError(field: FieldSpec, value: unknown): string | null {
  if (value === undefined || value === null || value === "") {
    return field.required && field.default === undefined ? "Required" : null;
  }
  if (typeof value === "number") {
    if (field.integer && !Number.isInteger(value)) return "A whole number";
    if (field.min !== undefined && (field.exclusiveMin ? value <= field.min : value < field.min)) {
      return field.exclusiveMin ? `More than ${field.min}` : `At least ${field.min}`;
    }
    if (field.max !== undefined && (field.exclusiveMax ? value >= field.max : value > field.max)) {
      return field.exclusiveMax ? `Less than ${field.max}` : `At most ${field.max}`;
    }
  }
  if (typeof value === "string") {
    if (field.minLength !== undefined && value.length < field.minLength) {
      return `At least ${field.minLength} characters`;
    }
    if (field.maxLength !== undefined && value.length > field.maxLength) {
      return `At most ${field.maxLength} characters`;
    }
    if (field.pattern && !new RegExp(field.pattern).test(value)) return "Not in the expected format";
    if (field.format === "uri" && !/^https?:\/\/\S+$/.test(value)) return "A URL like http://host:port/v1";
  }
  return null;
}

/**
 * A config value as text: a string as it is, a number or boolean written out, nothing as "",
 * anything else (an object, a list) as its JSON.
 */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

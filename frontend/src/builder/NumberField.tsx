import { TextField } from "@mui/material";
import { useState } from "react";

/**
 * A number input that keeps what is typed ("0.", "-") while it is not a number yet, and
 * reports a number (or undefined once emptied).
 */
export function NumberField({
  label,
  ariaLabel,
  value,
  onChange,
  integer,
  min,
  max,
  step,
  placeholder,
  error,
  helperText,
  width,
}: {
  label: string;
  ariaLabel?: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  integer?: boolean;
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  error?: string;
  helperText?: string;
  width?: number;
}) {
  const [text, setText] = useState(value === undefined ? "" : String(value));
  // Follow outside changes (undo, slider) unless the text already means that value.
  const [shownValue, setShownValue] = useState(value);
  if (!Object.is(shownValue, value)) {
    setShownValue(value);
    const parsed = text.trim() === "" ? undefined : Number(text);
    if (parsed !== value) setText(value === undefined ? "" : String(value));
  }
  return (
    <TextField
      size="small"
      type="number"
      label={label || undefined}
      value={text}
      placeholder={placeholder}
      error={Boolean(error)}
      helperText={helperText}
      fullWidth={width === undefined}
      sx={width ? { width } : undefined}
      onChange={(e) => {
        const next = e.target.value;
        setText(next);
        if (next.trim() === "") onChange(undefined);
        else if (Number.isFinite(Number(next))) onChange(integer ? Math.trunc(Number(next)) : Number(next));
      }}
      slotProps={{
        htmlInput: { min, max, step: step ?? (integer ? 1 : "any"), "aria-label": ariaLabel },
      }}
    />
  );
}

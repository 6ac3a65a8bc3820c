/** A role select: each role with one line on what it may do. */
import { ListItemText, MenuItem, TextField } from "@mui/material";

import { ROLE_HELP, ROLES, type Role } from "./roles";

export function RoleSelect({
  label,
  value,
  onChange,
  disabled,
  fullWidth,
  minWidth = 140,
}: {
  label: string;
  value: Role;
  onChange: (role: Role) => void;
  disabled?: boolean;
  fullWidth?: boolean;
  minWidth?: number;
}) {
  return (
    <TextField
      select
      size="small"
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value as Role)}
      disabled={disabled}
      fullWidth={fullWidth}
      sx={{ minWidth }}
      slotProps={{ select: { renderValue: (selected) => String(selected) } }}
    >
      {ROLES.map((role) => (
        <MenuItem key={role} value={role}>
          <ListItemText primary={role} secondary={ROLE_HELP[role]} />
        </MenuItem>
      ))}
    </TextField>
  );
}

/** "Leave without saving?": stay, leave (the changes are lost), or save and then leave. */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from "@mui/material";

import { ErrorAlert } from "../components/ErrorAlert";

export interface LeaveDialogProps {
  open: boolean;
  /** Why saving failed, if it did. */
  saveError: unknown;
  onStay: () => void;
  onLeave: () => void;
  onSaveAndLeave: () => void;
}

export function LeaveDialog({ open, saveError, onStay, onLeave, onSaveAndLeave }: LeaveDialogProps) {
  return (
    <Dialog open={open} onClose={onStay}>
      <DialogTitle>Leave without saving?</DialogTitle>
      <DialogContent>
        <Typography>This workflow has unsaved changes. They are lost if you leave now.</Typography>
        <ErrorAlert error={saveError} title="Could not save" />
      </DialogContent>
      <DialogActions>
        <Button onClick={onStay}>Stay</Button>
        <Button color="error" onClick={onLeave}>
          Leave without saving
        </Button>
        <Button variant="contained" onClick={onSaveAndLeave}>
          Save and leave
        </Button>
      </DialogActions>
    </Dialog>
  );
}

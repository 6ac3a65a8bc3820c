/** The builder's toolbar: name and save state, undo/redo, layout, import/export, validate, save, publish, versions. */
import AccountTreeIcon from "@mui/icons-material/AccountTree";
import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import DownloadIcon from "@mui/icons-material/Download";
import HistoryIcon from "@mui/icons-material/History";
import RedoIcon from "@mui/icons-material/Redo";
import UndoIcon from "@mui/icons-material/Undo";
import UploadIcon from "@mui/icons-material/Upload";
import ViewSidebarIcon from "@mui/icons-material/ViewSidebar";
import {
  Box,
  Button,
  Chip,
  Divider,
  IconButton,
  Stack,
  Tooltip,
  Typography,
} from "@mui/material";
import type { ReactNode } from "react";
import { Link as RouterLink } from "react-router-dom";

export interface ToolbarProps {
  name: string;
  latestVersion: number | null | undefined;
  dirty: boolean;
  saving: boolean;
  validating: boolean;
  canUndo: boolean;
  canRedo: boolean;
  panelOpen: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  onImport: () => void;
  onExport: () => void;
  onValidate: () => void;
  onSave: () => void;
  onPublish: () => void;
  onVersions: () => void;
  onTogglePanel: () => void;
}

function Tool({ title, onClick, disabled, children }: { title: string; onClick: () => void; disabled?: boolean; children: ReactNode }) {
  return (
    <Tooltip title={title}>
      <span>
        <IconButton size="small" aria-label={title} onClick={onClick} disabled={disabled}>
          {children}
        </IconButton>
      </span>
    </Tooltip>
  );
}

export function Toolbar(props: ToolbarProps) {
  return (
    <Stack
      direction="row"
      spacing={0.5}
      sx={{
        alignItems: "center",
        flexWrap: "wrap",
        rowGap: 0.5,
        px: 1.5,
        py: 0.75,
        borderBottom: "1px solid",
        borderColor: "divider",
        bgcolor: "background.paper",
      }}
      role="toolbar"
      aria-label="Builder"
    >
      <Tooltip title="Back to workflows">
        <IconButton size="small" component={RouterLink} to="/" aria-label="Back to workflows">
          <ArrowBackIcon fontSize="small" />
        </IconButton>
      </Tooltip>
      <Typography variant="h6" component="h1" noWrap sx={{ maxWidth: 260, fontSize: 18 }} title={props.name}>
        {props.name}
      </Typography>
      {props.latestVersion ? (
        <Chip size="small" variant="outlined" label={`v${props.latestVersion}`} title="Latest published version" />
      ) : null}
      {props.dirty ? (
        <Chip size="small" color="warning" label="Unsaved changes" data-testid="save-state" />
      ) : (
        <Chip size="small" variant="outlined" color="success" label={props.saving ? "Saving…" : "Saved"} data-testid="save-state" />
      )}
      <Box sx={{ flexGrow: 1 }} />
      <Tool title="Undo (Ctrl+Z)" onClick={props.onUndo} disabled={!props.canUndo}>
        <UndoIcon fontSize="small" />
      </Tool>
      <Tool title="Redo (Ctrl+Shift+Z)" onClick={props.onRedo} disabled={!props.canRedo}>
        <RedoIcon fontSize="small" />
      </Tool>
      <Tool title="Auto-layout" onClick={props.onLayout}>
        <AccountTreeIcon fontSize="small" />
      </Tool>
      <Tool title="Import JSON" onClick={props.onImport}>
        <UploadIcon fontSize="small" />
      </Tool>
      <Tool title="Export JSON" onClick={props.onExport}>
        <DownloadIcon fontSize="small" />
      </Tool>
      <Divider orientation="vertical" flexItem sx={{ mx: 0.5 }} />
      <Button size="small" onClick={props.onValidate} disabled={props.validating}>
        {props.validating ? "Validating…" : "Validate"}
      </Button>
      <Button size="small" variant={props.dirty ? "contained" : "outlined"} onClick={props.onSave} disabled={props.saving}>
        {props.saving ? "Saving…" : "Save"}
      </Button>
      <Button size="small" variant="outlined" onClick={props.onPublish}>
        Publish
      </Button>
      <Button size="small" startIcon={<HistoryIcon />} onClick={props.onVersions}>
        Versions
      </Button>
      <Tool title={props.panelOpen ? "Hide side panel" : "Show side panel"} onClick={props.onTogglePanel}>
        <ViewSidebarIcon fontSize="small" />
      </Tool>
    </Stack>
  );
}

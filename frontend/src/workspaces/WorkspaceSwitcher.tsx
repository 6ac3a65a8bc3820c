/**
 * The app bar's workspace switcher: the current workspace's name and the user's role in
 * it; the menu lists every workspace of the user, opens the current one's settings and
 * creates a new one (which becomes the current one).
 */
import AddIcon from "@mui/icons-material/Add";
import CheckIcon from "@mui/icons-material/Check";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import SettingsIcon from "@mui/icons-material/SettingsOutlined";
import WorkspacesIcon from "@mui/icons-material/WorkspacesOutlined";
import {
  Box,
  Button,
  Divider,
  ListItemIcon,
  ListItemText,
  Menu,
  MenuItem,
  Typography,
} from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router-dom";

import { queryKeys } from "../api/queryKeys";
import { NewWorkspaceDialog } from "./NewWorkspaceDialog";
import { useCurrentWorkspace, type Workspace } from "./useWorkspaces";

export function WorkspaceSwitcher() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { workspace, workspaces, loading, error, select } = useCurrentWorkspace();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [creating, setCreating] = useState(false);
  const close = () => setAnchor(null);

  const label = workspace ? workspace.name : loading ? "Loading workspaces…" : error ? "Workspaces unavailable" : "No workspace";
  return (
    <>
      <Button
        color="inherit"
        onClick={(e) => setAnchor(e.currentTarget)}
        disabled={!workspace}
        aria-haspopup="menu"
        aria-expanded={anchor ? "true" : undefined}
        aria-controls={anchor ? "workspace-menu" : undefined}
        aria-label={workspace ? `Workspace: ${workspace.name} (${workspace.role})` : label}
        title={error ? "Your workspaces could not be loaded" : undefined}
        startIcon={<WorkspacesIcon fontSize="small" />}
        endIcon={<ExpandMoreIcon fontSize="small" />}
        sx={{ textTransform: "none", maxWidth: 320 }}
        data-testid="workspace-switcher"
      >
        <Box component="span" sx={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>
          {label}
        </Box>
        {workspace ? (
          <Typography
            component="span"
            variant="caption"
            sx={{ ml: 1, px: 0.75, borderRadius: 1, bgcolor: "rgba(255,255,255,0.16)", flexShrink: 0 }}
          >
            {workspace.role}
          </Typography>
        ) : null}
      </Button>
      <Menu id="workspace-menu" anchorEl={anchor} open={Boolean(anchor)} onClose={close}>
        {workspaces.map((w: Workspace) => (
          <MenuItem
            key={w.id}
            selected={w.id === workspace?.id}
            onClick={() => {
              select(w.id);
              close();
            }}
          >
            <ListItemIcon>{w.id === workspace?.id ? <CheckIcon fontSize="small" /> : null}</ListItemIcon>
            <ListItemText primary={w.name} secondary={w.role} />
          </MenuItem>
        ))}
        <Divider />
        <MenuItem
          onClick={() => {
            close();
            void navigate("/workspace");
          }}
        >
          <ListItemIcon>
            <SettingsIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText primary="Workspace settings" />
        </MenuItem>
        <MenuItem
          onClick={() => {
            close();
            setCreating(true);
          }}
        >
          <ListItemIcon>
            <AddIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText primary="New workspace…" />
        </MenuItem>
      </Menu>
      {creating ? (
        <NewWorkspaceDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            const summary: Workspace = { id: created.id, name: created.name, role: created.role, created_at: created.created_at };
            queryClient.setQueryData<Workspace[]>(queryKeys.workspaces.list(), (now) =>
              now ? [...now.filter((w) => w.id !== created.id), summary] : [summary],
            );
            queryClient.setQueryData(queryKeys.workspaces.detail(created.id), created);
            void queryClient.invalidateQueries({ queryKey: queryKeys.workspaces.list() });
            select(created.id);
          }}
        />
      ) : null}
    </>
  );
}

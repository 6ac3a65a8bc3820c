import AccountCircleIcon from "@mui/icons-material/AccountCircle";
import KeyIcon from "@mui/icons-material/VpnKeyOutlined";
import LogoutIcon from "@mui/icons-material/Logout";
import { AppBar, Box, Button, ListItemIcon, ListItemText, Menu, MenuItem, Toolbar, Typography } from "@mui/material";
import { useState, type ReactNode } from "react";
import { NavLink, useNavigate } from "react-router-dom";

import { useAuth } from "../auth/useAuth";
import { WorkspaceSwitcher } from "../workspaces/WorkspaceSwitcher";

const LINKS = [
  { to: "/", label: "Workflows" },
  { to: "/runs", label: "Runs" },
  { to: "/knowledge-bases", label: "Knowledge bases" },
  { to: "/usage", label: "Usage" },
  { to: "/connections", label: "Connections", adminOnly: true },
];

/**
 * The app bar: the sections, the workspace switcher (whose workspace the dashboard, the runs
 * and the knowledge bases show) and the account menu (API keys, log out).
 */
export function Layout({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  return (
    <Box sx={{ minHeight: "100vh", display: "flex", flexDirection: "column" }}>
      <AppBar position="static" elevation={0}>
        <Toolbar variant="dense" sx={{ gap: 1, flexWrap: "wrap" }}>
          <Typography variant="h6" component="span" sx={{ mr: 2, fontWeight: 700 }}>
            GenAI Stack
          </Typography>
          {LINKS.filter((link) => !link.adminOnly || user?.is_admin).map((link) => (
            <Button
              key={link.to}
              component={NavLink}
              to={link.to}
              end={link.to === "/"}
              color="inherit"
              sx={{ "&.active": { bgcolor: "rgba(255,255,255,0.16)" } }}
            >
              {link.label}
            </Button>
          ))}
          <Box sx={{ flexGrow: 1 }} />
          <WorkspaceSwitcher />
          <AccountMenu email={user?.email ?? ""} />
        </Toolbar>
      </AppBar>
      <Box component="main" sx={{ flexGrow: 1, display: "flex", flexDirection: "column" }}>
        {children}
      </Box>
    </Box>
  );
}

function AccountMenu({ email }: { email: string }) {
  const navigate = useNavigate();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const go = (to: string, replace = false) => {
    setAnchor(null);
    void navigate(to, { replace });
  };
  return (
    <>
      <Button
        color="inherit"
        onClick={(e) => setAnchor(e.currentTarget)}
        aria-haspopup="menu"
        aria-expanded={anchor ? "true" : undefined}
        aria-controls={anchor ? "account-menu" : undefined}
        aria-label="Account"
        title={email}
        startIcon={<AccountCircleIcon />}
        sx={{ textTransform: "none" }}
      >
        <Box component="span" sx={{ display: { xs: "none", md: "inline" }, opacity: 0.85 }}>
          {email}
        </Box>
      </Button>
      <Menu id="account-menu" anchorEl={anchor} open={Boolean(anchor)} onClose={() => setAnchor(null)}>
        <MenuItem onClick={() => go("/api-keys")}>
          <ListItemIcon>
            <KeyIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText primary="API keys" />
        </MenuItem>
        {/* A navigation, not a direct logout: a page with unsaved changes can ask first.
            It replaces the page in the history, as the login page then replaces /logout. */}
        <MenuItem onClick={() => go("/logout", true)}>
          <ListItemIcon>
            <LogoutIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText primary="Log out" />
        </MenuItem>
      </Menu>
    </>
  );
}

import { AppBar, Box, Button, Toolbar, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { NavLink, useNavigate } from "react-router-dom";

import { useAuth } from "../auth/useAuth";

const LINKS = [
  { to: "/", label: "Workflows" },
  { to: "/runs", label: "Runs" },
  { to: "/knowledge-bases", label: "Knowledge bases" },
  { to: "/connections", label: "Connections", adminOnly: true },
];

export function Layout({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const navigate = useNavigate();
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
          <Typography variant="body2" sx={{ opacity: 0.85, display: { xs: "none", md: "block" } }}>
            {user?.email}
          </Typography>
          {/* A navigation, not a direct logout: a page with unsaved changes can ask first.
              It replaces the page in the history, as the login page then replaces /logout. */}
          <Button color="inherit" onClick={() => void navigate("/logout", { replace: true })}>
            Log out
          </Button>
        </Toolbar>
      </AppBar>
      <Box component="main" sx={{ flexGrow: 1, display: "flex", flexDirection: "column" }}>
        {children}
      </Box>
    </Box>
  );
}

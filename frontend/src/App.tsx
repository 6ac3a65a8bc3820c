import { Box, CircularProgress } from "@mui/material";
import { createBrowserRouter, Navigate, Outlet, useLocation, type RouteObject } from "react-router-dom";

import { ApiKeysPage } from "./apiKeys/ApiKeysPage";
import { LoginPage } from "./auth/LoginPage";
import { LogoutRoute } from "./auth/LogoutRoute";
import { useAuth } from "./auth/useAuth";
import { BuilderPage } from "./builder/BuilderPage";
import { Layout } from "./components/Layout";
import { ConnectionsPage } from "./connections/ConnectionsPage";
import { KnowledgeBasesPage } from "./knowledge/KnowledgeBasesPage";
import { RunDetailPage } from "./runs/RunDetailPage";
import { RunsPage } from "./runs/RunsPage";
import { UsagePage } from "./usage/UsagePage";
import { DashboardPage } from "./workflows/DashboardPage";
import { WorkspaceSettingsPage } from "./workspaces/WorkspaceSettingsPage";

/**
 * The root route: a spinner while the session is checked, the login page (every other path
 * redirects to it) when logged out, otherwise the app bar around the matched page.
 */
export function App() {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) {
    return (
      <Box sx={{ display: "grid", placeItems: "center", height: "100vh" }}>
        <CircularProgress aria-label="Loading" />
      </Box>
    );
  }
  if (!user) {
    if (location.pathname === "/login") return <LoginPage />;
    return <Navigate to="/login" state={{ from: location }} replace />;
  }
  if (location.pathname === "/login") return <Navigate to="/" replace />;
  return (
    <Layout>
      <Outlet />
    </Layout>
  );
}

export const routes: RouteObject[] = [
  {
    element: <App />,
    children: [
      { path: "/", element: <DashboardPage /> },
      { path: "/workflows/:workflowId", element: <BuilderPage /> },
      { path: "/runs", element: <RunsPage /> },
      { path: "/runs/:runId", element: <RunDetailPage /> },
      { path: "/knowledge-bases", element: <KnowledgeBasesPage /> },
      { path: "/usage", element: <UsagePage /> },
      { path: "/connections", element: <ConnectionsPage /> },
      { path: "/workspace", element: <WorkspaceSettingsPage /> },
      { path: "/api-keys", element: <ApiKeysPage /> },
      { path: "/logout", element: <LogoutRoute /> },
      { path: "/login", element: null }, // rendered by `App` itself, logged in or not
      { path: "*", element: <Navigate to="/" replace /> },
    ],
  },
];

/**
 * A data router (not `<BrowserRouter>`), so that the builder can block navigation with
 * `useBlocker`. Every way of leaving a page inside the app is a navigation of this router
 * (the app bar's links, and "Log out", which goes to `/logout`).
 */
export function createAppRouter() {
  return createBrowserRouter(routes);
}

/**
 * `/logout`: logging out is a navigation like any other, so that a page guarding unsaved
 * changes (the builder's `useBlocker`) is asked first. Once the token is gone, the app
 * shows the login page.
 */
import { useEffect } from "react";

import { useAuth } from "./useAuth";

export function LogoutRoute() {
  const { logout } = useAuth();
  useEffect(() => logout(), [logout]);
  return null;
}

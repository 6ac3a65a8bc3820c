/**
 * Who is logged in: the token lives in localStorage; `/auth/me` says whose it is. Logging
 * out revokes the session on the server (`POST /auth/logout`) and forgets the token.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";

import { api, getToken, setToken, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { AuthContext, type AuthState } from "./useAuth";

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setTokenState] = useState(getToken());
  const me = useQuery({
    queryKey: queryKeys.auth.me(token),
    enabled: token !== null,
    retry: false,
    queryFn: () => unwrap(api.GET("/api/v1/auth/me")),
  });

  const logout = useCallback(() => {
    const current = getToken();
    if (current) {
      // The server revokes the session; the token is forgotten here whatever it answers.
      void api
        .POST("/api/v1/auth/logout", { headers: { Authorization: `Bearer ${current}` } })
        .catch(() => undefined);
    }
    setToken(null);
    setTokenState(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    const onLoggedOut = () => setTokenState(null);
    window.addEventListener("genai-stack:logged-out", onLoggedOut);
    return () => window.removeEventListener("genai-stack:logged-out", onLoggedOut);
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const body = await unwrap(api.POST("/api/v1/auth/login", { body: { email, password } }));
    setToken(body.access_token);
    setTokenState(body.access_token);
  }, []);

  const value = useMemo<AuthState>(
    () => ({
      user: token ? (me.data ?? null) : null,
      loading: token !== null && me.isPending,
      login,
      logout,
    }),
    [token, me.data, me.isPending, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

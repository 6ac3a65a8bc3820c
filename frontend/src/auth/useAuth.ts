/** Who is logged in, for any component under `AuthProvider`. */
import { createContext, useContext } from "react";

import type { Schemas } from "../api/client";

export type User = Schemas["UserOut"];

export interface AuthState {
  user: User | null;
  loading: boolean;
  login: (email: string, password: string) => Promise<void>;
  logout: () => void;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}

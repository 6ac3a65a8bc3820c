import { Box, Button, Paper, Stack, TextField, Typography } from "@mui/material";
import { useState } from "react";
import type { FormEvent } from "react";

import { ErrorAlert } from "../components/ErrorAlert";
import { useAuth } from "./useAuth";

export function LoginPage() {
  const { login } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box sx={{ minHeight: "100vh", display: "grid", placeItems: "center", p: 2 }}>
      <Paper component="form" onSubmit={(event: FormEvent) => void submit(event)} sx={{ p: 4, width: "100%", maxWidth: 380 }}>
        <Stack spacing={2}>
          <Typography variant="h5" component="h1">
            GenAI Stack
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Log in to build and run your AI workflows.
          </Typography>
          <ErrorAlert error={error} />
          <TextField
            label="Email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          <Button type="submit" variant="contained" disabled={busy}>
            {busy ? "Logging in…" : "Log in"}
          </Button>
        </Stack>
      </Paper>
    </Box>
  );
}

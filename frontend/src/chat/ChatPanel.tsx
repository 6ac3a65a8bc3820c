/**
 * The chat beside the canvas: talks to the draft (test mode) or a published version
 * through a chat session, whose history the API keeps (and sends to the LLM).
 */
import AddCommentOutlinedIcon from "@mui/icons-material/AddCommentOutlined";
import SendIcon from "@mui/icons-material/Send";
import {
  Box,
  Button,
  CircularProgress,
  Divider,
  FormControl,
  IconButton,
  InputLabel,
  MenuItem,
  Paper,
  Select,
  Stack,
  TextField,
  Tooltip,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import type { FormEvent, KeyboardEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { ChatErrorView } from "./ChatError";
import { ChatMessageView } from "./ChatMessage";

export interface ChatPanelProps {
  workflowId: string;
  /** A published version number, "draft" (the builder's test mode), or undefined: latest. */
  version?: number | "draft";
}

type Message = Schemas["ChatMessageOut"];
type Session = Schemas["ChatSessionOut"];
/** The select's value: "draft", "latest" or a version number as a string. */
type Target = string;

interface Failure {
  key: string;
  sessionId: string | null;
  content: string;
  error: unknown;
  at: string;
}

const STORAGE_PREFIX = "genai-stack.chat-session.";

function targetOf(version: number | "draft" | undefined): Target {
  return version === undefined ? "latest" : String(version);
}

function versionOf(target: Target): number | "draft" | undefined {
  if (target === "draft") return "draft";
  if (target === "latest") return undefined;
  return Number(target);
}

function rememberedSession(workflowId: string): string | undefined {
  try {
    return localStorage.getItem(STORAGE_PREFIX + workflowId) ?? undefined;
  } catch {
    return undefined;
  }
}

function rememberSession(workflowId: string, sessionId: string | null): void {
  try {
    if (sessionId) localStorage.setItem(STORAGE_PREFIX + workflowId, sessionId);
    else localStorage.removeItem(STORAGE_PREFIX + workflowId);
  } catch {
    // storage unavailable: the latest session is shown instead
  }
}

function sessionTitle(content: string): string {
  const line = content.trim().split("\n")[0];
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || "New chat";
}

export function ChatPanel({ workflowId, version }: ChatPanelProps) {
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<Target>(targetOf(version));
  useEffect(() => setTarget(targetOf(version)), [version]);
  // undefined: the remembered or latest session; null: a new conversation, not yet sent
  const [chosen, setChosen] = useState<string | null | undefined>(() => rememberedSession(workflowId));
  useEffect(() => setChosen(rememberedSession(workflowId)), [workflowId]);
  const [input, setInput] = useState("");
  const [failures, setFailures] = useState<Failure[]>([]);
  const [pending, setPending] = useState<{ sessionId: string | null; content: string } | null>(null);
  const sendingTo = useRef<string | null>(null);

  const versions = useQuery({
    queryKey: ["workflow-versions", workflowId],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workflows/{workflow_id}/versions", {
          params: { path: { workflow_id: workflowId } },
        }),
      ),
  });
  const sessions = useQuery({
    queryKey: ["chat-sessions", workflowId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/chat/sessions", { params: { query: { workflow_id: workflowId } } })),
  });

  const sessionId: string | null = useMemo(() => {
    if (chosen === null || !sessions.data) return null;
    if (chosen && sessions.data.some((s) => s.id === chosen)) return chosen;
    return sessions.data[0]?.id ?? null;
  }, [chosen, sessions.data]);

  const messages = useQuery({
    queryKey: ["chat-messages", sessionId],
    enabled: sessionId !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/chat/sessions/{chat_id}/messages", {
          params: { path: { chat_id: sessionId! } },
        }),
      ),
  });

  const pick = (id: string | null) => {
    setChosen(id);
    rememberSession(workflowId, id);
  };

  const send = useMutation({
    mutationFn: async ({ content, session }: { content: string; session: string | null }) => {
      let id = session;
      if (!id) {
        const created = await unwrap(
          api.POST("/api/v1/chat/sessions", {
            body: { workflow_id: workflowId, title: sessionTitle(content) },
          }),
        );
        id = created.id;
        sendingTo.current = id;
        queryClient.setQueryData<Message[]>(["chat-messages", id], []);
        queryClient.setQueryData<Session[]>(["chat-sessions", workflowId], (old) => [
          created,
          ...(old ?? []),
        ]);
        pick(id);
        setPending({ sessionId: id, content });
      }
      const reply = await unwrap(
        api.POST("/api/v1/chat/sessions/{chat_id}/messages", {
          params: { path: { chat_id: id } },
          body: { content, version: versionOf(target) },
        }),
      );
      return { reply, id };
    },
    onMutate: ({ content, session }) => {
      sendingTo.current = session;
      setPending({ sessionId: session, content });
    },
    onSuccess: async ({ reply, id }, { content }) => {
      const question: Message = {
        id: `local-${reply.message.id}`,
        role: "user",
        content,
        metadata: {},
        run_id: null,
        created_at: reply.message.created_at,
      };
      queryClient.setQueryData<Message[]>(["chat-messages", id], (old) => [
        ...(old ?? []),
        question,
        reply.message,
      ]);
      setPending(null);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["chat-messages", id] }),
        queryClient.invalidateQueries({ queryKey: ["chat-sessions", workflowId] }),
        queryClient.invalidateQueries({ queryKey: ["runs"] }),
      ]);
    },
    onError: (error, { content, session }) => {
      setFailures((old) => [
        ...old,
        {
          key: `${Date.now()}-${old.length}`,
          sessionId: sendingTo.current ?? session,
          content,
          error,
          at: new Date().toISOString(),
        },
      ]);
      setPending(null);
      setInput((current) => current || content);
    },
  });

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const content = input.trim();
    if (!content || send.isPending || sessions.isPending) return;
    setInput("");
    send.mutate({ content, session: sessionId });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  // History and this session's failed sends, in time order.
  const items = useMemo(() => {
    type Item = { key: string; at: string; message?: Message; failure?: Failure };
    const history: Item[] = (sessionId ? (messages.data ?? []) : []).map((m) => ({
      key: m.id,
      at: m.created_at,
      message: m,
    }));
    const failed: Item[] = failures
      .filter((f) => f.sessionId === sessionId)
      .map((f) => ({ key: f.key, at: f.at, failure: f }));
    return [...history, ...failed].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, [messages.data, failures, sessionId]);

  const showPending = pending && pending.sessionId === sessionId;
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = scroller.current;
    if (box) box.scrollTop = box.scrollHeight;
  }, [items.length, showPending]);

  const latest = versions.data?.[0]?.number;
  const sessionList: Session[] = sessions.data ?? [];

  return (
    <Paper
      square
      elevation={0}
      data-testid="chat-panel"
      sx={{ display: "flex", flexDirection: "column", height: "100%", minHeight: 360, minWidth: 0 }}
    >
      <Stack spacing={1} sx={{ p: 1.5, pb: 1 }}>
        <Stack direction="row" sx={{ alignItems: "center", gap: 1 }}>
          <Typography variant="subtitle1" component="h2" sx={{ fontWeight: 600, flexGrow: 1 }}>
            Chat
          </Typography>
          <Tooltip title="Start a new conversation">
            <span>
              <Button
                size="small"
                startIcon={<AddCommentOutlinedIcon />}
                onClick={() => pick(null)}
                disabled={send.isPending}
              >
                New session
              </Button>
            </span>
          </Tooltip>
        </Stack>
        <Stack direction="row" sx={{ gap: 1 }}>
          <FormControl size="small" sx={{ flex: 1, minWidth: 0 }}>
            <InputLabel id="chat-version-label">Version</InputLabel>
            <Select
              labelId="chat-version-label"
              label="Version"
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              renderValue={(value) => {
                if (value === "draft") return "Draft (test mode)";
                if (value === "latest") return latest ? `Latest (v${latest})` : "Latest";
                return `v${value}`;
              }}
              inputProps={{ "aria-label": "Version to chat with" }}
            >
              <MenuItem value="draft">Draft (test mode)</MenuItem>
              <MenuItem value="latest">
                {latest ? `Latest published (v${latest})` : "Latest published (none yet: the draft)"}
              </MenuItem>
              {(versions.data ?? []).map((v) => (
                <MenuItem key={v.number} value={String(v.number)}>
                  v{v.number}
                  {v.note ? ` — ${v.note.slice(0, 40)}` : ""}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <FormControl size="small" sx={{ flex: 1, minWidth: 0 }}>
            <InputLabel id="chat-session-label">Session</InputLabel>
            <Select
              labelId="chat-session-label"
              label="Session"
              value={sessionId ?? "new"}
              onChange={(e) => pick(e.target.value === "new" ? null : e.target.value)}
              disabled={send.isPending}
              inputProps={{ "aria-label": "Chat session" }}
            >
              <MenuItem value="new">
                <em>New session</em>
              </MenuItem>
              {sessionList.map((s) => (
                <MenuItem key={s.id} value={s.id}>
                  {s.title}
                  <Typography component="span" variant="caption" color="text.secondary" sx={{ ml: 1 }}>
                    {new Date(s.updated_at).toLocaleDateString()}
                  </Typography>
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </Stack>
      </Stack>
      <Divider />
      <Box
        ref={scroller}
        role="log"
        aria-label="Conversation"
        aria-live="polite"
        sx={{ flex: 1, minHeight: 0, overflowY: "auto", p: 1.5, display: "flex", flexDirection: "column", gap: 1.5 }}
      >
        <ErrorAlert error={sessions.error} title="Could not load chat sessions" />
        <ErrorAlert error={messages.error} title="Could not load the conversation" />
        {sessionId && messages.isPending ? <CircularProgress size={24} aria-label="Loading the conversation" /> : null}
        {items.length === 0 && !showPending && !(sessionId && messages.isPending) ? (
          <Typography variant="body2" color="text.secondary" sx={{ textAlign: "center", mt: 4 }}>
            Ask a question to run the workflow.
          </Typography>
        ) : null}
        {items.map((item) =>
          item.message ? (
            <ChatMessageView key={item.key} message={item.message} />
          ) : (
            <Stack key={item.key} spacing={1}>
              <ChatMessageView message={{ role: "user", content: item.failure!.content, run_id: null }} />
              <ChatErrorView error={item.failure!.error} />
            </Stack>
          ),
        )}
        {showPending ? (
          <>
            <ChatMessageView message={{ role: "user", content: pending.content, run_id: null }} />
            <Stack
              direction="row"
              sx={{ gap: 1, alignItems: "center", color: "text.secondary" }}
              role="status"
              data-testid="chat-running"
            >
              <CircularProgress size={16} />
              <Typography variant="body2">Running the workflow…</Typography>
            </Stack>
          </>
        ) : null}
      </Box>
      <Divider />
      <Box component="form" onSubmit={submit} sx={{ p: 1.5, display: "flex", gap: 1, alignItems: "flex-end" }}>
        <TextField
          fullWidth
          size="small"
          multiline
          maxRows={6}
          placeholder="Ask something…"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={onKeyDown}
          slotProps={{ htmlInput: { "aria-label": "Message", maxLength: 20000 } }}
        />
        <Tooltip title="Send (Enter)">
          <span>
            <IconButton
              type="submit"
              color="primary"
              aria-label="Send"
              disabled={!input.trim() || send.isPending || sessions.isPending}
            >
              {send.isPending ? <CircularProgress size={20} /> : <SendIcon />}
            </IconButton>
          </span>
        </Tooltip>
      </Box>
    </Paper>
  );
}

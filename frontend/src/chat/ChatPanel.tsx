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
import { useEffect, useRef, useState } from "react";
import type { FormEvent, KeyboardEvent } from "react";

import { ErrorAlert } from "../components/ErrorAlert";
import { ChatErrorView } from "./ChatError";
import { ChatMessageView, StreamingReplyView } from "./ChatMessage";
import type { StepNode } from "./stepLine";
import { useChat, type Session } from "./useChat";

export interface ChatPanelProps {
  workflowId: string;
  /** A published version number, "draft" (the builder's test mode), or undefined: latest. */
  version?: number | "draft";
  /** The builder: saves unsaved changes before a message to the draft (see `useChat`). */
  prepareDraft?: () => Promise<void>;
  /** The builder: the canvas's nodes by id, to name the step running. */
  nodes?: ReadonlyMap<string, StepNode>;
}

export function ChatPanel({ workflowId, version, prepareDraft, nodes }: ChatPanelProps) {
  const [input, setInput] = useState("");
  const { target, setTarget, versions, sessions, sessionId, messages, pick, send, items, pending, step, streaming } =
    useChat({
      workflowId,
      version,
      prepareDraft,
      nodes,
      onSendFailed: (content) => setInput((current) => current || content),
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

  const showPending = pending !== null;
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = scroller.current;
    if (box) box.scrollTop = box.scrollHeight;
  }, [items.length, showPending, step, streaming?.text]);

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
              {item.failure!.asked ? null : (
                <ChatMessageView message={{ role: "user", content: item.failure!.content, run_id: null }} />
              )}
              <ChatErrorView error={item.failure!.error} title={item.failure!.title} />
            </Stack>
          ),
        )}
        {pending ? (
          <>
            {/* Once the run started, the question is in the history just above. */}
            {pending.runId ? null : (
              <ChatMessageView message={{ role: "user", content: pending.content, run_id: null }} />
            )}
            {/* A retried attempt's text is gone: only the step line shows until the next writes. */}
            {streaming?.text ? <StreamingReplyView text={streaming.text} /> : null}
            <Stack
              direction="row"
              sx={{ gap: 1, alignItems: "center", color: "text.secondary" }}
              role="status"
              data-testid="chat-running"
            >
              <CircularProgress size={16} />
              <Typography variant="body2" sx={{ wordBreak: "break-word" }}>
                {pending.runId ? (step ?? "Running the workflow…") : "Sending…"}
              </Typography>
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

/**
 * A workflow's chat: the version talked to, the session shown (remembered per workflow),
 * its messages, and sending — a new session is created by the first message; a failed
 * send is kept in the conversation with its error.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { useWorkflowVersions } from "../workflows/useWorkflows";

export type Message = Schemas["ChatMessageOut"];
export type Session = Schemas["ChatSessionOut"];
/** The version select's value: "draft", "latest" or a version number as a string. */
export type Target = string;

export interface Failure {
  key: string;
  sessionId: string | null;
  content: string;
  error: unknown;
  at: string;
}

/** A row of the conversation: a message of the history, or a send that failed. */
export interface ChatItem {
  key: string;
  at: string;
  message?: Message;
  failure?: Failure;
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

export interface UseChatOptions {
  workflowId: string;
  version: number | "draft" | undefined;
  /** A send failed: its text goes back into the (empty) input. */
  onSendFailed: (content: string) => void;
}

export function useChat({ workflowId, version, onSendFailed }: UseChatOptions) {
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<Target>(targetOf(version));
  // undefined: the remembered or latest session; null: a new conversation, not yet sent
  const [chosen, setChosen] = useState<string | null | undefined>(() => rememberedSession(workflowId));
  // Follow the props: another version asked for, another workflow's remembered session.
  const [shownVersion, setShownVersion] = useState(version);
  if (shownVersion !== version) {
    setShownVersion(version);
    setTarget(targetOf(version));
  }
  const [shownWorkflowId, setShownWorkflowId] = useState(workflowId);
  if (shownWorkflowId !== workflowId) {
    setShownWorkflowId(workflowId);
    setChosen(rememberedSession(workflowId));
  }
  const [failures, setFailures] = useState<Failure[]>([]);
  const [pending, setPending] = useState<{ sessionId: string | null; content: string } | null>(null);
  const sendingTo = useRef<string | null>(null);

  const versions = useWorkflowVersions(workflowId);
  const sessions = useQuery({
    queryKey: queryKeys.chat.sessions(workflowId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/chat/sessions", { params: { query: { workflow_id: workflowId } } })),
  });

  const sessionId: string | null = useMemo(() => {
    if (chosen === null || !sessions.data) return null;
    if (chosen && sessions.data.some((s) => s.id === chosen)) return chosen;
    return sessions.data[0]?.id ?? null;
  }, [chosen, sessions.data]);

  const messages = useQuery({
    queryKey: queryKeys.chat.messages(sessionId),
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
        queryClient.setQueryData<Message[]>(queryKeys.chat.messages(id), []);
        queryClient.setQueryData<Session[]>(queryKeys.chat.sessions(workflowId), (old) => [
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
      queryClient.setQueryData<Message[]>(queryKeys.chat.messages(id), (old) => [
        ...(old ?? []),
        question,
        reply.message,
      ]);
      setPending(null);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.chat.messages(id) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.chat.sessions(workflowId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.all() }),
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
      onSendFailed(content);
    },
  });

  // History and this session's failed sends, in time order.
  const items = useMemo(() => {
    const history: ChatItem[] = (sessionId ? (messages.data ?? []) : []).map((m) => ({
      key: m.id,
      at: m.created_at,
      message: m,
    }));
    const failed: ChatItem[] = failures
      .filter((f) => f.sessionId === sessionId)
      .map((f) => ({ key: f.key, at: f.at, failure: f }));
    return [...history, ...failed].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, [messages.data, failures, sessionId]);

  return {
    target,
    setTarget,
    versions,
    sessions,
    sessionId,
    messages,
    pick,
    send,
    items,
    /** The message being sent, while it is sent to the session shown. */
    pending: pending && pending.sessionId === sessionId ? pending : null,
  };
}

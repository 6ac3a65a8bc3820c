/**
 * A workflow's chat: the version talked to, the session shown (remembered per workflow),
 * its messages, and sending — a new session is created by the first message; the run's
 * current step and the answer its LLM step writes show while it runs; a failed send is
 * kept in the conversation with its error.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { api, ApiError, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { followRunEvents } from "../runs/runEvents";
import {
  initialStreaming,
  nextStreaming,
  streamingAnswer,
  writesToken,
  type StreamingAnswer,
} from "../runs/streamingAnswer";
import { useWorkflowVersions } from "../workflows/useWorkflows";
import { initialStepLine, nextStepLine, type StepNode } from "./stepLine";

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
  /** The question reached the history (the run failed): it is not shown twice. */
  asked?: boolean;
  /** The error's title, when not the API error's. */
  title?: string;
}

/** A send that failed at a given stage: why, and whether the question was stored. */
class SendError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly title: string,
    readonly asked = false,
  ) {
    super(title);
    this.name = "SendError";
  }
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

/** Now, or just after `time` when this clock is behind the server's. */
function notBefore(time: string | null): string {
  const now = Date.now();
  const after = time ? Date.parse(time) + 1 : now;
  return new Date(Math.max(now, Number.isNaN(after) ? now : after)).toISOString();
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
  /**
   * Before a message to the draft: make the draft what is on the canvas (the builder saves
   * unsaved changes); a rejection is shown and the message is not sent.
   */
  prepareDraft?: () => Promise<void>;
  /** The canvas's nodes by id: what each step is, for the current-step line. */
  nodes?: ReadonlyMap<string, StepNode>;
}

const NO_NODES: ReadonlyMap<string, StepNode> = new Map();

export function useChat({ workflowId, version, onSendFailed, prepareDraft, nodes = NO_NODES }: UseChatOptions) {
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
  const [pending, setPending] = useState<{ sessionId: string | null; content: string; runId?: string } | null>(
    null,
  );
  const [step, setStep] = useState<string | null>(null);
  // The answer an LLM step is writing, while the run goes on (kept until the reply replaces it).
  const [streaming, setStreaming] = useState<StreamingAnswer | null>(null);
  const [answers, setAnswers] = useState<{ sessionId: string; message: Message }[]>([]);
  const sendingTo = useRef<string | null>(null);
  // When the question being answered was stored (the server's clock).
  const askedAt = useRef<string | null>(null);
  const following = useRef<AbortController | null>(null);
  const nodesRef = useRef(nodes);
  useEffect(() => {
    nodesRef.current = nodes;
  }, [nodes]);
  // Leaving stops following the run (it goes on; its answer is stored in the session).
  useEffect(() => () => following.current?.abort(), []);
  const addFailure = useCallback((failure: Omit<Failure, "key" | "at">) => {
    setFailures((old) => [
      ...old,
      { ...failure, key: `${Date.now()}-${old.length}`, at: notBefore(askedAt.current) },
    ]);
  }, []);

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
      const version = versionOf(target);
      // The draft is what is on the canvas: save it first; nothing is sent if that fails.
      if (version === "draft" && prepareDraft) {
        try {
          await prepareDraft();
        } catch (err) {
          throw new SendError(err, "The canvas could not be saved, so the message was not sent");
        }
      }
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
      const accepted = await unwrap(
        api.POST("/api/v1/chat/messages", { body: { session_id: id, message: content, version } }),
      );
      // The question is stored: it joins the history, and the run's steps show under it.
      const sessionOfRun = id;
      askedAt.current = accepted.message.created_at;
      queryClient.setQueryData<Message[]>(queryKeys.chat.messages(sessionOfRun), (old) =>
        (old ?? []).some((m) => m.id === accepted.message.id) ? old : [...(old ?? []), accepted.message],
      );
      setPending({ sessionId: sessionOfRun, content, runId: accepted.run_id });
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs.all() });
      let steps = initialStepLine;
      let answer = initialStreaming;
      const controller = new AbortController();
      following.current = controller;
      let end;
      try {
        end = await followRunEvents(accepted.events_url, {
          signal: controller.signal,
          onEvent: (event) => {
            // A token the answer skips (sent again, or of a failed attempt) tells nothing of the step.
            if (event.event !== "token" || writesToken(answer, event.data)) {
              steps = nextStepLine(steps, event, nodesRef.current);
              setStep(steps.line);
            }
            const next = nextStreaming(answer, event);
            if (next !== answer) setStreaming(streamingAnswer(next));
            answer = next;
          },
        });
      } catch (err) {
        throw new SendError(
          err,
          "Lost the run's progress; its answer will appear in the conversation when it completes",
          true,
        );
      } finally {
        following.current = null;
        setStep(null);
      }
      return { id: sessionOfRun, end };
    },
    onMutate: ({ content, session }) => {
      sendingTo.current = session;
      askedAt.current = null;
      setPending({ sessionId: session, content });
      setStreaming(null);
    },
    onSuccess: async ({ id, end }, { content }) => {
      if (end?.event === "run_completed") {
        const answer = end.data;
        const reply: Message = {
          id: `live-${answer.run_id}`,
          role: "assistant",
          content: answer.response,
          metadata: {
            model: answer.model,
            usage: answer.usage,
            context_used: answer.context_used,
            citations: answer.citations ?? [],
            web_sources: answer.web_sources ?? [],
          },
          run_id: answer.run_id,
          created_at: notBefore(askedAt.current),
        };
        setAnswers((old) => [...old, { sessionId: id, message: reply }]);
      } else if (end?.event === "run_failed") {
        const { message, node_id, run_id, status } = end.data;
        addFailure({
          sessionId: id,
          content,
          asked: true,
          error: new ApiError(200, "run_failed", message, { run_id, node_id, status }),
        });
      }
      setPending(null);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.chat.messages(id) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.chat.sessions(workflowId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.all() }),
      ]);
    },
    onError: (error, { content, session }) => {
      const sent = error instanceof SendError && error.asked;
      addFailure({
        sessionId: sendingTo.current ?? session,
        content,
        asked: sent,
        title: error instanceof SendError ? error.title : undefined,
        error: error instanceof SendError ? error.cause : error,
      });
      setPending(null);
      if (sent) {
        if (sendingTo.current) {
          void queryClient.invalidateQueries({ queryKey: queryKeys.chat.messages(sendingTo.current) });
        }
      } else {
        onSendFailed(content);
      }
    },
  });

  // History and this session's failed sends, in time order.
  const items = useMemo(() => {
    const stored = sessionId ? (messages.data ?? []) : [];
    const answered = new Set(stored.filter((m) => m.role === "assistant").map((m) => m.run_id));
    // An answer seen live stays until the history holds it (it is stored as the run ends).
    const live = answers
      .filter((a) => a.sessionId === sessionId && !answered.has(a.message.run_id))
      .map((a) => a.message);
    const history: ChatItem[] = [...stored, ...live].map((m) => ({
      key: m.id,
      at: m.created_at,
      message: m,
    }));
    const failed: ChatItem[] = failures
      .filter((f) => f.sessionId === sessionId)
      .map((f) => ({ key: f.key, at: f.at, failure: f }));
    return [...history, ...failed].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, [messages.data, failures, answers, sessionId]);

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
    /** The run's current step in plain words, while it runs. */
    step,
    /** The answer being written, while the message is pending. */
    streaming: pending && pending.sessionId === sessionId ? streaming : null,
  };
}

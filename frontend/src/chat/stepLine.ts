/**
 * The chat's "current step" line, in plain words, from a run's live events: which kind of
 * node a step is comes from the graph on the canvas (by node id), else from the run's plan
 * (`run_started`).
 */
import type { RunEvent } from "../runs/runEvents";

/** What the line needs to know of a node: its component type and config. */
export interface StepNode {
  type: string;
  config?: Record<string, unknown>;
}

export const RUNNING = "Running the workflow…";

export interface StepLineState {
  line: string;
  /** The plan's node types, from `run_started`. */
  plan: Record<string, string>;
  /** The last failed attempt's error, shown while it is retried. */
  lastError: string | null;
  /** The step the line names, or null (the line says a step is retried, or nothing). */
  naming: string | null;
  /** Per step, the attempt under way or next, as the history numbers them. */
  attempts: Record<string, number>;
}

export const initialStepLine: StepLineState = {
  line: RUNNING,
  plan: {},
  lastError: null,
  naming: null,
  attempts: {},
};

function describe(nodeId: string, node: StepNode | undefined, planType: string | undefined): string {
  const type = node?.type ?? planType;
  switch (type) {
    case "knowledge_base":
      return "Searching the knowledge base…";
    case "web_search":
      return "Searching the web…";
    case "llm_engine": {
      const model = node?.config?.model;
      return `Asking ${typeof model === "string" && model ? model : "the language model"}…`;
    }
    case "user_query":
      return "Reading the question…";
    case "output":
      return "Preparing the answer…";
    default:
      return `Running step “${nodeId}”…`;
  }
}

function retryLine(reason: string | null): string {
  if (reason === "a rate limit" || reason === "a timeout") return `Retrying after ${reason}…`;
  if (reason === "the answer was cut off") return "The answer was cut off: asking again…";
  return reason ? `Retrying after an error: ${reason}` : "Retrying after an error…";
}

/** Why an attempt failed, in the words the line uses while the step is retried. */
export function failureWords(errorType: string | null, status: string, error: string | null): string | null {
  if (errorType === "ProviderRateLimited") return "a rate limit";
  if (status === "timed_out") return "a timeout";
  if (error && /stream broke/.test(error)) return "the answer was cut off";
  return error ?? status;
}

/** The line naming `attempt` of `nodeId`. */
function naming(
  state: StepLineState,
  nodeId: string,
  attempt: number,
  nodes: ReadonlyMap<string, StepNode>,
): StepLineState {
  const line = describe(nodeId, nodes.get(nodeId), state.plan[nodeId]);
  return {
    ...state,
    line: attempt > 1 ? `${line} (attempt ${attempt})` : line,
    naming: nodeId,
    attempts: { ...state.attempts, [nodeId]: attempt },
  };
}

/** A retry of `nodeId` is coming: `attempt` is the next. */
function retry(state: StepLineState, nodeId: string, attempt: number, lastError: string | null): StepLineState {
  return {
    ...state,
    lastError,
    line: retryLine(lastError),
    naming: null,
    attempts: { ...state.attempts, [nodeId]: Math.max(attempt, state.attempts[nodeId] ?? 1) },
  };
}

/** The line after `event`. */
export function nextStepLine(
  state: StepLineState,
  event: RunEvent,
  nodes: ReadonlyMap<string, StepNode>,
): StepLineState {
  switch (event.event) {
    case "run_started": {
      const plan = Object.fromEntries(event.data.nodes.map((n) => [n.node_id, n.component]));
      return { ...state, plan, line: RUNNING };
    }
    case "step_started": {
      const { node_id, attempt } = event.data;
      return naming(state, node_id, Math.max(attempt, state.attempts[node_id] ?? 1), nodes);
    }
    case "token": {
      // An LLM step writing: its step_started may come later (history events lag behind).
      // (A token's attempt numbers the step's streamed answers, not the history's attempts.)
      const { node_id } = event.data;
      return state.naming === node_id ? state : naming(state, node_id, state.attempts[node_id] ?? 1, nodes);
    }
    case "attempt_failed": {
      const { node_id, attempt, error, error_type, status } = event.data;
      return retry(state, node_id, attempt + 1, failureWords(error_type, status, error));
    }
    case "retrying":
      return retry(state, event.data.node_id, event.data.attempt, state.lastError);
    case "step_completed":
      return { ...state, lastError: null };
    default:
      return state;
  }
}

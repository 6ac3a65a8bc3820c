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
}

export const initialStepLine: StepLineState = { line: RUNNING, plan: {}, lastError: null };

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

function retryLine(error: string | null): string {
  return error ? `Retrying after an error: ${error}` : "Retrying after an error…";
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
      const line = describe(node_id, nodes.get(node_id), state.plan[node_id]);
      return { ...state, line: attempt > 1 ? `${line} (attempt ${attempt})` : line };
    }
    case "attempt_failed": {
      const lastError = event.data.error ?? event.data.status;
      return { ...state, lastError, line: retryLine(lastError) };
    }
    case "retrying":
      return { ...state, line: retryLine(state.lastError) };
    case "step_completed":
      return { ...state, lastError: null };
    default:
      return state;
  }
}

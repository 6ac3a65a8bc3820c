/**
 * The answer an LLM step is writing, folded from a run's live events. A step's `token`s
 * are joined in order; a failed attempt's text is discarded — when the step's failure is
 * reported (`attempt_failed`, `retrying`) or when a token of a later attempt comes — and
 * never joined to the next attempt's; `run_completed`'s response replaces it all (the
 * answer as the workflow shaped it).
 *
 * A token's `attempt` numbers the step's streamed answers, which the history's attempt
 * numbers usually match but need not (an attempt that failed before writing a word may
 * leave no stream; a local step whose worker died streams again in the same attempt). So
 * history events never make a token stale: a failure discards the text shown and makes
 * the late tokens of that token attempt stale (they may come after the failure), and a
 * failure's second event (`retrying` after `attempt_failed`) changes nothing.
 */
import type { RunEvent, TokenDelta } from "./runEvents";

/** What is shown: `text` so far of `attempt` of the LLM step `nodeId`. */
export interface StreamingAnswer {
  nodeId: string;
  attempt: number;
  text: string;
  /** The run completed: `text` is its final answer. */
  final: boolean;
}

interface StepText {
  /** The token attempt `text` belongs to: tokens of earlier ones are stale. */
  attempt: number;
  text: string;
  /** `attempt` failed: its text is gone, and its late tokens are stale too. */
  discarded: boolean;
  /** The last attempt the history reported failed (0: none). */
  failed: number;
  completed: boolean;
}

export interface StreamingState {
  /** The step shown: the first to stream, until it completes and another streams. */
  shown: string | null;
  /** Each LLM step's text (parallel branches stream side by side). */
  steps: Readonly<Record<string, StepText>>;
  /** The highest token `seq` applied: a token sent again after a reconnection is skipped. */
  lastSeq: number;
  /** `run_completed`'s response, once it came. */
  final: string | null;
}

export const initialStreaming: StreamingState = { shown: null, steps: {}, lastSeq: 0, final: null };

function withStep(state: StreamingState, nodeId: string, step: StepText): StreamingState {
  return { ...state, steps: { ...state.steps, [nodeId]: step } };
}

/** Whether `token` adds to the answer: not sent before, nor of a failed or replaced attempt. */
export function writesToken(state: StreamingState, token: TokenDelta): boolean {
  if (token.seq <= state.lastSeq) return false;
  const step = state.steps[token.node_id];
  return !step || token.attempt > step.attempt || (token.attempt === step.attempt && !step.discarded);
}

function applyToken(state: StreamingState, token: TokenDelta): StreamingState {
  if (!writesToken(state, token)) return state;
  const { node_id, attempt, seq, text } = token;
  const step = state.steps[node_id];
  const kept = step && step.attempt === attempt ? step.text : "";
  const shownStep = state.shown === null ? undefined : state.steps[state.shown];
  const shown = shownStep && !shownStep.completed ? state.shown : node_id;
  const next = { attempt, text: kept + text, discarded: false, failed: step?.failed ?? 0, completed: false };
  return { ...withStep(state, node_id, next), shown, lastSeq: seq };
}

/** The history says attempt `failed` of the step failed (both its events say so). */
function applyFailure(state: StreamingState, nodeId: string, failed: number): StreamingState {
  const step = state.steps[nodeId] ?? { attempt: 0, text: "", discarded: false, failed: 0, completed: false };
  if (failed <= step.failed) return state; // already applied: `retrying` follows `attempt_failed`
  return withStep(state, nodeId, { ...step, failed, text: "", discarded: step.attempt > 0, completed: false });
}

/** The state after `event`. */
export function nextStreaming(state: StreamingState, event: RunEvent): StreamingState {
  switch (event.event) {
    case "token":
      return applyToken(state, event.data);
    case "attempt_failed":
      return applyFailure(state, event.data.node_id, event.data.attempt);
    case "retrying":
      return applyFailure(state, event.data.node_id, event.data.attempt - 1);
    case "step_completed": {
      const step = state.steps[event.data.node_id];
      return step ? withStep(state, event.data.node_id, { ...step, completed: true }) : state;
    }
    case "run_completed":
      return { ...state, final: event.data.response };
    default:
      return state;
  }
}

/** The answer to show, or null while no LLM step has streamed. */
export function streamingAnswer(state: StreamingState): StreamingAnswer | null {
  const step = state.shown === null ? undefined : state.steps[state.shown];
  if (state.shown === null || !step) return null;
  return { nodeId: state.shown, attempt: step.attempt, text: state.final ?? step.text, final: state.final !== null };
}

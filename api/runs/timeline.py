"""A run's node-by-node timeline, read from its Temporal event history (the source of truth).

Pure functions, no I/O: give them a ``WorkflowHistory`` of a ``GraphRun``.

* ``run_input_of``: the ``GraphRunInput`` the run started with.
* ``build_timeline``: status, attempts, inputs and outputs of every plan step.
* ``recorded_outputs``: what every finished step produced, by port, exact and unredacted
  (what "replay from a node" feeds back as ``GraphRunInput.reuse``).

How the history names steps: every activity call carries its step's node id as its
summary (``user_metadata.summary``), both a regular activity's ACTIVITY_TASK_SCHEDULED and a
local activity's ``core_local_activity`` marker; so does the timer a workflow-driven retry
waits on. Each scheduled activity (or marker) is one call; retries made by the workflow
are several calls of one step, retries made by the server (``STARTED.attempt`` > 1) or
inside the worker (a marker's ``attempt`` > 1) are several attempts of one call.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, JsonValue, ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType, TimeoutType, WorkflowTaskFailedCause
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import ActivityTaskStartedEventAttributes, HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from api.runs.redaction import redact as redact_value
from api.runs.timeline_schemas import (
    AttemptRecord,
    AttemptStatus,
    ExecutionStatus,
    NodeStatus,
    NodeTimeline,
    RunEvent,
    RunTimeline,
)
from workflows.components import LlmEngineConfig, OutputConfig
from workflows.graph_run import shape_output
from workflows.plan import GraphRunInput, GraphRunResult, PlanStep, RunOutput
from workflows.step_io import (
    AnswerOutput,
    BlobRef,
    KnowledgeSearchOutput,
    Passage,
    WebResult,
    WebSearchOutput,
)

StepOutputs = dict[str, JsonValue]

_E = EventType
_LOCAL_ACTIVITY_MARKER = "core_local_activity"
WORKER_STOPPED = "a worker stopped responding"


def _dump(model: BaseModel) -> dict[str, JsonValue]:
    return model.model_dump(mode="json")


def _search_outputs(found: KnowledgeSearchOutput) -> StepOutputs:
    return {"context": _dump(found)["passages"]}


def _web_outputs(searched: WebSearchOutput) -> StepOutputs:
    return {"results": _dump(searched)["results"]}


def _answer_outputs(answer: AnswerOutput) -> StepOutputs:
    return {"answer": _dump(answer)}


# By component: the activity's result type, and how ``GraphRun._execute`` turns it into
# the step's outputs by port.
_ACTIVITY_RESULTS: dict[str, tuple[type[BaseModel], Callable[[Any], StepOutputs]]] = {
    "knowledge_base": (KnowledgeSearchOutput, _search_outputs),
    "web_search": (WebSearchOutput, _web_outputs),
    "llm_engine": (AnswerOutput, _answer_outputs),
}


# --------------------------------------------------------------------------- decoding


def _decode(payload: Payload, type_hint: type[Any]) -> Any:
    return pydantic_data_converter.payload_converter.from_payload(payload, type_hint)


def _time(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime(tzinfo=UTC)


def _proto_json_time(value: Any) -> datetime | None:
    """A ``{seconds, nanos}`` timestamp as a marker's JSON data carries it."""
    if not isinstance(value, dict) or "seconds" not in value:
        return None
    seconds = int(value.get("seconds") or 0) + int(value.get("nanos") or 0) / 1e9
    return datetime.fromtimestamp(seconds, tz=UTC)


def _proto_json_ms(value: Any) -> int | None:
    """A ``{seconds, nanos}`` duration in milliseconds."""
    if not isinstance(value, dict):
        return None
    return round(int(value.get("seconds") or 0) * 1000 + int(value.get("nanos") or 0) / 1e6)


def _summary(event: HistoryEvent) -> str | None:
    if not (event.HasField("user_metadata") and event.user_metadata.HasField("summary")):
        return None
    try:
        summary = _decode(event.user_metadata.summary, str)
    except Exception:  # a summary written by something else: not a node id
        return None
    return summary if isinstance(summary, str) else None


def _ms(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds() * 1000))


def _failure_text(failure: Failure) -> str:
    """A failure's message; a timeout without one says which timeout."""
    if failure.message:
        return failure.message
    if failure.HasField("timeout_failure_info"):
        kind = TimeoutType.Name(failure.timeout_failure_info.timeout_type)
        return f"timed out ({kind.removeprefix('TIMEOUT_TYPE_').lower().replace('_', ' ')})"
    if failure.HasField("canceled_failure_info"):
        return "cancelled"
    return "failed"


def _failure_type(failure: Failure) -> str | None:
    if failure.HasField("application_failure_info"):
        return failure.application_failure_info.type or None
    if failure.HasField("timeout_failure_info"):
        kind = TimeoutType.Name(failure.timeout_failure_info.timeout_type)
        return "".join(p.title() for p in kind.removeprefix("TIMEOUT_TYPE_").split("_"))
    if failure.HasField("canceled_failure_info"):
        return "Cancelled"
    return None


def _failure_status(failure: Failure) -> AttemptStatus:
    if failure.HasField("timeout_failure_info"):
        return "timed_out"
    if failure.HasField("canceled_failure_info"):
        return "cancelled"
    return "failed"


def _failure_node(failure: Failure) -> str | None:
    """The node a run's failure names (``GraphRun`` raises with ``{"node_id": …}``)."""
    if not failure.HasField("application_failure_info"):
        return None
    payloads = failure.application_failure_info.details.payloads
    try:
        details = _decode(payloads[0], dict) if payloads else None
    except Exception:  # details written by something else
        return None
    node_id = details.get("node_id") if isinstance(details, dict) else None
    return node_id if isinstance(node_id, str) else None


def _non_retryable(failure: Failure) -> bool:
    return failure.HasField("application_failure_info") and (
        failure.application_failure_info.non_retryable
    )


def started_input(event: HistoryEvent) -> GraphRunInput | None:
    """The run's input, if ``event`` is the one that started it (and carries an input)."""
    if event.event_type != _E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        return None
    payloads = event.workflow_execution_started_event_attributes.input.payloads
    return _decode(payloads[0], GraphRunInput) if payloads else None


def event_time(event: HistoryEvent) -> datetime:
    """When the history recorded ``event`` (UTC)."""
    return _time(event)


def run_input_of(history: WorkflowHistory) -> GraphRunInput:
    """The input of the run (its plan, query, chat history and reused outputs)."""
    for event in history.events:
        if event.event_type == _E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            found = started_input(event)
            if found is None:
                break
            return found
    raise ValueError(f"history of {history.workflow_id} has no GraphRun input")


# ---------------------------------------------------------------------- reading events


@dataclass
class _Call:
    """One scheduled activity or one local-activity marker: one or more attempts."""

    node_id: str
    activity: str
    attempts: list[AttemptRecord] = field(default_factory=list)
    result: Payload | None = None
    non_retryable: bool = False
    # A local activity marker with a backoff: the worker retries it after a timer and
    # records the next attempts in a new marker that continues this one's count.
    continued_from_attempt: int | None = None


@dataclass
class _Run:
    """What the events say, before it is fitted to the plan."""

    started_at: datetime
    status: ExecutionStatus = "running"
    finished_at: datetime | None = None
    error: str | None = None
    result: GraphRunResult | None = None
    # The node a failed run names (the workflow's ApplicationError details), if any.
    failed_node: str | None = None
    calls: dict[str, list[_Call]] = field(default_factory=dict)
    events: list[RunEvent] = field(default_factory=list)
    # Per node: a workflow-driven retry's timer started after the node's last call.
    retry_timer: dict[str, bool] = field(default_factory=dict)
    pending_backoff_ms: dict[str, int | None] = field(default_factory=dict)


class HistoryReader:
    """Walks the history once, collecting every step's calls and the run's outcome.

    ``read_all`` reads a whole history; ``feed`` reads one event at a time (what the
    run's event stream does while it follows the history, ``api.runs.live_events``).
    """

    def __init__(self, run_input: GraphRunInput, started_at: datetime) -> None:
        steps = run_input.plan.steps
        self._node_ids = {s.node_id for s in steps}
        by_activity: dict[str, list[str]] = {}
        for step in steps:
            if step.activity:
                by_activity.setdefault(step.activity, []).append(step.node_id)
        # Histories without summaries: an activity type used by one step names that step.
        self._only_step_of = {a: ids[0] for a, ids in by_activity.items() if len(ids) == 1}
        self._scheduled: dict[int, _Call] = {}
        self.run = _Run(started_at=started_at)

    @classmethod
    def read_all(cls, history: WorkflowHistory, run_input: GraphRunInput) -> "_Run":
        first = history.events[0] if history.events else None
        reader = cls(run_input, _time(first) if first else datetime.fromtimestamp(0, UTC))
        for event in history.events:
            reader.feed(event)
        return reader.run

    def feed(self, event: HistoryEvent) -> None:
        """Reads the next event of the history."""
        self._on_event(event)

    def _node_of(self, event: HistoryEvent, activity: str) -> str | None:
        summary = _summary(event)
        if summary in self._node_ids:
            return summary
        return self._only_step_of.get(activity)

    def _new_call(self, node_id: str, activity: str) -> _Call:
        call = _Call(node_id=node_id, activity=activity)
        self.run.calls.setdefault(node_id, []).append(call)
        self.run.retry_timer[node_id] = False
        return call

    def _add_attempt(self, call: _Call, **values: Any) -> AttemptRecord:
        """Adds an attempt to a call; the first one gets the backoff waited before it."""
        backoff = self.run.pending_backoff_ms.pop(call.node_id, None)
        attempt = AttemptRecord(attempt=0, backoff_ms=backoff, **values)
        call.attempts.append(attempt)
        return attempt

    def _on_event(self, event: HistoryEvent) -> None:
        kind = event.event_type
        at = _time(event)
        run = self.run
        if kind == _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            activity = event.activity_task_scheduled_event_attributes.activity_type.name
            node_id = self._node_of(event, activity)
            if node_id is not None:
                call = self._new_call(node_id, activity)
                self._add_attempt(call, scheduled_at=at, status="running")
                self._scheduled[event.event_id] = call
        elif kind == _E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            started_call = self._scheduled.get(started.scheduled_event_id)
            if started_call is not None:
                self._on_started(started_call, at, started)
        elif kind in (
            _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
            _E.EVENT_TYPE_ACTIVITY_TASK_FAILED,
            _E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
            _E.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
        ):
            self._on_activity_closed(event, at)
        elif kind == _E.EVENT_TYPE_MARKER_RECORDED:
            self._on_marker(event, at)
        elif kind == _E.EVENT_TYPE_TIMER_STARTED:
            node_id = _summary(event)
            if node_id in self._node_ids:
                backoff = event.timer_started_event_attributes.start_to_fire_timeout
                run.retry_timer[node_id] = True
                run.pending_backoff_ms[node_id] = round(
                    backoff.ToTimedelta().total_seconds() * 1000
                )
        elif kind == _E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
            timeout_type = event.workflow_task_timed_out_event_attributes.timeout_type
            detail = TimeoutType.Name(timeout_type).removeprefix("TIMEOUT_TYPE_").lower()
            run.events.append(
                RunEvent(
                    at=at,
                    kind="workflow_task_timed_out",
                    message=WORKER_STOPPED,
                    detail=f"workflow task timed out ({detail.replace('_', ' ')})",
                )
            )
        elif kind == _E.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            task_failed = event.workflow_task_failed_event_attributes
            cause = WorkflowTaskFailedCause.Name(task_failed.cause)
            detail = cause.removeprefix("WORKFLOW_TASK_FAILED_CAUSE_").lower().replace("_", " ")
            if task_failed.HasField("failure") and task_failed.failure.message:
                detail = f"{detail}: {task_failed.failure.message}"
            run.events.append(
                RunEvent(at=at, kind="workflow_task_failed", message=WORKER_STOPPED, detail=detail)
            )
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
            reason = event.workflow_execution_cancel_requested_event_attributes.cause
            run.events.append(
                RunEvent(
                    at=at,
                    kind="cancel_requested",
                    message="cancellation of the run was requested",
                    detail=reason or None,
                )
            )
        else:
            self._on_close(event, at)

    def _on_started(
        self, call: _Call, at: datetime, attrs: ActivityTaskStartedEventAttributes
    ) -> None:
        """A regular activity's start; ``attrs.attempt`` > 1 means the server retried it."""
        attempt = attrs.attempt
        current = call.attempts[-1]
        if attempt > 1:
            # The server records STARTED once, for the attempt that ended the call; the
            # earlier attempts only left the last one's failure.
            current.status = "failed"
            for _ in range(2, attempt):
                call.attempts.append(AttemptRecord(attempt=0, status="failed"))
            if attrs.HasField("last_failure"):
                previous = call.attempts[-1]
                previous.status = _failure_status(attrs.last_failure)
                previous.error = _failure_text(attrs.last_failure)
                previous.error_type = _failure_type(attrs.last_failure)
            current = AttemptRecord(attempt=0, status="running")
            call.attempts.append(current)
        current.started_at = at

    def _on_activity_closed(self, event: HistoryEvent, at: datetime) -> None:
        kind = event.event_type
        if kind == _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            attrs: Any = event.activity_task_completed_event_attributes
        elif kind == _E.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            attrs = event.activity_task_failed_event_attributes
        elif kind == _E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            attrs = event.activity_task_timed_out_event_attributes
        else:
            attrs = event.activity_task_canceled_event_attributes
        call = self._scheduled.get(attrs.scheduled_event_id)
        if call is None:
            return
        attempt = call.attempts[-1]
        attempt.finished_at = at
        if kind == _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            attempt.status = "completed"
            call.result = attrs.result.payloads[0] if attrs.result.payloads else None
        elif kind == _E.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
            attempt.status = "cancelled"
        else:
            failure = attrs.failure
            attempt.status = (
                "timed_out" if kind == _E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT else "failed"
            )
            attempt.error = _failure_text(failure)
            attempt.error_type = _failure_type(failure)
            call.non_retryable = _non_retryable(failure)
            if kind == _E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
                self.run.events.append(
                    RunEvent(
                        at=at,
                        kind="activity_timed_out",
                        message=f"step '{call.node_id}' timed out; its worker may have stopped",
                        node_id=call.node_id,
                        detail=attempt.error,
                    )
                )

    def _on_marker(self, event: HistoryEvent, at: datetime) -> None:
        """A local activity's outcome: its attempts, times and result or failure."""
        attrs = event.marker_recorded_event_attributes
        if attrs.marker_name != _LOCAL_ACTIVITY_MARKER or "data" not in attrs.details:
            return
        data_payloads = attrs.details["data"].payloads
        if not data_payloads:
            return
        data = _decode(data_payloads[0], dict)
        activity = str(data.get("activity_type") or "")
        node_id = self._node_of(event, activity)
        if node_id is None:
            return
        reported = max(1, int(data.get("attempt") or 1))
        scheduled_at = _proto_json_time(data.get("original_schedule_time"))
        finished_at = _proto_json_time(data.get("complete_time")) or at
        if scheduled_at is not None and finished_at < scheduled_at:
            finished_at = scheduled_at  # seen in real markers: slightly out of order
        earlier = self.run.calls.get(node_id, [])
        continues = earlier[-1].continued_from_attempt if earlier else None
        chained = continues is not None and continues < reported
        first_attempt = continues + 1 if chained and continues is not None else 1
        if chained:
            # The worker's own retry after a long backoff: the marker's times are the chain's.
            scheduled_at = None
        call = self._new_call(node_id, activity)
        for n in range(first_attempt, reported):
            self._add_attempt(call, scheduled_at=scheduled_at if n == 1 else None, status="failed")
        last = self._add_attempt(
            call,
            scheduled_at=scheduled_at if reported == first_attempt else None,
            started_at=scheduled_at if reported == first_attempt else None,
            finished_at=finished_at,
            status="completed",
        )
        if (
            "result" in attrs.details
            and attrs.details["result"].payloads
            and not attrs.HasField("failure")
        ):
            call.result = attrs.details["result"].payloads[0]
        elif attrs.HasField("failure"):
            last.status = _failure_status(attrs.failure)
            last.error = _failure_text(attrs.failure)
            last.error_type = _failure_type(attrs.failure)
            call.non_retryable = _non_retryable(attrs.failure)
        else:
            last.status = "failed"
        if data.get("backoff"):
            call.continued_from_attempt = reported
            self.run.pending_backoff_ms[node_id] = _proto_json_ms(data["backoff"])

    def _on_close(self, event: HistoryEvent, at: datetime) -> None:
        """The run's end, if ``event`` is one."""
        run = self.run
        kind = event.event_type
        if kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            run.status = "completed"
            payloads = event.workflow_execution_completed_event_attributes.result.payloads
            if payloads:
                run.result = _decode(payloads[0], GraphRunResult)
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
            run.status = "failed"
            failure = event.workflow_execution_failed_event_attributes.failure
            run.error = _failure_text(failure)
            run.failed_node = _failure_node(failure)
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
            run.status = "timed_out"
            run.error = "the run timed out"
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
            run.status = "terminated"
            reason = event.workflow_execution_terminated_event_attributes.reason
            run.error = f"terminated: {reason}" if reason else "terminated"
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
            run.status = "cancelled"
            run.error = "cancelled"
        else:
            return
        run.finished_at = at


# ------------------------------------------------------------------ fitting to the plan


@dataclass
class _Node:
    """One step, unredacted."""

    step: PlanStep
    status: NodeStatus
    attempts: list[AttemptRecord] = field(default_factory=list)
    outputs: StepOutputs | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None


def _activity_node(step: PlanStep, calls: list[_Call], run: _Run) -> _Node:
    attempts = [a for call in calls for a in call.attempts]
    for number, attempt in enumerate(attempts, start=1):
        attempt.attempt = number
    if not attempts:
        return _Node(step=step, status="pending")
    last, call = attempts[-1], calls[-1]
    node = _Node(step=step, status="running", attempts=attempts)
    times = [t for a in attempts for t in (a.scheduled_at, a.started_at) if t is not None]
    node.started_at = min(times) if times else None
    closed = run.status != "running"
    if last.status == "completed":
        kind = _ACTIVITY_RESULTS.get(step.component)
        if call.result is not None and kind is not None:
            result_type, to_outputs = kind
            node.outputs = to_outputs(_decode(call.result, result_type))
        node.status = "completed"
        node.finished_at = last.finished_at
    elif last.status == "running":
        if closed:
            last.status = "cancelled"
            node.status = "failed"
            node.error = f"stopped: the run {_run_word(run.status)} before this step finished"
            node.finished_at = run.finished_at
    else:
        exhausted = len(attempts) >= step.policy.maximum_attempts
        retrying = run.retry_timer.get(step.node_id, False) or not (
            exhausted or call.non_retryable or last.status == "cancelled"
        )
        if closed or not retrying:
            node.status = "failed"
            node.error = last.error or (
                f"stopped: the run {_run_word(run.status)} before this step finished"
            )
            node.finished_at = last.finished_at or run.finished_at
    if node.finished_at is not None and node.started_at is not None:
        node.finished_at = max(node.finished_at, node.started_at)
    return node


def _run_word(status: ExecutionStatus) -> str:
    return {
        "completed": "completed",
        "failed": "failed",
        "timed_out": "timed out",
        "terminated": "was terminated",
        "cancelled": "was cancelled",
    }.get(status, "ended")


def _output_node(
    step: PlanStep, inputs: dict[str, JsonValue], upstream_done: datetime | None, run: _Run
) -> _Node:
    """An output node: its ``RunOutput`` is in the result, or follows from the answer."""
    output: RunOutput | None = None
    if run.result is not None:
        output = next((o for o in run.result.outputs if o.node_id == step.node_id), None)
    if output is None and "answer" in inputs and isinstance(step.config, OutputConfig):
        # The workflow shapes the output as soon as the answer arrives (no activity).
        try:
            answer = AnswerOutput.model_validate(inputs["answer"])
        except ValidationError:  # a malformed reused answer: the step cannot have run
            return _Node(step=step, status="pending")
        output = shape_output(step.node_id, step.config, answer)
    if output is None:
        return _Node(step=step, status="pending")
    at = upstream_done or run.finished_at or run.started_at
    return _Node(
        step=step,
        status="completed",
        outputs={"output": _dump(output)},
        started_at=at,
        finished_at=at,
    )


def _nodes(run_input: GraphRunInput, run: _Run) -> list[_Node]:
    """Every plan step, in plan order, with its status and unredacted outputs."""
    nodes: dict[str, _Node] = {}
    for step in run_input.plan.steps:
        inputs = _inputs(step, nodes)
        if step.node_id in run_input.reuse:
            node = _Node(step=step, status="reused", outputs=dict(run_input.reuse[step.node_id]))
        elif step.component == "user_query":
            node = _Node(
                step=step,
                status="completed",
                outputs={"query": run_input.query},
                started_at=run.started_at,
                finished_at=run.started_at,
            )
        elif step.component == "output" and step.activity is None:
            done = [nodes[d].finished_at for d in step.depends_on if d in nodes]
            known = [t for t in done if t is not None]
            node = _output_node(step, inputs, max(known) if known else None, run)
        else:
            node = _activity_node(step, run.calls.get(step.node_id, []), run)
        nodes[step.node_id] = node
    return list(nodes.values())


def _inputs(step: PlanStep, done: dict[str, _Node]) -> dict[str, JsonValue]:
    """A step's inputs by port, from its bindings and what upstream steps produced."""
    inputs: dict[str, JsonValue] = {}
    for binding in step.inputs:
        upstream = done.get(binding.source_step)
        if upstream is not None and upstream.outputs and binding.source_port in upstream.outputs:
            inputs[binding.port] = upstream.outputs[binding.source_port]
    return inputs


# ------------------------------------------------------------------------- public API


def recorded_outputs(history: WorkflowHistory) -> dict[str, dict[str, JsonValue]]:
    """What every completed or reused step produced, by node id then output port.

    Exact and unredacted: user_query → ``{"query": str}``, knowledge_base →
    ``{"context": passages}``, web_search → ``{"results": results}``, llm_engine →
    ``{"answer": AnswerOutput}``, output → ``{"output": RunOutput}`` (as JSON).
    """
    run_input = run_input_of(history)
    run = HistoryReader.read_all(history, run_input)
    return {
        n.step.node_id: n.outputs
        for n in _nodes(run_input, run)
        if n.status in ("completed", "reused") and n.outputs is not None
    }


def build_timeline(history: WorkflowHistory, *, redact: bool = True) -> RunTimeline:
    """The run step by step: statuses, attempts, inputs, outputs, config and timings.

    With ``redact`` (the default) secrets in inputs, outputs, config and error messages
    are replaced by ``"[redacted]"`` (see ``api.runs.redaction``).
    """
    run_input = run_input_of(history)
    run = HistoryReader.read_all(history, run_input)
    clean: Callable[[Any], Any] = redact_value if redact else (lambda value: value)
    timeline_nodes = []
    raw_nodes = _nodes(run_input, run)
    by_id = {n.step.node_id: n for n in raw_nodes}
    for node in raw_nodes:
        step = node.step
        outputs = clean(node.outputs or {})
        timeline_nodes.append(
            NodeTimeline(
                node_id=step.node_id,
                component=step.component,
                activity=step.activity,
                execution=step.policy.execution.value if step.activity else None,
                implicit=step.implicit,
                status=node.status,
                started_at=node.started_at,
                finished_at=node.finished_at,
                duration_ms=_ms(node.started_at, node.finished_at),
                error=clean(node.error),
                attempts=[a.model_copy(update={"error": clean(a.error)}) for a in node.attempts],
                inputs=clean(_inputs(step, by_id)),
                outputs=outputs,
                config=clean(step.config.model_dump(mode="json")),
                **_component_details(step, outputs),
            )
        )
    return RunTimeline(
        run_id=history.workflow_id,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        duration_ms=_ms(run.started_at, run.finished_at),
        query=clean(run_input.query),
        plan_hash=run_input.plan.plan_hash,
        error=clean(run.error),
        nodes=timeline_nodes,
        events=[e.model_copy(update={"detail": clean(e.detail)}) for e in run.events],
        event_count=len(history.events),
    )


def _component_details(step: PlanStep, outputs: StepOutputs) -> dict[str, Any]:
    """The typed fields a component's node shows: model and usage, passages, web results.

    Values that do not validate (a malformed reused output) are left out.
    """
    try:
        if step.component == "llm_engine":
            answer = outputs.get("answer")
            if isinstance(answer, dict):
                parsed = AnswerOutput.model_validate(answer)
                return {"model": parsed.model, "usage": parsed.usage}
            model = step.config.model if isinstance(step.config, LlmEngineConfig) else None
            return {"model": model, "usage": None}
        if step.component == "knowledge_base" and "context" in outputs:
            return {"passages": _list_or_blob(outputs["context"], Passage)}
        if step.component == "web_search" and "results" in outputs:
            return {"web_results": _list_or_blob(outputs["results"], WebResult)}
    except ValidationError:
        pass
    return {}


def _list_or_blob(value: JsonValue, item: type[BaseModel]) -> list[Any] | BlobRef:
    if isinstance(value, list):
        return [item.model_validate(v) for v in value]
    return BlobRef.model_validate(value)

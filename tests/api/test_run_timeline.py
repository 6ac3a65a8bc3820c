"""A run's timeline is read from its event history: committed real runs and edited copies.

The edited copies (JSON dicts changed by hand) give the shapes no committed history has
yet: retries made by the workflow (one activity per attempt, a timer between), retries
made by the server, a worker that stopped, a run still going, a terminated run, reused
steps and a local activity retried by its worker after a long backoff.
"""

import base64
import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import JsonValue, TypeAdapter
from temporalio.client import WorkflowHistory

from api.runs.redaction import REDACTED, is_secret_key, redact, redact_text, redact_url
from api.runs.timeline import WORKER_STOPPED, build_timeline, recorded_outputs, run_input_of
from api.runs.timeline_schemas import NodeTimeline, RunTimeline
from workflows.plan import GraphRunInput, RunOutput
from workflows.step_io import AnswerOutput, BlobRef, Passage, WebResult

HISTORIES = Path(__file__).parents[1] / "workflows" / "histories"
GRAPH_RUNS = sorted(HISTORIES.glob("graph_run_*.json"))
REGULAR = "graph_run_rag_regular_v1"
LOCAL = "graph_run_rag_web_local_v1"
FAILED_401 = "graph_run_llm_retry_then_401_v1"

Event = dict[str, Any]


# ------------------------------------------------------------------ history helpers


def raw(name: str) -> dict[str, Any]:
    return json.loads((HISTORIES / f"{name}.json").read_text())


def history_of(data: dict[str, Any], workflow_id: str = "run-test") -> WorkflowHistory:
    return WorkflowHistory.from_json(workflow_id, json.dumps(data))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def payload(value: Any) -> dict[str, Any]:
    """A JSON payload as the pydantic data converter writes it."""
    return {
        "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
        "data": base64.b64encode(json.dumps(value).encode()).decode(),
    }


def unpayload(encoded: dict[str, Any]) -> Any:
    return json.loads(base64.b64decode(encoded["data"]))


def at(event: Event, plus_ms: float = 0) -> str:
    """An event time ``plus_ms`` after ``event``'s, in the history's format."""
    when = datetime.fromisoformat(event["eventTime"][:26].rstrip("Z") + "+00:00")
    return (when + timedelta(milliseconds=plus_ms)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_REFERENCES = ("scheduledEventId", "startedEventId", "workflowTaskCompletedEventId")


def renumber(events: list[Event]) -> list[Event]:
    """Gives events ids 1, 2, 3... in list order and updates the ids they refer to."""
    new_ids = {event["eventId"]: str(n) for n, event in enumerate(events, start=1)}

    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (new_ids.get(v, v) if k in _REFERENCES else fix(v)) for k, v in value.items()
            }
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    out = [fix(e) for e in events]
    for event in out:
        event["eventId"] = new_ids[event["eventId"]]
    return out


def find(events: list[Event], event_type: str, node_id: str | None = None) -> Event:
    """The first event of a type (whose summary is ``node_id``, if given)."""
    for event in events:
        if event["eventType"] != f"EVENT_TYPE_{event_type}":
            continue
        summary = event.get("userMetadata", {}).get("summary")
        if node_id is None or (summary and unpayload(summary) == node_id):
            return event
    raise LookupError(event_type)


def attrs(event: Event) -> dict[str, Any]:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def failure(message: str, failure_type: str = "ProviderUnavailable") -> dict[str, Any]:
    return {"message": message, "applicationFailureInfo": {"type": failure_type}}


def later(events: list[Event], ms: float) -> list[Event]:
    """``events`` moved ``ms`` later, to make room for events inserted before them."""
    moved = copy.deepcopy(events)
    for event in moved:
        event["eventTime"] = at(event, ms)
    return moved


def activity_attempt_failed(
    scheduled: Event, after: Event, eid: str, message: str, *, timed_out: bool = False
) -> list[Event]:
    """A failed (or timed-out) attempt of ``scheduled``'s step: 1 to 20 ms after ``after``."""
    first = copy.deepcopy(scheduled)
    first["eventId"] = f"{eid}.s"
    first["eventTime"] = at(after, 1)
    attrs(first)["retryPolicy"] = {"maximumAttempts": 1}
    started = {
        "eventId": f"{eid}.t",
        "eventTime": at(after, 2),
        "eventType": "EVENT_TYPE_ACTIVITY_TASK_STARTED",
        "activityTaskStartedEventAttributes": {"scheduledEventId": f"{eid}.s", "attempt": 1},
    }
    closed_type = "TIMED_OUT" if timed_out else "FAILED"
    closed_attrs = f"activityTask{'TimedOut' if timed_out else 'Failed'}EventAttributes"
    the_failure = (
        {
            "message": "activity StartToClose timeout",
            "timeoutFailureInfo": {"timeoutType": "TIMEOUT_TYPE_START_TO_CLOSE"},
        }
        if timed_out
        else failure(message)
    )
    closed = {
        "eventId": f"{eid}.c",
        "eventTime": at(after, 20),
        "eventType": f"EVENT_TYPE_ACTIVITY_TASK_{closed_type}",
        closed_attrs: {
            "failure": the_failure,
            "scheduledEventId": f"{eid}.s",
            "startedEventId": f"{eid}.t",
        },
    }
    return [first, started, closed]


def backoff_timer(node_id: str, after: Event, eid: str, *, fired: bool = True) -> list[Event]:
    """A 500 ms retry timer of ``node_id`` started 21 ms after ``after`` (and fired)."""
    events = [
        {
            "eventId": f"{eid}.ts",
            "eventTime": at(after, 21),
            "eventType": "EVENT_TYPE_TIMER_STARTED",
            "timerStartedEventAttributes": {"timerId": eid, "startToFireTimeout": "0.500s"},
            "userMetadata": {"summary": payload(node_id)},
        }
    ]
    if fired:
        events.append(
            {
                "eventId": f"{eid}.tf",
                "eventTime": at(after, 521),
                "eventType": "EVENT_TYPE_TIMER_FIRED",
                "timerFiredEventAttributes": {"timerId": eid, "startedEventId": f"{eid}.ts"},
            }
        )
    return events


def node(timeline: RunTimeline, node_id: str) -> NodeTimeline:
    return next(n for n in timeline.nodes if n.node_id == node_id)


# ------------------------------------------------------------- the committed histories


@pytest.mark.parametrize("path", GRAPH_RUNS, ids=[p.stem for p in GRAPH_RUNS])
def test_every_history_gives_every_plan_node_in_plan_order(path: Path) -> None:
    history = load(path)
    timeline = build_timeline(history)
    plan = run_input_of(history).plan
    assert [n.node_id for n in timeline.nodes] == [s.node_id for s in plan.steps]
    assert timeline.run_id == path.stem
    assert timeline.plan_hash == plan.plan_hash
    assert timeline.event_count == len(history.events)
    assert timeline.started_at <= timeline.finished_at  # type: ignore[operator]
    assert timeline.duration_ms is not None and timeline.duration_ms >= 0
    for n in timeline.nodes:
        assert n.duration_ms is None or n.duration_ms >= 0
        assert n.config["component"] == n.component
        for number, attempt in enumerate(n.attempts, start=1):
            assert attempt.attempt == number
    RunTimeline.model_validate_json(timeline.model_dump_json())  # serialises as the API will


@pytest.mark.parametrize("name", [REGULAR, LOCAL])
def test_a_completed_run_shows_what_every_step_did(name: str) -> None:
    timeline = build_timeline(history_of(raw(name)))
    assert timeline.status == "completed" and timeline.error is None and timeline.events == []
    assert {n.status for n in timeline.nodes} == {"completed"}
    assert node(timeline, "query").outputs == {"query": "refunds?"}

    kb = node(timeline, "kb")
    assert kb.activity == "search_knowledge_base"
    assert kb.inputs == {"query": "refunds?"}
    assert isinstance(kb.passages, list) and kb.passages[0].text == "Refunds take 30 days."
    assert [a.status for a in kb.attempts] == ["completed"]

    llm = node(timeline, "llm")
    assert llm.model == "gpt-4o-mini"
    assert llm.usage is not None and llm.usage.total_tokens > 0
    assert llm.inputs["context"] == kb.outputs["context"]
    assert llm.duration_ms is not None and llm.duration_ms > 0

    out = node(timeline, "out")
    assert out.inputs["answer"] == llm.outputs["answer"]
    output = RunOutput.model_validate(out.outputs["output"])
    assert output.response.startswith("Fake answer from gpt-4o-mini")
    assert output.usage == llm.usage


def test_local_steps_report_execution_and_web_results() -> None:
    timeline = build_timeline(history_of(raw(LOCAL)))
    web = node(timeline, "llm.web_search")
    assert web.implicit and web.execution == "local" and web.status == "completed"
    assert isinstance(web.web_results, list) and len(web.web_results) == 5
    assert node(timeline, "llm").inputs["web_results"] == web.outputs["results"]
    assert node(build_timeline(history_of(raw(REGULAR))), "kb").execution == "regular"


def test_a_run_whose_llm_failed_with_401_after_a_retry() -> None:
    timeline = build_timeline(history_of(raw(FAILED_401)))
    assert timeline.status == "failed"
    assert timeline.error is not None and "401" in timeline.error
    assert timeline.finished_at is not None
    llm = node(timeline, "llm")
    assert llm.status == "failed"
    assert llm.error is not None and "401" in llm.error and "API key" in llm.error
    # The marker says attempt 2: the worker retried once before the 401.
    assert [a.attempt for a in llm.attempts] == [1, 2]
    assert [a.status for a in llm.attempts] == ["failed", "failed"]
    assert llm.attempts[-1].error_type == "ProviderAuthError"
    assert llm.attempts[0].scheduled_at is not None and llm.attempts[-1].finished_at is not None
    assert llm.outputs == {} and llm.usage is None and llm.model == "gpt-4o-mini"
    assert node(timeline, "query").status == "completed"
    assert node(timeline, "out").status == "pending"
    assert recorded_outputs(history_of(raw(FAILED_401))) == {"query": {"query": "fail please"}}


# ------------------------------------------------------------------ recorded outputs


@pytest.mark.parametrize("name", [REGULAR, LOCAL])
def test_recorded_outputs_validate_back_into_the_step_types(name: str) -> None:
    history = history_of(raw(name))
    recorded = recorded_outputs(history)
    run_input = run_input_of(history)
    assert list(recorded) == [s.node_id for s in run_input.plan.steps]
    assert recorded["query"] == {"query": "refunds?"}
    passages = TypeAdapter(list[Passage] | BlobRef).validate_python(recorded["kb"]["context"])
    assert isinstance(passages, list) and passages[0].chunk_id == "policy.pdf:0"
    AnswerOutput.model_validate(recorded["llm"]["answer"])
    RunOutput.model_validate(recorded["out"]["output"])
    if "llm.web_search" in recorded:
        TypeAdapter(list[WebResult] | BlobRef).validate_python(
            recorded["llm.web_search"]["results"]
        )
    # They feed a replay from any node.
    GraphRunInput.model_validate({**run_input.model_dump(mode="json"), "reuse": recorded})


def test_recorded_outputs_are_exactly_what_the_activities_returned() -> None:
    data = raw(REGULAR)
    completed = [e for e in data["events"] if e["eventType"].endswith("ACTIVITY_TASK_COMPLETED")]
    kb_result, llm_result = (unpayload(attrs(e)["result"]["payloads"][0]) for e in completed)
    recorded = recorded_outputs(history_of(data))
    assert recorded["kb"] == {"context": kb_result["passages"]}
    assert recorded["llm"] == {"answer": llm_result}


def answer_text(outputs: dict[str, JsonValue]) -> str:
    """The text of an LLM step's ``answer`` output."""
    answer = outputs["answer"]
    assert isinstance(answer, dict) and isinstance(answer["text"], str), answer
    return answer["text"]


def test_recorded_outputs_are_not_redacted() -> None:
    data = raw(REGULAR)
    result = attrs(data["events"][12])["result"]["payloads"][0]
    answer = unpayload(result)
    answer["text"] = "Call https://bob:hunter2@api.example.com/?api_key=k1 for more."
    attrs(data["events"][12])["result"]["payloads"][0] = payload(answer)
    history = history_of(data)
    assert "hunter2" in answer_text(recorded_outputs(history)["llm"])
    shown = answer_text(node(build_timeline(history), "llm").outputs)
    assert "hunter2" not in shown and "k1" not in shown and REDACTED in shown
    raw_shown = node(build_timeline(history, redact=False), "llm").outputs
    assert "hunter2" in answer_text(raw_shown)


# -------------------------------------------------------------- shapes made by editing


def test_retries_made_by_the_workflow_are_one_activity_per_attempt() -> None:
    data = raw(REGULAR)
    events = data["events"]
    llm_scheduled = find(events, "ACTIVITY_TASK_SCHEDULED", "llm")
    index = events.index(llm_scheduled)
    before = events[index - 1]
    first = activity_attempt_failed(llm_scheduled, before, "a1", "openai is unavailable (503)")
    timer = backoff_timer("llm", before, "t1")
    data["events"] = renumber(events[:index] + first + timer + later(events[index:], 600))

    timeline = build_timeline(history_of(data))
    llm = node(timeline, "llm")
    assert llm.status == "completed"
    assert [(a.attempt, a.status) for a in llm.attempts] == [(1, "failed"), (2, "completed")]
    assert llm.attempts[0].error == "openai is unavailable (503)"
    assert llm.attempts[0].error_type == "ProviderUnavailable"
    assert llm.attempts[1].backoff_ms == 500
    first_end, second_start = llm.attempts[0].finished_at, llm.attempts[1].scheduled_at
    assert first_end is not None and second_start is not None
    assert (second_start - first_end).total_seconds() >= 0.5  # the backoff
    assert llm.started_at == llm.attempts[0].scheduled_at
    assert llm.finished_at == llm.attempts[1].finished_at
    assert llm.error is None and llm.usage is not None
    assert timeline.status == "completed" and node(timeline, "out").status == "completed"


def test_a_step_waiting_for_its_next_attempt_is_running() -> None:
    data = raw(REGULAR)
    events = data["events"]
    llm_scheduled = find(events, "ACTIVITY_TASK_SCHEDULED", "llm")
    index = events.index(llm_scheduled)
    before = events[index - 1]
    first = activity_attempt_failed(llm_scheduled, before, "a1", "rate limited (429)")
    timer = backoff_timer("llm", before, "t1", fired=False)
    data["events"] = renumber(events[:index] + first + timer)

    timeline = build_timeline(history_of(data))
    assert timeline.status == "running" and timeline.finished_at is None
    assert timeline.duration_ms is None
    llm = node(timeline, "llm")
    assert llm.status == "running" and llm.finished_at is None and llm.duration_ms is None
    assert [a.status for a in llm.attempts] == ["failed"]
    assert node(timeline, "out").status == "pending"
    assert set(recorded_outputs(history_of(data))) == {"query", "kb"}


def test_retries_made_by_the_server_show_the_attempt_count_and_last_failure() -> None:
    data = raw(REGULAR)
    started = find(data["events"], "ACTIVITY_TASK_STARTED")  # the kb activity
    attrs(started)["attempt"] = 3
    attrs(started)["lastFailure"] = failure("chroma is unreachable")

    kb = node(build_timeline(history_of(data)), "kb")
    assert kb.status == "completed"
    assert [(a.attempt, a.status) for a in kb.attempts] == [
        (1, "failed"),
        (2, "failed"),
        (3, "completed"),
    ]
    assert kb.attempts[0].error is None  # not recorded: only the last failure is
    assert kb.attempts[1].error == "chroma is unreachable"
    assert kb.attempts[0].scheduled_at is not None and kb.attempts[2].started_at is not None
    assert kb.duration_ms is not None and kb.duration_ms >= 0


def test_a_worker_that_stopped_shows_as_run_events() -> None:
    data = raw(REGULAR)
    events = data["events"]
    llm_scheduled = find(events, "ACTIVITY_TASK_SCHEDULED", "llm")
    index = events.index(llm_scheduled)
    before = events[index - 1]
    lost = activity_attempt_failed(llm_scheduled, before, "a1", "", timed_out=True)
    task_timed_out = {
        "eventId": "w1",
        "eventTime": at(before, 10),
        "eventType": "EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT",
        "workflowTaskTimedOutEventAttributes": {"timeoutType": "TIMEOUT_TYPE_START_TO_CLOSE"},
    }
    timer = backoff_timer("llm", before, "t1")
    data["events"] = renumber(
        events[:index] + lost[:2] + [task_timed_out] + lost[2:] + timer + later(events[index:], 600)
    )

    timeline = build_timeline(history_of(data))
    assert timeline.status == "completed"
    assert [e.kind for e in timeline.events] == ["workflow_task_timed_out", "activity_timed_out"]
    stopped = timeline.events[0]
    assert stopped.message == WORKER_STOPPED and "start to close" in (stopped.detail or "")
    assert timeline.events[1].node_id == "llm"
    assert timeline.events[0].at <= timeline.events[1].at
    llm = node(timeline, "llm")
    assert [a.status for a in llm.attempts] == ["timed_out", "completed"]
    assert llm.attempts[0].error == "activity StartToClose timeout"
    assert llm.attempts[0].error_type == "StartToClose"


def test_a_failed_workflow_task_is_a_worker_that_stopped() -> None:
    data = raw(REGULAR)
    events = data["events"]
    wft_failed = {
        "eventId": "w1",
        "eventTime": at(events[8], 1),
        "eventType": "EVENT_TYPE_WORKFLOW_TASK_FAILED",
        "workflowTaskFailedEventAttributes": {
            "cause": "WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE",
            "failure": {"message": "worker shutting down"},
        },
    }
    data["events"] = renumber([*events[:9], wft_failed, *events[9:]])
    (event,) = build_timeline(history_of(data)).events
    assert event.kind == "workflow_task_failed" and event.message == WORKER_STOPPED
    assert "worker shutting down" in (event.detail or "")


def test_a_terminated_run_stops_its_running_step() -> None:
    data = raw(REGULAR)
    events = data["events"]
    llm_started = events.index(find(events, "ACTIVITY_TASK_SCHEDULED", "llm")) + 1
    terminated = {
        "eventId": "x1",
        "eventTime": at(events[llm_started], 100),
        "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED",
        "workflowExecutionTerminatedEventAttributes": {"reason": "stuck"},
    }
    data["events"] = renumber([*events[: llm_started + 1], terminated])

    timeline = build_timeline(history_of(data))
    assert timeline.status == "terminated" and timeline.error == "terminated: stuck"
    llm = node(timeline, "llm")
    assert llm.status == "failed" and "terminated" in (llm.error or "")
    assert [a.status for a in llm.attempts] == ["cancelled"]
    assert llm.finished_at == timeline.finished_at
    assert node(timeline, "kb").status == "completed"
    assert node(timeline, "out").status == "pending"


@pytest.mark.parametrize(
    ("event_type", "status"),
    [
        ("WORKFLOW_EXECUTION_TIMED_OUT", "timed_out"),
        ("WORKFLOW_EXECUTION_CANCELED", "cancelled"),
    ],
)
def test_other_ends_of_a_run(event_type: str, status: str) -> None:
    data = raw(REGULAR)
    events = data["events"][:7]
    events.append(
        {"eventId": "99", "eventTime": at(events[-1], 5), "eventType": f"EVENT_TYPE_{event_type}"}
    )
    data["events"] = renumber(events)
    timeline = build_timeline(history_of(data))
    assert timeline.status == status and timeline.error is not None
    assert node(timeline, "kb").status == "completed"
    assert node(timeline, "llm").status == "pending"


def test_reused_steps_are_not_executed_and_feed_their_successors() -> None:
    data = raw(REGULAR)
    events = data["events"]
    started = attrs(events[0])["input"]["payloads"]
    run_input = unpayload(started[0])
    reused_context = [
        {
            "text": "Recorded passage.",
            "document": "old.pdf",
            "page": 1,
            "chunk_id": "old:0",
            "score": 0.9,
        }
    ]
    run_input["reuse"] = {"kb": {"context": reused_context}}
    started[0] = payload(run_input)
    # Without the kb activity: the llm is scheduled by the first workflow task.
    data["events"] = renumber(events[:4] + events[10:])

    history = history_of(data)
    timeline = build_timeline(history)
    kb = node(timeline, "kb")
    assert kb.status == "reused" and kb.attempts == [] and kb.started_at is None
    assert kb.outputs == {"context": reused_context}
    assert isinstance(kb.passages, list) and kb.passages[0].document == "old.pdf"
    assert node(timeline, "llm").inputs["context"] == reused_context
    assert node(timeline, "llm").status == "completed"
    assert recorded_outputs(history)["kb"] == {"context": reused_context}


def test_a_reused_answer_gives_the_output_node_its_value() -> None:
    data = raw(REGULAR)
    events = data["events"]
    recorded = recorded_outputs(history_of(data))
    started = attrs(events[0])["input"]["payloads"]
    run_input = unpayload(started[0])
    run_input["reuse"] = {"kb": recorded["kb"], "llm": recorded["llm"]}
    started[0] = payload(run_input)
    data["events"] = renumber(events[:4] + events[-1:])

    timeline = build_timeline(history_of(data))
    assert [n.status for n in timeline.nodes] == ["completed", "reused", "reused", "completed"]
    llm = node(timeline, "llm")
    assert llm.usage is not None and llm.usage.total_tokens == 25
    assert node(timeline, "out").outputs == recorded["out"]


def test_a_local_activity_retried_after_a_long_backoff_continues_its_attempts() -> None:
    data = raw(LOCAL)
    events = data["events"]
    llm_marker = find(events, "MARKER_RECORDED", "llm")
    index = events.index(llm_marker)
    first = copy.deepcopy(llm_marker)
    first["eventId"] = "m1"
    details = attrs(first)["details"]
    del details["result"]
    marker_data = unpayload(details["data"]["payloads"][0])
    details["data"]["payloads"][0] = payload(
        {**marker_data, "attempt": 3, "backoff": {"seconds": 2, "nanos": 0}}
    )
    attrs(first)["failure"] = failure("openai is overloaded (529)")
    second_details = attrs(llm_marker)["details"]
    second_details["data"]["payloads"][0] = payload({**marker_data, "attempt": 4})
    data["events"] = renumber([*events[:index], first, *events[index:]])

    llm = node(build_timeline(history_of(data)), "llm")
    assert llm.status == "completed"
    assert [a.attempt for a in llm.attempts] == [1, 2, 3, 4]
    assert [a.status for a in llm.attempts] == ["failed", "failed", "failed", "completed"]
    assert llm.attempts[2].error == "openai is overloaded (529)"
    assert llm.attempts[3].backoff_ms == 2000


def test_histories_without_summaries_match_steps_by_activity() -> None:
    data = raw(REGULAR)
    for event in data["events"]:
        event.pop("userMetadata", None)
    timeline = build_timeline(history_of(data))
    assert {n.status for n in timeline.nodes} == {"completed"}


def test_the_timeline_redacts_secrets_in_config() -> None:
    data = raw(REGULAR)
    started = attrs(data["events"][0])["input"]["payloads"]
    run_input = unpayload(started[0])
    llm_step = next(s for s in run_input["plan"]["steps"] if s["node_id"] == "llm")
    llm_step["config"]["provider"] = "openai-compatible"
    llm_step["config"]["base_url"] = "https://bob:hunter2@llm.example.com/v1?api_key=k1&x=2"
    started[0] = payload(run_input)
    history = history_of(data)

    shown = node(build_timeline(history), "llm").config["base_url"]
    assert shown == f"https://{REDACTED}@llm.example.com/v1?api_key={REDACTED}&x=2"
    assert "hunter2" in str(node(build_timeline(history, redact=False), "llm").config)


# ------------------------------------------------------------------------ redaction


@pytest.mark.parametrize(
    "key",
    [
        "api_key",
        "API_KEY",
        "apiKey",
        "apikey",
        "secret",
        "password",
        "Authorization",
        "access_token",
        "refresh_token",
        "token",
        "x-api-key",
        "X-Api-Key",
        "openai_key",
        "serpapi_api_key",
        "client_secret",
        "aws_secret",
    ],
)
def test_secret_keys_are_redacted(key: str) -> None:
    assert is_secret_key(key)
    assert redact({key: "s3cr3t", "other": 1}) == {key: REDACTED, "other": 1}


@pytest.mark.parametrize(
    "key",
    ["total_tokens", "prompt_tokens", "completion_tokens", "max_tokens", "keyboard", "model"],
)
def test_counts_and_ordinary_keys_are_kept(key: str) -> None:
    assert not is_secret_key(key)
    assert redact({key: 42}) == {key: 42}


def test_redaction_is_recursive_and_keeps_empty_secrets() -> None:
    value: JsonValue = {
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        "headers": [{"Authorization": "Bearer abc"}, {"accept": "json"}],
        "settings": {"api_key": None, "password": "", "nested": {"token": {"a": 1}}},
    }
    assert redact(value) == {
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        "headers": [{"Authorization": REDACTED}, {"accept": "json"}],
        "settings": {"api_key": None, "password": "", "nested": {"token": REDACTED}},
    }
    assert redact([1, 2.5, True, None, "plain"]) == [1, 2.5, True, None, "plain"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pass@host.example.com/x", f"https://{REDACTED}@host.example.com/x"),
        ("https://token@github.com/o/r.git", f"https://{REDACTED}@github.com/o/r.git"),
        (
            "postgresql://app:pw@db:5432/genai",
            f"postgresql://{REDACTED}@db:5432/genai",
        ),
        (
            "https://serpapi.com/search?q=refunds&api_key=abc123&num=5",
            f"https://serpapi.com/search?q=refunds&api_key={REDACTED}&num=5",
        ),
        (
            "https://g.example.com/v1?key=AIza&token=t&access_token=a#top",
            f"https://g.example.com/v1?key={REDACTED}&token={REDACTED}&access_token={REDACTED}#top",
        ),
        ("https://example.com/@someone?page=2", "https://example.com/@someone?page=2"),
        ("https://example.com/1", "https://example.com/1"),
    ],
)
def test_urls_lose_their_credentials(url: str, expected: str) -> None:
    assert redact_url(url) == expected
    assert redact(url) == expected
    assert redact({"link": url}) == {"link": expected}


def test_urls_inside_text_are_redacted() -> None:
    text = "could not reach https://u:p@llm.local/v1?api_key=zz (401). See https://docs.example"
    assert redact_text(text) == (
        f"could not reach https://{REDACTED}@llm.local/v1?api_key={REDACTED} (401). "
        "See https://docs.example"
    )
    assert redact_text("no urls here: key=value") == "no urls here: key=value"


# ------------------------------------------------------------------ real runs of the v2 shapes


def nodes_by_id(name: str) -> dict[str, NodeTimeline]:
    return {n.node_id: n for n in build_timeline(load(HISTORIES / f"{name}.json")).nodes}


def test_real_v2_run_keeps_each_failed_attempts_error_until_a_non_retryable_one() -> None:
    timeline = build_timeline(load(HISTORIES / "graph_run_llm_retry_then_401_v2.json"))
    assert timeline.status == "failed"
    attempts = {n.node_id: n for n in timeline.nodes}["llm"].attempts
    assert [a.status for a in attempts] == ["failed", "failed"]
    assert attempts[0].error is not None and "429" in attempts[0].error
    assert attempts[1].error is not None and "401" in attempts[1].error
    assert attempts[1].backoff_ms is not None and attempts[1].backoff_ms >= 50


def test_real_v2_regular_retry_shows_the_failed_attempt_then_the_answer() -> None:
    llm = nodes_by_id("graph_run_regular_retry_v2")["llm"]
    assert llm.status == "completed" and llm.execution == "regular"
    assert [a.status for a in llm.attempts] == ["failed", "completed"]
    assert llm.attempts[0].error is not None and "500" in llm.attempts[0].error


def test_real_replay_from_a_node_reuses_the_steps_before_it() -> None:
    nodes = nodes_by_id("graph_run_replay_from_llm_v2")
    assert {n: nodes[n].status for n in nodes} == {
        "query": "reused",
        "kb": "reused",
        "llm.web_search": "reused",
        "llm": "completed",
        "out": "completed",
    }
    assert nodes["kb"].attempts == [] and nodes["kb"].passages

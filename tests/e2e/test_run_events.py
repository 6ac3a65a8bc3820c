"""Start a run without waiting, and watch it: the SSE stream rebuilt from the run's history."""

from typing import Any

import httpx
import pytest

from api.runs.schemas import ExecuteResponse
from stack.processes import free_port, start_api, wait_healthy
from tests.support.api_errors import assert_error
from tests.support.fakes.http_fake import Failure
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack
from tests.support.login import login
from tests.support.sse import ServerSentEvent, comparable, cursor_of, events_of, read_all

RUN_FINISHED = {"run_completed", "run_failed"}


@pytest.fixture(scope="module")
def workflow(admin: httpx.Client) -> str:
    graph = direct_llm_graph(model="gpt-4o-mini")
    reply = admin.post("/workflows", json={"name": "live events", "graph": graph})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def start(client: httpx.Client, wf_id: str, query: str, **extra: Any) -> str:
    reply = client.post(f"/workflows/{wf_id}/runs", json={"query": query, **extra})
    assert reply.status_code == 202, reply.text
    body = reply.json()
    assert set(body) == {"run_id", "events_url"}
    assert body["events_url"] == f"/api/v1/runs/{body['run_id']}/events"
    return str(body["run_id"])


def wf_id_of(client: httpx.Client, run_id: str) -> str:
    listed = client.get("/runs", params={"limit": 20}).json()["items"]
    return str(next(r["workflow_id"] for r in listed if r["id"] == run_id))


def names(events: list[ServerSentEvent]) -> list[str]:
    return [e.event for e in events]


def steps(events: list[ServerSentEvent]) -> list[tuple[str, str, int]]:
    return [
        (e.event, e.json()["node_id"], e.json()["attempt"])
        for e in events
        if e.event in ("step_started", "attempt_failed", "retrying", "step_completed")
    ]


def assert_ids_increase(events: list[ServerSentEvent]) -> None:
    ids = [cursor_of(str(e.id)) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids


def test_a_started_run_answers_202_at_once_and_streams_to_its_answer(
    admin: httpx.Client, fakes: Fakes, workflow: str
) -> None:
    with fakes.openai.holding(CHAT):
        run_id = start(admin, workflow, "What is the refund policy?")
        indexed = admin.get("/runs", params={"workflow_id": wf_id_of(admin, run_id)}).json()
        assert {r["id"]: r["status"] for r in indexed["items"]}[run_id] == "running"
        with admin.stream("GET", f"/runs/{run_id}/events") as reply:
            assert reply.status_code == 200
            stream = events_of(reply)
            first = next(stream)
            assert first.event == "run_started"
            assert first.json()["run_id"] == run_id
            assert {n["node_id"] for n in first.json()["nodes"]} == {"query", "llm", "out"}
            live = [first]
    # Released: reconnect after the first event and follow the run to its end.
    rest = read_all(admin, f"/runs/{run_id}/events", **{"Last-Event-ID": str(first.id)})
    events = live + rest
    assert names(events)[0] == "run_started" and names(events)[-1] == "run_completed"
    assert steps(events) == [("step_started", "llm", 1), ("step_completed", "llm", 1)]
    assert_ids_increase(events)
    completed = events[-1].json()
    assert set(completed) == set(ExecuteResponse.model_fields)
    timeline = admin.get(f"/runs/{run_id}/timeline").json()["timeline"]
    recorded = next(n for n in timeline["nodes"] if n["node_id"] == "out")["outputs"]["output"]
    assert completed["response"] == recorded["response"] and completed["run_id"] == run_id
    assert completed["usage"] == recorded["usage"] and completed["model"] == recorded["model"]
    assert next(e for e in events if e.event == "step_completed").json()["duration_ms"] is not None

    # After the run ended: the whole sequence again, and the stream ends.
    assert comparable(read_all(admin, f"/runs/{run_id}/events")) == comparable(events)


def test_a_retried_step_shows_the_failed_attempt_and_the_retry(
    admin: httpx.Client, fakes: Fakes, workflow: str
) -> None:
    fakes.openai.script([Failure(429)], CHAT)
    run_id = start(admin, workflow, "Retry me")
    events = read_all(admin, f"/runs/{run_id}/events")
    assert steps(events) == [
        ("step_started", "llm", 1),
        ("attempt_failed", "llm", 1),
        ("retrying", "llm", 2),
        ("step_started", "llm", 2),
        ("step_completed", "llm", 2),
    ]
    failed = next(e.json() for e in events if e.event == "attempt_failed")
    assert failed["error"] and failed["status"] == "failed"
    retrying = next(e.json() for e in events if e.event == "retrying")
    assert retrying["delay_ms"] and retrying["delay_ms"] > 0
    assert names(events)[-1] == "run_completed"
    assert_ids_increase(events)

    # Resuming after each event in turn: exactly the events after it.
    for i, event in enumerate(events):
        resumed = read_all(admin, f"/runs/{run_id}/events", **{"Last-Event-ID": str(event.id)})
        assert comparable(resumed) == comparable(events[i + 1 :])


def test_a_failed_run_ends_its_stream_with_run_failed(
    admin: httpx.Client, fakes: Fakes, workflow: str
) -> None:
    fakes.openai.script([Failure(401)], CHAT)
    run_id = start(admin, workflow, "Fail me")
    events = read_all(admin, f"/runs/{run_id}/events")
    assert names(events)[-1] == "run_failed"
    failed = events[-1].json()
    assert failed["node_id"] == "llm" and failed["status"] == "failed" and failed["message"]
    assert ("attempt_failed", "llm", 1) in steps(events)
    assert "retrying" not in names(events)


def test_another_api_process_streams_a_run_started_through_the_first(
    running_stack: RunningStack, admin: httpx.Client, fakes: Fakes, workflow: str
) -> None:
    with (
        running_stack.extra_api() as other_url,
        login(other_url, ADMIN_EMAIL, ADMIN_PASSWORD) as other,
    ):
        with fakes.openai.holding(CHAT):
            run_id = start(admin, workflow, "Across processes")
            with other.stream("GET", f"/runs/{run_id}/events") as reply:
                first = next(events_of(reply))
                assert first.event == "run_started"
        rest = read_all(other, f"/runs/{run_id}/events", **{"Last-Event-ID": str(first.id)})
        assert names(rest)[-1] == "run_completed"
        assert comparable([first, *rest]) == comparable(read_all(admin, f"/runs/{run_id}/events"))


def test_a_stream_resumes_after_its_api_process_restarts(
    running_stack: RunningStack, admin: httpx.Client, fakes: Fakes, workflow: str
) -> None:
    """A client reads the first event from one API process, that process is SIGKILLed, and
    the client resumes from a new process with Last-Event-ID: no loss, no duplicate."""
    port = free_port()
    env = dict(running_stack.env, API_WORKER_SLOTS="0")
    first_api = start_api(env, "127.0.0.1", port, running_stack.log_dir, name=f"sse-a-{port}")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, 120, [first_api])
        with login(url, ADMIN_EMAIL, ADMIN_PASSWORD) as client, fakes.openai.holding(CHAT):
            run_id = start(client, workflow, "Through a restart")
            with client.stream("GET", f"/runs/{run_id}/events") as reply:
                first = next(events_of(reply))
                first_api.kill()  # mid-stream
        assert first.event == "run_started"
    finally:
        first_api.stop()
    restarted = start_api(env, "127.0.0.1", port, running_stack.log_dir, name=f"sse-b-{port}")
    try:
        wait_healthy(url, 120, [restarted])
        with login(url, ADMIN_EMAIL, ADMIN_PASSWORD) as client:
            rest = read_all(client, f"/runs/{run_id}/events", **{"Last-Event-ID": str(first.id)})
    finally:
        restarted.stop()
    assert names(rest)[-1] == "run_completed"
    assert comparable([first, *rest]) == comparable(read_all(admin, f"/runs/{run_id}/events"))


def test_unknown_and_foreign_runs_are_404_before_the_stream(
    admin: httpx.Client, other_user: httpx.Client, workflow: str
) -> None:
    run_id = start(admin, workflow, "Mine")
    read_all(admin, f"/runs/{run_id}/events")
    assert_error(other_user.get(f"/runs/{run_id}/events"), 404, "not_found")
    assert_error(admin.get("/runs/run-does-not-exist/events"), 404, "not_found")
    bad = admin.get(f"/runs/{run_id}/events", headers={"Last-Event-ID": "yesterday"})
    assert_error(bad, 422, "invalid_request")


def test_execute_accepts_a_chat_session_whose_history_the_run_gets(
    admin: httpx.Client, fakes: Fakes, workflow: str
) -> None:
    chat = admin.post("/chat/sessions", json={"workflow_id": workflow}).json()["id"]
    sent = admin.post(f"/chat/sessions/{chat}/messages", json={"content": "My name is Ada."})
    assert sent.status_code == 200, sent.text
    reply = admin.post(
        f"/workflows/{workflow}/execute", json={"query": "What is my name?", "session_id": chat}
    )
    assert reply.status_code == 200, reply.text
    contents = [str(m["content"]) for m in fakes.openai.chat_requests[-1]["messages"]]
    assert any("My name is Ada." in c for c in contents[:-1]), contents
    run = admin.get(f"/runs/{reply.json()['run_id']}").json()
    assert run["session_id"] == chat

    started = start(admin, workflow, "And again?", session_id=chat)
    assert admin.get(f"/runs/{started}").json()["session_id"] == chat
    read_all(admin, f"/runs/{started}/events")

    other_wf = admin.post(
        "/workflows", json={"name": "other", "graph": direct_llm_graph(model="m")}
    )
    refused = admin.post(
        f"/workflows/{other_wf.json()['id']}/execute", json={"query": "q", "session_id": chat}
    )
    assert_error(refused, 422, "invalid_request")
    missing = admin.post(
        f"/workflows/{workflow}/execute", json={"query": "q", "session_id": "no-such-session"}
    )
    assert_error(missing, 404, "not_found")

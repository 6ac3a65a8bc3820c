"""Answers stream: tokens reach SSE and WebSocket clients while the LLM step runs, from
OpenAI and Gemini, through any API process; a stream that breaks is retried in view, and
the partial answer is replaced, not added to."""

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.support.fakes.http_fake import StreamBreak
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack
from tests.support.login import login
from tests.support.polling import eventually
from tests.support.sse import ServerSentEvent, comparable, cursor_of, events_of, read_all

TOKEN_DELAY_SECONDS = 0.05


@pytest.fixture
def slow_tokens(fakes: Fakes) -> Iterator[None]:
    """Both LLM fakes pause between tokens, so a run is watched while it writes."""
    fakes.openai.token_delay_seconds = fakes.gemini.token_delay_seconds = TOKEN_DELAY_SECONDS
    try:
        yield
    finally:
        fakes.openai.token_delay_seconds = fakes.gemini.token_delay_seconds = 0.0


def workflow_for(client: httpx.Client, **llm: Any) -> str:
    reply = client.post("/workflows", json={"name": "streaming", "graph": direct_llm_graph(**llm)})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def start(client: httpx.Client, workflow: str, query: str) -> str:
    reply = client.post(f"/workflows/{workflow}/runs", json={"query": query})
    assert reply.status_code == 202, reply.text
    return str(reply.json()["run_id"])


def tokens(events: list[ServerSentEvent]) -> list[dict[str, Any]]:
    return [e.json() for e in events if e.event == "token"]


def shown_answer(events: list[ServerSentEvent]) -> str:
    """The text a client shows from the tokens: the last attempt's, the earlier replaced."""
    deltas = tokens(events)
    last = max(d["attempt"] for d in deltas)
    return "".join(d["text"] for d in deltas if d["attempt"] == last)


def assert_ids_increase(events: list[ServerSentEvent]) -> None:
    ids = [cursor_of(str(e.id)) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids


BOTH_PROVIDERS = [{"model": "gpt-4o-mini"}, {"provider": "gemini", "model": "gemini-2.0-flash"}]


@pytest.mark.parametrize("llm", BOTH_PROVIDERS)
@pytest.mark.usefixtures("slow_tokens")
def test_tokens_arrive_while_the_step_runs_and_add_up_to_the_answer(
    admin: httpx.Client, llm: dict[str, Any]
) -> None:
    run_id = start(admin, workflow_for(admin, **llm), "Tell me about refunds please")
    arrivals: list[tuple[float, ServerSentEvent]] = []
    with admin.stream("GET", f"/runs/{run_id}/events") as reply:
        for event in events_of(reply):
            arrivals.append((time.monotonic(), event))
    events = [e for _, e in arrivals]
    names = [e.event for e in events]
    assert names[0] == "run_started" and names[-1] == "run_completed", names
    deltas = tokens(events)
    assert len(deltas) > 3, names
    assert {d["node_id"] for d in deltas} == {"llm"} and {d["attempt"] for d in deltas} == {1}
    assert [d["seq"] for d in deltas] == sorted({d["seq"] for d in deltas})
    # The first token came well before the end: the answer was written in view.
    first_token = next(t for t, e in arrivals if e.event == "token")
    assert arrivals[-1][0] - first_token > 3 * TOKEN_DELAY_SECONDS
    completed = events[-1].json()
    assert shown_answer(events) == completed["response"]
    assert completed["usage"]["completion_tokens"] > 0  # from the stream's last chunk
    assert_ids_increase(events)

    # Resuming after any event gives exactly the events after it.
    for i in (1, len(events) // 2, len(events) - 2):
        resumed = read_all(admin, f"/runs/{run_id}/events", **{"Last-Event-ID": str(events[i].id)})
        assert comparable(resumed) == comparable(events[i + 1 :])


def test_a_stream_that_breaks_is_retried_in_view_and_its_text_replaced(
    admin: httpx.Client, fakes: Fakes
) -> None:
    fakes.openai.script([StreamBreak(after_tokens=3)], CHAT)
    run_id = start(admin, workflow_for(admin, model="gpt-4o-mini"), "Break the first stream")
    events = read_all(admin, f"/runs/{run_id}/events")
    names = [e.event for e in events]
    assert names[-1] == "run_completed", names
    first = [d for d in tokens(events) if d["attempt"] == 1]
    assert len(first) >= 1 and len("".join(d["text"] for d in first).split()) == 3
    failed = next(e.json() for e in events if e.event == "attempt_failed")
    assert failed["node_id"] == "llm" and "stream broke" in (failed["error"] or "")
    assert any(d["attempt"] == 2 for d in tokens(events))
    # What the client shows is the second attempt's text alone, which is the answer.
    answer = events[-1].json()["response"]
    assert shown_answer(events) == answer
    assert "".join(d["text"] for d in tokens(events)) != answer


@pytest.mark.usefixtures("slow_tokens")
def test_tokens_stream_through_another_api_process_and_resume_on_the_first(
    running_stack: RunningStack, admin: httpx.Client
) -> None:
    workflow = workflow_for(admin, model="gpt-4o-mini")
    with (
        running_stack.extra_api() as other_url,
        login(other_url, ADMIN_EMAIL, ADMIN_PASSWORD) as other,
    ):
        run_id = start(admin, workflow, "Stream me across two processes please")
        seen: list[ServerSentEvent] = []
        with other.stream("GET", f"/runs/{run_id}/events") as reply:
            for event in events_of(reply):
                seen.append(event)
                if len(tokens(seen)) == 3:
                    break  # the client drops mid-answer …
        rest = read_all(admin, f"/runs/{run_id}/events", **{"Last-Event-ID": str(seen[-1].id)})
    events = seen + rest  # … and resumes on the process that started the run
    assert [e.event for e in events][-1] == "run_completed"
    assert_ids_increase(events)
    assert shown_answer(events) == events[-1].json()["response"]


@pytest.mark.usefixtures("slow_tokens")
def test_the_chat_socket_carries_the_tokens(
    running_stack: RunningStack, admin: httpx.Client
) -> None:
    workflow = workflow_for(admin, model="gpt-4o-mini")
    chat = admin.post("/chat/sessions", json={"workflow_id": workflow}).json()["id"]
    token = admin.headers["Authorization"].removeprefix("Bearer ")
    url = running_stack.api_url.replace("http", "ws", 1) + f"/api/v1/chat/ws/{chat}"
    frames: list[dict[str, Any]] = []
    with connect(url) as socket:
        socket.send(json.dumps({"type": "auth", "token": token}))
        socket.send(json.dumps({"type": "message", "content": "Stream over the socket please"}))
        while not frames or frames[-1].get("event") not in ("run_completed", "run_failed"):
            frames.append(json.loads(socket.recv(timeout=60)))
    events = [f for f in frames if f["type"] == "event"]
    deltas = [f["data"] for f in events if f["event"] == "token"]
    assert len(deltas) > 3
    assert "".join(d["text"] for d in deltas) == events[-1]["data"]["response"]
    # The answer is stored when the run completes, by the process that started it.
    eventually(
        lambda: (
            [m["role"] for m in admin.get(f"/chat/sessions/{chat}/messages").json()]
            == ["user", "assistant"]
        ),
        timeout=30,
        message="the chat's answer was never stored",
    )


def test_many_clients_of_one_run_each_get_every_token_once(
    admin: httpx.Client, fakes: Fakes
) -> None:
    fakes.openai.token_delay_seconds = 0.02
    try:
        run_id = start(admin, workflow_for(admin, model="gpt-4o-mini"), "One run, many readers")
        results: list[list[ServerSentEvent]] = [[] for _ in range(20)]

        def read(i: int) -> None:
            results[i] = read_all(admin, f"/runs/{run_id}/events")

        readers = [threading.Thread(target=read, args=(i,)) for i in range(20)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(60)
    finally:
        fakes.openai.token_delay_seconds = 0.0
    answer = results[0][-1].json()["response"]
    for events in results:
        assert [e.event for e in events][-1] == "run_completed"
        assert shown_answer(events) == answer
        seqs = [d["seq"] for d in tokens(events)]
        assert len(seqs) == len(set(seqs))

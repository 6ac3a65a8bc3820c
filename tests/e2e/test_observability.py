"""Traces and logs of real runs: one trace from the HTTP request to the provider's HTTP
call, across the API and worker processes; JSON log lines that carry a run's ids and
no key."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fakes.http_fake import Failure
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.otlp_receiver import OtlpReceiver, ReceivedSpan
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack
from tests.support.login import login
from tests.support.polling import eventually

SERVER, CLIENT = 2, 3  # OTLP span kinds
# From the provider call up to the request, its ancestors. (The workflow's own span,
# RunWorkflow, is a sibling of its steps under StartWorkflow: Temporal's tracing
# interceptor parents a workflow's outbound calls to the context it was started with.)
CHAIN = [
    "RunActivity:generate_answer",
    "StartActivity:generate_answer",
    "StartWorkflow:GraphRun",
]


def _workflow(client: httpx.Client, name: str, graph: dict[str, Any] | None = None) -> str:
    graph = graph or direct_llm_graph()
    reply = client.post("/workflows", json={"name": name, "graph": graph})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def _is_request(span: ReceivedSpan) -> bool:
    """The API's span of an HTTP request (Temporal's run spans are server spans too)."""
    return span.kind == SERVER and "http.route" in span.attributes


def _ancestors(span: ReceivedSpan, spans: dict[str, ReceivedSpan]) -> list[ReceivedSpan]:
    """``span``'s parents up to the API's server span. That one may have a parent of its
    own: a client that traces sends ``traceparent`` (this test process's httpx is
    instrumented once any test has built the app in it), and the API joins its trace."""
    chain = []
    while span.parent_span_id is not None and not _is_request(span):
        parent = spans.get(span.parent_span_id)
        assert parent is not None, f"{span.name}'s parent was never exported"
        chain.append(parent)
        span = parent
    return chain


def _provider_call_with_its_chain(
    otlp: OtlpReceiver, trace_id: str
) -> tuple[ReceivedSpan, list[ReceivedSpan]]:
    """The trace's chat-completions client span and its ancestors, once all are exported."""

    def complete() -> tuple[ReceivedSpan, list[ReceivedSpan]] | None:
        spans = {s.span_id: s for s in otlp.trace(trace_id)}
        calls = [
            s
            for s in spans.values()
            if s.kind == CLIENT and s.attributes.get("url.path") == "/v1/chat/completions"
        ]
        if not calls:
            return None
        try:
            chain = _ancestors(calls[0], spans)
        except AssertionError:
            return None
        names = [s.name for s in chain]
        if names[:-1] != CHAIN or not _is_request(chain[-1]):
            return None
        if not any(s.name == "RunWorkflow:GraphRun" for s in spans.values()):
            return None
        return calls[0], chain

    return eventually(
        complete,
        timeout=20,
        interval=0.2,
        message=lambda: f"trace {trace_id}: {otlp.trace(trace_id)}",
    )


def test_a_run_is_one_trace_from_the_request_to_the_provider_call(
    admin: httpx.Client, otlp: OtlpReceiver
) -> None:
    reply = admin.post(f"/workflows/{_workflow(admin, 'traced')}/execute", json={"query": "hi"})
    assert reply.status_code == 200, reply.text
    trace_id = reply.headers["X-Trace-Id"]
    assert len(trace_id) == 32
    run = admin.get(f"/runs/{reply.json()['run_id']}").json()
    assert run["trace_id"] == trace_id
    timeline = admin.get(f"/runs/{run['id']}/timeline").json()
    assert timeline["run"]["trace_id"] == trace_id

    call, chain = _provider_call_with_its_chain(otlp, trace_id)
    root = chain[-1]
    assert root.service == "genai-stack-api"
    assert "/execute" in root.name
    assert call.attributes["http.response.status_code"] == 200
    # No query string, no header: nothing that could carry a key.
    assert not any(
        OPENAI_KEY in str(v) for s in otlp.trace(trace_id) for v in s.attributes.values()
    )


@pytest.fixture(scope="module")
def api_without_worker(running_stack: RunningStack) -> Iterator[httpx.Client]:
    """An API hosting no GraphRun worker: its runs execute in the worker process."""
    with (
        running_stack.extra_api({"API_WORKER_SLOTS": "0"}, name="api-no-worker") as url,
        login(url, ADMIN_EMAIL, ADMIN_PASSWORD) as client,
    ):
        yield client


def test_the_trace_crosses_from_the_api_to_the_worker_process(
    api_without_worker: httpx.Client, otlp: OtlpReceiver
) -> None:
    client = api_without_worker
    workflow_id = _workflow(client, "traced remote")
    reply = client.post(f"/workflows/{workflow_id}/execute", json={"query": "hi"})
    assert reply.status_code == 200, reply.text
    trace_id = reply.headers["X-Trace-Id"]

    call, chain = _provider_call_with_its_chain(otlp, trace_id)
    by_name = {s.name: s for s in chain}
    started = by_name["StartWorkflow:GraphRun"]
    ran = by_name["RunActivity:generate_answer"]
    # This API hosts no worker: another process (the worker, or the first API's
    # in-process worker) ran the step, and its spans joined the request's trace.
    assert started.instance != ran.instance
    assert call.instance == ran.instance
    assert chain[-1].instance == started.instance and chain[-1].kind == SERVER


def _log_lines(log_dir: Path) -> list[dict[str, Any]]:
    """The JSON lines of every API and worker process that logged into ``log_dir``."""
    lines = []
    for path in [*log_dir.glob("api*.log"), *log_dir.glob("*worker*.log")]:
        for raw in path.read_text(encoding="utf-8", errors="replace").split("\n"):
            if raw.startswith("{"):
                lines.append(json.loads(raw) | {"file": path.name})
    return lines


def test_a_failed_runs_log_lines_carry_its_ids_one_line_per_attempt_and_no_key(
    admin: httpx.Client, fakes: Fakes, running_stack: RunningStack
) -> None:
    graph = direct_llm_graph()
    graph["nodes"][1]["policy"] = {"initial_interval_seconds": 0.05, "maximum_attempts": 2}
    workflow_id = _workflow(admin, "failing", graph)
    fakes.openai.script([Failure(503), Failure(503)], CHAT)
    reply = admin.post(
        f"/workflows/{workflow_id}/execute",
        json={"query": "fail"},
        headers={"X-Request-Id": "req-failed-run-1"},
    )
    assert reply.status_code == 502, reply.text
    assert reply.headers["X-Request-Id"] == "req-failed-run-1"
    run_id = reply.json()["error"]["details"]["run_id"]
    trace_id = reply.headers["X-Trace-Id"]

    def run_lines() -> list[dict[str, Any]] | None:
        found = [ln for ln in _log_lines(running_stack.log_dir) if ln.get("run_id") == run_id]
        failed = [ln for ln in found if ln.get("error_class")]
        return found if len(failed) >= 2 else None

    lines = eventually(run_lines, timeout=15, message=f"no failed-attempt lines of {run_id}")
    failed = [ln for ln in lines if ln.get("error_class")]
    assert len(failed) == 2, failed  # one per attempt
    for line in failed:
        assert line["trace_id"] == trace_id
        assert "503" in line["error"]
        assert "traceback" not in line  # an expected provider error, not a crash
        assert {"time", "level", "event", "run_id", "trace_id"} <= line.keys()

    access = [
        ln
        for ln in _log_lines(running_stack.log_dir)
        if ln.get("logger") == "api.access" and ln.get("request_id") == "req-failed-run-1"
    ]
    assert len(access) == 1
    assert access[0]["route"] == "/api/v1/workflows/{workflow_id}/execute"
    assert access[0]["status"] == 502 and access[0]["trace_id"] == trace_id
    assert access[0]["user_id"]

    text = "\n".join(p.read_text(errors="replace") for p in running_stack.log_dir.glob("*.log"))
    for key in (OPENAI_KEY, GEMINI_KEY, SERPAPI_KEY, ADMIN_PASSWORD):
        assert key not in text

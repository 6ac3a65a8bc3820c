"""Application metrics as Prometheus reads them: each process counts the work it did.

The same three runs — completed, failed (SerpAPI rejects the key), retried then completed
(SerpAPI unavailable once) — execute once in the API's in-process worker and once in a
worker process (a worker of its own task queue, started by an API without a worker), and
each time the executing process's ``/metrics`` shows them step by step, while run ends are
counted once across the API processes. Ingestion is counted by the worker (pages, chunks,
steps) and by the API that records a document's end; the documents waiting are read from
the table at each scrape. No label carries an id.
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pypdf
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import connect

from stack.processes import free_port, start_worker
from tests.support.fakes.http_fake import Failure
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.openai_fake import EMBEDDINGS
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph, rag_graph
from tests.support.knowledge import EMBEDDING_MODEL
from tests.support.knowledge_api import create_kb, seeded_knowledge_base, upload
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack
from tests.support.login import login
from tests.support.polling import eventually

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
TERMINAL = {"completed", "failed", "cancelled"}


def scrape(url: str) -> Samples:
    """Every sample of a ``/metrics`` page, by name and labels."""
    reply = httpx.get(url, timeout=10)
    reply.raise_for_status()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(reply.text)
        for s in family.samples
    }


@dataclass
class Delta:
    """What changed on one process between two scrapes."""

    before: Samples
    after: Samples

    def __call__(self, name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return self.after.get(key, 0.0) - self.before.get(key, 0.0)


@dataclass(frozen=True)
class RunPath:
    """Where runs started through ``api_url`` execute, and whose metrics show it."""

    api_url: str
    executor_metrics: str
    other_metrics: str


@pytest.fixture(scope="module")
def api_metrics(running_stack: RunningStack) -> str:
    return f"{running_stack.api_url}/metrics"


@pytest.fixture(scope="module")
def worker_metrics(running_stack: RunningStack) -> str:
    return f"http://127.0.0.1:{running_stack.env['WORKER_METRICS_PORT']}/metrics"


@pytest.fixture(scope="module")
def own_worker(running_stack: RunningStack) -> Iterator[tuple[str, str]]:
    """A worker process serving a task queue of its own, and an API that starts its runs
    there without a worker of its own (and no sweeps): its URL and the worker's metrics.
    Nothing else polls that queue, so every step of those runs executes in that worker."""
    queue, port = "graph-runs-metrics", free_port()
    env = dict(
        running_stack.env,
        GRAPH_RUN_TASK_QUEUE=queue,
        WORKER_QUEUES="graph",
        WORKER_METRICS_PORT=str(port),
        PRELOAD_LOCAL_EMBEDDINGS="false",
    )
    worker = start_worker(env, running_stack.log_dir, name="metrics-worker")
    try:
        settings = {"GRAPH_RUN_TASK_QUEUE": queue, "RUNS_RECONCILE_INTERVAL_SECONDS": "0"}
        with running_stack.extra_api(settings, name="metrics-api") as url:
            yield url, f"http://127.0.0.1:{port}/metrics"
    finally:
        worker.stop()


def three_runs(client: httpx.Client, env: dict[str, str], fakes: Fakes) -> list[str]:
    """Completed (knowledge base, web search, answer); failed (SerpAPI answers 401); retried
    then completed (SerpAPI answers 503 once). Returns the run ids."""
    kb_id = seeded_knowledge_base(client, env, [("Metrics count work.", "guide.md", 1)])
    rag = client.post(
        "/workflows", json={"name": "m-rag", "graph": rag_graph(kb_id, use_web_search=True)}
    )
    web = client.post(
        "/workflows",
        json={"name": "m-web", "graph": direct_llm_graph(model="gpt-4o-mini", use_web_search=True)},
    )
    runs = []
    completed = client.post(f"/workflows/{rag.json()['id']}/execute", json={"query": "what?"})
    assert completed.status_code == 200, completed.text
    runs.append(completed.json()["run_id"])
    fakes.serpapi.script([Failure(401)])
    failed = client.post(f"/workflows/{web.json()['id']}/execute", json={"query": "fail"})
    assert failed.status_code == 502, failed.text
    runs.append(failed.json()["error"]["details"]["run_id"])
    fakes.serpapi.script([Failure(503)])
    retried = client.post(f"/workflows/{web.json()['id']}/execute", json={"query": "retry"})
    assert retried.status_code == 200, retried.text
    runs.append(retried.json()["run_id"])
    return runs


def assert_executed_the_three_runs(delta: Delta) -> None:
    attempts, failures = "step_attempts_total", "step_failures_total"
    duration, provider = "step_duration_seconds_count", "provider_request_duration_seconds_count"
    assert delta(attempts, step_type="search_knowledge_base", retry="false") == 1
    assert delta(attempts, step_type="search_web", retry="false") == 3
    assert delta(attempts, step_type="search_web", retry="true") == 1
    assert delta(attempts, step_type="generate_answer", retry="false") == 2
    assert delta(attempts, step_type="generate_answer", retry="true") == 0
    assert delta(failures, step_type="search_web", error_class="ProviderAuthError") == 1
    assert delta(failures, step_type="search_web", error_class="ProviderUnavailable") == 1
    assert delta(duration, step_type="search_web", outcome="completed") == 2
    assert delta(duration, step_type="search_web", outcome="failed") == 2
    assert delta(duration, step_type="generate_answer", outcome="completed") == 2
    assert delta(duration, step_type="search_knowledge_base", outcome="completed") == 1
    assert delta(provider, provider="serpapi", model="google", operation="search") == 4
    assert (
        delta("provider_errors_total", provider="serpapi", model="google", status="unauthorized")
        == 1
    )
    assert (
        delta("provider_errors_total", provider="serpapi", model="google", status="unavailable")
        == 1
    )
    assert delta(provider, provider="openai", model=EMBEDDING_MODEL, operation="embed") == 1


def assert_executed_nothing(delta: Delta) -> None:
    for step_type in ("search_knowledge_base", "search_web", "generate_answer"):
        for retry in ("true", "false"):
            assert delta("step_attempts_total", step_type=step_type, retry=retry) == 0


def ended(deltas: list[Delta], status: str) -> tuple[float, float]:
    """Runs counted as ended with ``status`` across API processes, and their durations."""
    return (
        sum(d("workflow_executions_total", status=status) for d in deltas),
        sum(d("workflow_execution_duration_seconds_count", status=status) for d in deltas),
    )


def assert_no_ids_in_labels(pages: list[Samples], ids: set[str]) -> None:
    for samples in pages:
        for name, labels in samples:
            for key, value in labels:
                assert value not in ids, (name, key, value)
                assert not UUID.search(value), (name, key, value)


def test_the_api_worker_counts_the_steps_it_ran_and_the_run_ends_once(
    running_stack: RunningStack,
    admin: httpx.Client,
    fakes: Fakes,
    api_metrics: str,
    worker_metrics: str,
) -> None:
    api_before, worker_before = scrape(api_metrics), scrape(worker_metrics)
    runs = three_runs(admin, running_stack.env, fakes)
    # The reconcile sweep may find a run's end before the request does: either counts it.
    api = Delta(api_before, scrape(api_metrics))
    worker = Delta(worker_before, scrape(worker_metrics))

    assert_executed_the_three_runs(api)
    assert_executed_nothing(worker)
    assert ended([api], "completed") == (2, 2)
    assert ended([api], "failed") == (1, 1)
    own_id = admin.get("/auth/me").json()["id"]
    assert_no_ids_in_labels([api.after, worker.after], {*runs, own_id})


def test_a_worker_process_counts_the_steps_it_ran_and_the_run_ends_once(
    running_stack: RunningStack,
    fakes: Fakes,
    api_metrics: str,
    worker_metrics: str,
    own_worker: tuple[str, str],
) -> None:
    api_url, own_worker_metrics = own_worker
    pages = [api_metrics, f"{api_url}/metrics", own_worker_metrics, worker_metrics]
    before = [scrape(p) for p in pages]
    with login(api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as client:
        runs = three_runs(client, running_stack.env, fakes)
    main_api, own_api, own, stack_worker = (
        Delta(b, scrape(p)) for b, p in zip(before, pages, strict=True)
    )

    assert_executed_the_three_runs(own)
    for elsewhere in (main_api, own_api, stack_worker):
        assert_executed_nothing(elsewhere)
    # The starting API's wait and the main API's sweeps race to record each end: once.
    assert ended([main_api, own_api], "completed") == (2, 2)
    assert ended([main_api, own_api], "failed") == (1, 1)
    assert_no_ids_in_labels([d.after for d in (main_api, own_api, own)], set(runs))


def document(client: httpx.Client, doc_id: str, until: set[str]) -> dict:
    return eventually(
        lambda: (d := client.get(f"/documents/{doc_id}").json())["status"] in until and d,
        timeout=120,
        interval=0.2,
        message=f"document {doc_id} never reached {until}",
    )


def test_ingestion_is_counted_by_the_worker_and_its_end_once_by_the_api(
    running_stack: RunningStack,
    admin: httpx.Client,
    fakes: Fakes,
    api_metrics: str,
    worker_metrics: str,
) -> None:
    kb = create_kb(admin, embedding_provider="openai", embedding_model=EMBEDDING_MODEL)
    api_before, worker_before = scrape(api_metrics), scrape(worker_metrics)
    waiting = Delta(api_before, api_before)
    text = b"Metrics are counted once. Each process counts its own work.\n" * 20
    with fakes.openai.holding(EMBEDDINGS):  # shorter than the provider timeout (5 s)
        asked = len(fakes.openai.embedding_requests)
        doc = upload(admin, kb["id"], "metrics.txt", text)
        waiting.after = scrape(api_metrics)  # nobody has looked at it: its row says queued
        assert waiting("ingest_documents_waiting", status="queued") == 1
        eventually(
            lambda: len(fakes.openai.embedding_requests) > asked,
            timeout=30,
            interval=0.05,
            message="the ingestion never asked for embeddings",
        )
        assert admin.get(f"/documents/{doc['id']}").json()["status"] == "running"
        waiting.after = scrape(api_metrics)
        assert waiting("ingest_documents_waiting", status="queued") == 0
        assert waiting("ingest_documents_waiting", status="processing") == 1
    done = document(admin, doc["id"], TERMINAL)
    assert done["status"] == "completed", done
    scanned = upload(admin, kb["id"], "scanned.pdf", blank_pdf())
    failed = document(admin, scanned["id"], TERMINAL)
    assert failed["status"] == "failed", failed
    admin.get(f"/documents/{doc['id']}")  # a second look at an ended document counts nothing
    api = Delta(api_before, scrape(api_metrics))
    worker = Delta(worker_before, scrape(worker_metrics))

    assert worker("ingest_pages_total") == done["pages_extracted"] >= 1
    assert worker("ingest_chunks_total") >= done["chunks_total"] >= 1
    assert worker("step_attempts_total", step_type="extract_document", retry="false") == 2
    assert worker("step_attempts_total", step_type="chunk_document", retry="false") == 1
    assert (
        worker("step_duration_seconds_count", step_type="chunk_document", outcome="completed") == 1
    )
    unreadable = {"step_type": "extract_document", "error_class": "DocumentUnreadable"}
    assert worker("step_failures_total", **unreadable) == 1
    assert api("ingest_document_duration_seconds_count", outcome="completed") == 1
    assert api("ingest_document_duration_seconds_count", outcome="failed") == 1
    assert api("ingest_failures_total", error_class="DocumentUnreadable") == 1
    assert api("ingest_documents_waiting", status="queued") == 0
    assert api("ingest_documents_waiting", status="processing") == 0
    assert_no_ids_in_labels([api.after, worker.after], {doc["id"], scanned["id"], kb["id"]})


def blank_pdf() -> bytes:
    """A PDF whose one page holds no text (as a scan would): its extraction fails."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_open_event_streams_are_counted_while_open(
    running_stack: RunningStack, admin: httpx.Client, fakes: Fakes, api_metrics: str
) -> None:
    wf = admin.post("/workflows", json={"name": "m-sse", "graph": direct_llm_graph(model="m")})
    chat = admin.post("/chat/sessions", json={"workflow_id": wf.json()["id"]}).json()
    before = scrape(api_metrics)
    gauge = Delta(before, before)

    def open_now(transport: str) -> float:
        gauge.after = scrape(api_metrics)
        return gauge("event_streams_open", transport=transport)

    with fakes.openai.holding(CHAT):
        run_id = admin.post(f"/workflows/{wf.json()['id']}/runs", json={"query": "hold"}).json()[
            "run_id"
        ]
        with admin.stream("GET", f"/runs/{run_id}/events") as events:
            assert events.status_code == 200
            assert open_now("sse") == 1
    eventually(lambda: open_now("sse") == 0, timeout=30, message="the SSE stream stayed counted")

    socket_url = running_stack.api_url.replace("http://", "ws://") + f"/api/v1/chat/ws/{chat['id']}"
    token = str(admin.headers["Authorization"]).removeprefix("Bearer ")
    with connect(socket_url) as socket:
        socket.send(f'{{"type": "auth", "token": "{token}"}}')
        socket.send('{"type": "ping"}')
        assert "pong" in str(socket.recv(timeout=30))
        assert open_now("websocket") == 1
    eventually(lambda: open_now("websocket") == 0, timeout=30, message="the socket stayed counted")

"""Liveness and readiness of the real processes: a killed worker's queue is named unserved
within ``QUEUE_UNSERVED_AFTER_SECONDS``, and a document waiting for it says so.

Temporal's DescribeTaskQueue keeps a SIGKILLed worker's poller listed for minutes, so
readiness counts the workers' heartbeats instead (``activities/storage/worker_heartbeats.py``).
"""

import asyncio
import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from activities.storage.worker_heartbeats import WORKER_HEARTBEATS, QueueHeartbeat
from settings import Settings
from stack.processes import free_port, start_api
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.running import Fakes
from tests.support.fakes.unreachable import closed_port_url
from tests.support.knowledge_api import create_kb, upload
from tests.support.live_stack import RunningStack, launch_stack
from tests.support.polling import eventually
from tests.support.postgres import temporary_database

GRAPH, INGEST = "graph-runs", "ingest"
UNSERVED_AFTER = Settings().queue_unserved_after_seconds  # the default; no stack overrides it
# One poll of readiness (the probes answer in milliseconds here; the timeout is 3 s).
POLL = 0.25
# What measuring adds to the design's bound: the poll interval and one readiness answer.
SLACK = 1.5


def ready(api_url: str) -> httpx.Response:
    return httpx.get(f"{api_url}/health/ready", timeout=10)


def queues_of(reply: httpx.Response) -> dict[str, dict]:
    return reply.json()["task_queues"]


def wait_until_served(api_url: str, queue: str, timeout: float = 90) -> dict:
    seen: list[dict] = []

    def served() -> dict | None:
        report = ready(api_url).json()
        seen.append(report)
        return report if report["task_queues"][queue]["status"] == "served" else None

    return eventually(served, timeout=timeout, interval=POLL, message=lambda: f"{seen[-1]}")


def seconds_until_unserved(api_url: str, queue: str, since: float) -> tuple[float, httpx.Response]:
    """How long after ``since`` readiness first named ``queue`` unserved, and that answer."""
    seen: list[httpx.Response] = []

    def unserved() -> httpx.Response | None:
        reply = ready(api_url)
        seen.append(reply)
        return reply if queues_of(reply)[queue]["status"] == "unserved" else None

    reply = eventually(
        unserved, timeout=UNSERVED_AFTER + 30, interval=POLL, message=lambda: seen[-1].text
    )
    return time.monotonic() - since, reply


def test_ready_reports_services_queues_and_providers_but_no_secret(
    running_stack: RunningStack,
) -> None:
    reply = ready(running_stack.api_url)
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert report["status"] == "ok"
    app_version = httpx.get(f"{running_stack.api_url}/openapi.json").json()["info"]["version"]
    assert report["version"] == app_version
    stamped = datetime.fromisoformat(report["timestamp"])
    assert abs((datetime.now(UTC) - stamped).total_seconds()) < 10
    services = report["services"]
    assert services["database"]["detail"] == "postgresql"
    assert services["temporal"]["detail"] == running_stack.env["TEMPORAL_ADDRESS"]
    for name in ("database", "temporal", "chroma"):
        assert services[name]["status"] == "up", services
        assert 0 <= services[name]["latency_ms"] < 3000
    graph, ingest = report["task_queues"][GRAPH], report["task_queues"][INGEST]
    assert graph["status"] == ingest["status"] == "served"
    assert graph["workers"] >= 2  # the worker process and the API's in-process worker
    assert ingest["workers"] >= 1
    assert graph["pollers"] >= 1 and ingest["pollers"] >= 1
    assert graph["last_seen"] is not None
    assert report["providers"] == {
        "openai": "configured",
        "gemini": "configured",
        "serpapi": "configured",
        "openai-compatible": "not_configured",
    }
    for secret in (OPENAI_KEY, GEMINI_KEY, SERPAPI_KEY, running_stack.env["JWT_SECRET"]):
        assert secret not in reply.text

    everything = httpx.get(f"{running_stack.api_url}/health")
    assert everything.status_code == 200 and everything.json()["status"] == "ok"
    live = httpx.get(f"{running_stack.api_url}/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})


def test_a_killed_worker_is_named_within_seconds_and_an_upload_says_it_waits(
    running_stack: RunningStack, admin: httpx.Client
) -> None:
    api = running_stack.api_url
    wait_until_served(api, INGEST)
    kb = create_kb(admin)
    killed_at = time.monotonic()
    running_stack.kill_worker()
    try:
        elapsed, reply = seconds_until_unserved(api, INGEST, killed_at)
        print(f"\ningest named unserved {elapsed:.1f} s after the worker was SIGKILLed")
        assert elapsed <= UNSERVED_AFTER + SLACK
        report = reply.json()
        assert reply.status_code == 200  # degraded: the API still works
        assert report["status"] == "degraded"
        ingest = report["task_queues"][INGEST]
        assert ingest["workers"] == 0 and ingest["last_seen"] is not None
        graph = report["task_queues"][GRAPH]
        assert graph["status"] == "served" and graph["workers"] >= 1  # the API's own worker
        assert httpx.get(f"{api}/health").status_code == 503  # not everything is up

        doc = upload(admin, kb["id"], "waiting.txt", b"Uploaded while no worker was alive.")
        waiting = admin.get(f"/documents/{doc['id']}").json()
        assert waiting["status"] == "queued", waiting
        assert waiting["notice"].startswith("Waiting for an ingestion worker: none has been seen")
        listed = admin.get(f"/knowledge-bases/{kb['id']}/documents").json()
        assert [d["notice"][:40] for d in listed] == [waiting["notice"][:40]]  # the builder's list
        print(f"the document says: {waiting['notice']!r}")
    finally:
        restarted_at = time.monotonic()
        running_stack.start_worker()
    wait_until_served(api, INGEST)
    print(f"ingest served again {time.monotonic() - restarted_at:.1f} s after the restart")

    def ingested() -> dict | None:
        now = admin.get(f"/documents/{doc['id']}").json()
        return now if now["status"] == "completed" else None

    done = eventually(ingested, timeout=120, interval=0.5, message="never ingested")
    assert done["notice"] is None and done["chunks_embedded"] == done["chunks_total"] > 0


@pytest.fixture(scope="module")
def workerless_api_stack(
    fakes: Fakes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """A stack of its own whose API hosts no GraphRun worker: the worker process serves
    both queues alone (an API of the session's stack would count that API's worker)."""
    root = tmp_path_factory.mktemp("workerless-api")
    log_dir = Path(os.environ.get("TEST_LOG_DIR", root / "logs")) / "workerless-api"
    settings = {"API_WORKER_SLOTS": "0", "PRELOAD_LOCAL_EMBEDDINGS": "false"}
    with (
        temporary_database("genai_health") as database_url,
        launch_stack(fakes.urls, database_url, root, log_dir, extra_env=settings) as running,
    ):
        yield running


def test_without_the_apis_worker_a_killed_worker_leaves_both_queues_unserved(
    workerless_api_stack: RunningStack,
) -> None:
    stack = workerless_api_stack
    before = queues_of(ready(stack.api_url))
    assert before[GRAPH]["workers"] == before[INGEST]["workers"] == 1, before
    killed_at = time.monotonic()
    stack.kill_worker()
    try:
        elapsed, _ = seconds_until_unserved(stack.api_url, GRAPH, killed_at)
        reply = ready(stack.api_url)
        print(f"\ngraph-runs named unserved {elapsed:.1f} s after the worker was SIGKILLed")
        print(f"Temporal still lists pollers: {[q['pollers'] for q in queues_of(reply).values()]}")
        assert elapsed <= UNSERVED_AFTER + SLACK
        assert reply.status_code == 200 and reply.json()["status"] == "degraded"
        assert {q: v["status"] for q, v in queues_of(reply).items()} == {
            GRAPH: "unserved",
            INGEST: "unserved",
        }
    finally:
        stack.start_worker()
    wait_until_served(stack.api_url, GRAPH)


def test_liveness_answers_while_temporal_is_unreachable_and_readiness_says_down(
    running_stack: RunningStack,
) -> None:
    closed = urlsplit(closed_port_url()).netloc
    env = dict(running_stack.env, TEMPORAL_ADDRESS=closed, API_WORKER_SLOTS="0")
    port = free_port()
    api = start_api(env, "127.0.0.1", port, running_stack.log_dir, name=f"api-no-temporal-{port}")
    try:
        url = f"http://127.0.0.1:{port}"

        def live() -> httpx.Response | None:
            try:
                reply = httpx.get(f"{url}/health/live", timeout=5)
            except httpx.HTTPError:
                return None  # not listening yet
            return reply if reply.status_code == 200 else None

        assert eventually(live, timeout=60, interval=0.2, message="no liveness").json() == {
            "status": "ok"
        }
        started = time.monotonic()
        reply = ready(url)
        took = time.monotonic() - started
        assert reply.status_code == 503, reply.text
        report = reply.json()
        assert report["status"] == "down"
        assert report["services"]["temporal"]["status"] == "down"
        assert report["services"]["database"]["status"] == "up"
        assert all(q["pollers"] is None for q in report["task_queues"].values())
        assert took < 3.0 + 2.0  # the probe's timeout, and the rest answered meanwhile
        assert httpx.get(f"{url}/health", timeout=10).status_code == 503
        assert httpx.get(f"{url}/health/live").status_code == 200
    finally:
        api.stop()


async def test_a_heartbeat_is_refreshed_while_it_runs_and_deleted_when_it_stops(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'heartbeats.db'}"
    engine = sa.create_engine(url)
    WORKER_HEARTBEATS.metadata.create_all(engine)
    settings = Settings(database_url=url, worker_heartbeat_seconds=0.05)

    def rows() -> list[sa.Row]:
        with engine.connect() as conn:
            return list(conn.execute(sa.select(WORKER_HEARTBEATS)).all())

    async with QueueHeartbeat(settings, [GRAPH, INGEST], engine=engine) as beat:
        await asyncio.sleep(0.1)
        (first,) = rows()
        assert (first.id, first.queues, first.pid) == (beat.id, "graph-runs,ingest", os.getpid())
        await asyncio.sleep(0.2)
        (later,) = rows()
        assert later.seen_at > first.seen_at
    assert rows() == []


async def test_a_heartbeat_without_its_database_logs_once_and_never_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed = urlsplit(closed_port_url()).netloc
    url = f"postgresql+psycopg://nobody@{closed}/nothing"
    settings = Settings(database_url=url, worker_heartbeat_seconds=0.05)
    with caplog.at_level(logging.WARNING, logger="worker.heartbeat"):
        async with QueueHeartbeat(settings, [INGEST]):
            await asyncio.sleep(0.5)  # about ten failed beats
    failures = [r for r in caplog.records if "heartbeat not written" in r.getMessage()]
    assert len(failures) == 1  # once per streak of failures

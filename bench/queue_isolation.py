"""Queue isolation: does answering stay fast while large documents are being ingested?

Two arms, one after the other in the same run, each on a stack of its own (fresh
PostgreSQL database, Temporal dev server, Chroma server, API; provider fakes in another
process, shared), the first stack stopped before the second starts:

- A "one worker": one worker process with ``WORKER_QUEUES=graph,ingest``;
- B "separate workers": one worker with ``WORKER_QUEUES=graph`` and one with
  ``WORKER_QUEUES=ingest``.

Both arms set ``API_WORKER_SLOTS=0``, so graph runs execute in a worker process, not in
the API. In each arm: a small knowledge base seeded through the fake OpenAI embeddings
(no ingestion) and a rag graph (user_query → knowledge_base → llm_engine → output) over
it; then

1. quiet: ``--quiet-queries`` sequential executions (after a few warm-up ones);
2. loaded: two PDFs of ``--pages`` pages each (the 17-page spec PDF n times) uploaded
   into two knowledge bases embedded locally (all-MiniLM-L6-v2 on CPU, the default), and
   executions issued back to back, sequentially, until both ingestions have ended (or
   ``--max-queries`` / ``--max-seconds``).

For each phase it reads each run's timeline (``GET /runs/{id}/timeline``, after the
phase) and reports the ``search_knowledge_base`` step's own duration (its marker's
schedule → completion, as the timeline gives it) p50/p95/max, the end-to-end execute
latency (HTTP round trip of ``POST /workflows/{id}/execute``) p50/p95, the worker
processes' peak RSS (psutil, sampled every 0.2 s), each document's ingestion time
(``created_at`` → ``finished_at``) and the load average.

    .venv/bin/python -m bench.queue_isolation [--pages 680] [--quiet-queries 40]
    .venv/bin/python -m bench.queue_isolation --pages 68 --quiet-queries 10   # smoke
    .venv/bin/python -m bench.queue_isolation --arms B,A   # the other order

Each arm first waits until its workers are idle (they load and warm up the embedding
model in the background at start), then runs a few warm-up executions.
"""

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import psutil

from stack.processes import (
    ManagedProcess,
    Stack,
    free_port,
    migrate,
    start_api,
    start_chroma,
    start_temporal,
    start_worker,
    wait_healthy,
)
from tests.support.documents import spec_pdf_copies
from tests.support.fakes.running import FakeUrls
from tests.support.fakes.serve import fakes_in_another_process
from tests.support.graphs import rag_graph
from tests.support.knowledge_api import create_kb, seeded_knowledge_base, upload
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, stack_env
from tests.support.login import login
from tests.support.postgres import temporary_database

QUERY = "How long is the refund window?"
PASSAGES = [(f"Passage {i}: the refund window is {i} days.", f"doc{i}.pdf", i) for i in range(50)]
SPEC_PAGES = 17  # pages of one copy of the spec PDF
KB_ACTIVITY = "search_knowledge_base"
WARMUP = 5
ARMS = {
    "A one worker": ["graph,ingest"],
    "B separate workers": ["graph", "ingest"],
}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Phase:
    """What one phase of one arm measured."""

    kb_step_ms: list[float] = field(default_factory=list)
    execute_ms: list[float] = field(default_factory=list)
    failed: int = 0
    seconds: float = 0.0
    peak_rss: dict[str, int] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and end


@dataclass
class ArmResult:
    name: str
    workers: list[str]
    quiet: Phase
    loaded: Phase
    ingestion_s: list[float]
    chunks: list[int]
    rss_at_start: dict[str, int]


class RssSampler:
    """Peak RSS of each named process (and its children), sampled in a thread."""

    def __init__(self, pids: dict[str, int], interval: float = 0.2) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.interval = interval
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> dict[str, int]:
        now = {}
        for name, proc in self.processes.items():
            try:
                family = [proc, *proc.children(recursive=True)]
                now[name] = sum(p.memory_info().rss for p in family)
            except psutil.NoSuchProcess:
                now[name] = 0
        return now

    def cpu(self) -> dict[str, float]:
        used = {}
        for name, proc in self.processes.items():
            times = proc.cpu_times()
            used[name] = times.user + times.system + times.children_user + times.children_system
        return used

    def wait_idle(self, busy: float = 0.1, timeout: float = 180.0) -> float:
        """Waits until every process used under ``busy`` CPU-seconds in a second (the
        worker loads and warms up the embedding model in the background at start); the
        seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            before = self.cpu()
            time.sleep(1.0)
            after = self.cpu()
            if all(after[n] - before[n] < busy for n in after):
                break
        return time.monotonic() - start

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for name, rss in self.rss().items():
                self.peak[name] = max(self.peak[name], rss)

    def __enter__(self) -> "RssSampler":
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def launch_arm(
    fakes: FakeUrls, database_url: str, root: Path, log_dir: Path, worker_queues: list[str]
) -> Iterator[tuple[str, dict[str, str], dict[str, ManagedProcess]]]:
    """The stack of ``tests.support.live_stack.launch_stack`` with one worker process per
    entry of ``worker_queues`` (its ``WORKER_QUEUES``) and no GraphRun worker in the API.

    Not ``launch_stack`` itself: it waits for ``/health``, which stays degraded until
    every task queue is served, so the second worker has to start before that wait."""
    stack = Stack()
    try:
        temporal_port, chroma_port, api_port = free_port(), free_port(), free_port()
        stack.add(start_temporal(root, temporal_port, free_port(), log_dir, persistent=False))
        stack.add(start_chroma(root / "chroma", chroma_port, log_dir))
        env = stack_env(
            fakes,
            database_url,
            root,
            f"127.0.0.1:{temporal_port}",
            f"http://127.0.0.1:{chroma_port}",
        )
        env["API_WORKER_SLOTS"] = "0"
        migrate(env)
        workers = {}
        for queues in worker_queues:
            name = "worker-" + queues.replace(",", "+")
            worker_env = dict(env, WORKER_QUEUES=queues, WORKER_METRICS_PORT=str(free_port()))
            workers[name] = stack.add(start_worker(worker_env, log_dir, name=name))
        stack.add(start_api(env, "127.0.0.1", api_port, log_dir))
        api_url = f"http://127.0.0.1:{api_port}"
        wait_healthy(api_url, 180, stack.processes)
        yield api_url, env, workers
    finally:
        stack.stop()


def kb_step_ms(api: httpx.Client, run_id: str) -> float:
    """The knowledge-base step's own duration in this run, from its timeline."""
    timeline = api.get(f"/runs/{run_id}/timeline").raise_for_status().json()["timeline"]
    (node,) = [n for n in timeline["nodes"] if n["activity"] == KB_ACTIVITY]
    assert node["status"] == "completed", node
    if node["started_at"] and node["finished_at"]:
        started = datetime.fromisoformat(node["started_at"])
        finished = datetime.fromisoformat(node["finished_at"])
        return (finished - started).total_seconds() * 1000
    return float(node["duration_ms"])


def execute(api: httpx.Client, path: str, phase: Phase, run_ids: list[str]) -> None:
    """One execution, timed; its run id kept for the timeline."""
    start = time.perf_counter()
    reply = api.post(path, json={"query": QUERY})
    elapsed = (time.perf_counter() - start) * 1000
    if reply.status_code != 200:
        phase.failed += 1
        return
    phase.execute_ms.append(elapsed)
    run_ids.append(reply.json()["run_id"])


def read_timelines(api: httpx.Client, phase: Phase, run_ids: list[str]) -> None:
    phase.kb_step_ms = [kb_step_ms(api, run_id) for run_id in run_ids]


@contextmanager
def measured(phase: Phase, sampler: RssSampler) -> Iterator[None]:
    """Times the phase, its load average, and the workers' peak RSS and CPU during it."""
    sampler.peak = sampler.rss()
    cpu = sampler.cpu()
    load = os.getloadavg()[0]
    start = time.perf_counter()
    yield
    phase.seconds = time.perf_counter() - start
    phase.load = (load, os.getloadavg()[0])
    phase.peak_rss = dict(sampler.peak)
    phase.cpu_seconds = {n: s - cpu[n] for n, s in sampler.cpu().items()}


def run_arm(
    name: str, worker_queues: list[str], fakes: FakeUrls, pdf: bytes, args: argparse.Namespace
) -> ArmResult:
    print(f"\n[{time.strftime('%H:%M:%S')}] arm {name}: workers {worker_queues}", flush=True)
    quiet, loaded = Phase(), Phase()
    with (
        temporary_database("genai_bench") as database_url,
        tempfile.TemporaryDirectory() as tmp,
        launch_arm(fakes, database_url, Path(tmp), Path(tmp) / "logs", worker_queues) as (
            api_url,
            env,
            workers,
        ),
        login(api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api,
    ):
        api.timeout = httpx.Timeout(300)
        kb_id = seeded_knowledge_base(api, env, PASSAGES)
        wf = api.post("/workflows", json={"name": "rag", "graph": rag_graph(kb_id)})
        path = f"/workflows/{wf.raise_for_status().json()['id']}/execute"
        with RssSampler({n: w.popen.pid for n, w in workers.items()}) as sampler:
            waited = sampler.wait_idle()
            print(f"  workers idle (model preloaded) after {waited:.0f} s", flush=True)
            for _ in range(WARMUP):
                execute(api, path, Phase(), [])
            rss_at_start = sampler.rss()

            run_ids: list[str] = []
            with measured(quiet, sampler):
                for _ in range(args.quiet_queries):
                    execute(api, path, quiet, run_ids)
            read_timelines(api, quiet, run_ids)
            print(f"  quiet: {len(run_ids)} runs in {quiet.seconds:.1f} s", flush=True)

            run_ids = []
            with measured(loaded, sampler):
                docs = []
                for i in range(2):
                    kb = create_kb(api)  # local embeddings, the default
                    docs.append(upload(api, kb["id"], f"big-{i}.pdf", pdf))
                done = threading.Event()
                ended: dict[str, dict] = {}
                poller = threading.Thread(
                    target=_poll_documents,
                    args=(api_url, dict(api.headers), [d["id"] for d in docs], ended, done),
                    daemon=True,
                )
                poller.start()
                deadline = time.monotonic() + args.max_seconds
                while (
                    not done.is_set()
                    and len(run_ids) + loaded.failed < args.max_queries
                    and time.monotonic() < deadline
                ):
                    execute(api, path, loaded, run_ids)
                capped = not done.is_set()
                done.wait(timeout=3600)
                poller.join()
            print(
                f"  loaded: {len(run_ids)} runs in {loaded.seconds:.1f} s"
                + (" (query cap reached before the ingestions ended)" if capped else ""),
                flush=True,
            )
            read_timelines(api, loaded, run_ids)
    for doc in ended.values():
        assert doc["status"] == "completed", doc
    ingestion_s = [
        (
            datetime.fromisoformat(d["finished_at"]) - datetime.fromisoformat(d["created_at"])
        ).total_seconds()
        for d in ended.values()
    ]
    return ArmResult(
        name,
        worker_queues,
        quiet,
        loaded,
        ingestion_s,
        [d["chunks_total"] for d in ended.values()],
        rss_at_start,
    )


def _poll_documents(
    api_url: str,
    headers: dict[str, str],
    doc_ids: list[str],
    ended: dict[str, dict],
    done: threading.Event,
) -> None:
    """Polls the documents once a second until every one has ended, then sets ``done``."""
    with httpx.Client(base_url=f"{api_url}/api/v1", headers=headers, timeout=60) as http:
        deadline = time.monotonic() + 3600
        while len(ended) < len(doc_ids) and time.monotonic() < deadline:
            for doc_id in doc_ids:
                if doc_id in ended:
                    continue
                doc = http.get(f"/documents/{doc_id}").raise_for_status().json()
                if doc["status"] in ("completed", "failed", "cancelled"):
                    ended[doc_id] = doc
            time.sleep(1.0)
    done.set()


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f}"


def report(results: list[ArmResult], args: argparse.Namespace) -> None:
    print(
        f"\nQueue isolation, two {args.pages}-page PDFs ingested concurrently; "
        f"{psutil.cpu_count()} cores. Arms run one after the other in this process run, "
        "each on a stack of its own (the first stopped before the second started); "
        "API_WORKER_SLOTS=0 in both, so graph runs execute in a worker process."
    )
    head = (
        f"{'arm':<20}{'phase':<8}{'runs':>6}{'fail':>5}"
        f"{'kb p50':>8}{'kb p95':>8}{'kb max':>8}{'kb mean':>8}"
        f"{'exec p50':>9}{'exec p95':>9}{'load':>12}"
    )
    print("\nknowledge-base step (search_knowledge_base, from each run's timeline) and")
    print("end-to-end execute latency (HTTP round trip), ms; load = 1-min load avg start→end")
    print(head)
    for r in results:
        for label, phase in (("quiet", r.quiet), ("ingest", r.loaded)):
            kb, ex = phase.kb_step_ms, phase.execute_ms
            print(
                f"{r.name:<20}{label:<8}{len(kb):>6}{phase.failed:>5}"
                f"{percentile(kb, 0.5):>8.1f}{percentile(kb, 0.95):>8.1f}{max(kb):>8.1f}"
                f"{statistics.mean(kb):>8.1f}"
                f"{percentile(ex, 0.5):>9.1f}{percentile(ex, 0.95):>9.1f}"
                f"{phase.load[0]:>6.1f}→{phase.load[1]:<5.1f}"
            )
    print("\nworker processes: RSS after warm-up / peak quiet / peak during ingestion (MiB),")
    print("CPU seconds during ingestion")
    for r in results:
        for name in r.rss_at_start:
            print(
                f"  {r.name:<20}{name:<24}{_mib(r.rss_at_start[name]):>7} /"
                f"{_mib(r.quiet.peak_rss[name]):>7} /{_mib(r.loaded.peak_rss[name]):>7}"
                f"{r.loaded.cpu_seconds[name]:>10.1f} s"
            )
        if len(r.rss_at_start) > 1:
            total = sum(r.loaded.peak_rss.values())
            print(f"  {r.name:<20}{'all workers (sum of peaks)':<24}{'':>17}{_mib(total):>7}")
    print("\ningestion (document created → finished, each) and the loaded phase's length")
    for r in results:
        times = ", ".join(f"{s:.1f} s" for s in r.ingestion_s)
        chunks = ", ".join(str(c) for c in r.chunks)
        print(f"  {r.name:<20}{times} ({chunks} chunks); loaded phase {r.loaded.seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=680, help="pages per PDF (17 per copy)")
    parser.add_argument("--quiet-queries", type=int, default=40)
    parser.add_argument("--max-queries", type=int, default=5000)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--arms", default="A,B", help="in this order: A,B, B,A, A or B")
    args = parser.parse_args()
    copies = max(1, args.pages // SPEC_PAGES)
    args.pages = copies * SPEC_PAGES
    pdf = spec_pdf_copies(copies)
    chosen = [a.strip().upper() for a in args.arms.split(",")]
    by_letter = {name[0]: (name, queues) for name, queues in ARMS.items()}
    print(
        f"[{time.strftime('%H:%M:%S')}] load average {os.getloadavg()}; "
        f"PDF {args.pages} pages, {len(pdf) / 1e6:.1f} MB",
        flush=True,
    )
    results = []
    with fakes_in_another_process() as fakes:
        for letter in chosen:
            name, queues = by_letter[letter]
            results.append(run_arm(name, queues, fakes.urls, pdf, args))
    report(results, args)
    print(f"\n[{time.strftime('%H:%M:%S')}] load average {os.getloadavg()}")


if __name__ == "__main__":
    main()

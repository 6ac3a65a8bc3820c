"""Orchestration overhead of a 4-node graph, measured side by side in one run.

user_query → knowledge_base → llm_engine → output, with an instant loopback fake LLM
and embeddings, through the real stack (Temporal dev server, Chroma server, worker and
API processes, PostgreSQL). Compared with calling the same activity functions directly
in this process. Prints p50/p95 latencies, the overhead, and runs/second sustained by
50 concurrent clients.

    .venv/bin/python -m bench.orchestration_overhead [--runs 200] [--clients 50]
"""

import argparse
import asyncio
import dataclasses
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import psutil
from temporalio.testing import ActivityEnvironment

from activities.registry import build_graph_activities
from settings import Settings
from tests.support.fakes.serve import fakes_in_another_process
from tests.support.graphs import rag_graph
from tests.support.knowledge import EMBEDDING_MODEL, seed_collection
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, launch_stack
from tests.support.login import login
from tests.support.postgres import temporary_database
from workflows.components import EmbeddingProvider, LlmProvider
from workflows.step_io import AnswerInput, KnowledgeSearchInput

COLLECTION = "bench-kb"
QUERY = "How long is the refund window?"
PASSAGES = [(f"Passage {i}: the refund window is {i} days.", f"doc{i}.pdf", i) for i in range(50)]


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User + system CPU time so far of each named process (not its children)."""
    used = {}
    for name, pid in pids.items():
        times = psutil.Process(pid).cpu_times()
        used[name] = times.user + times.system
    postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
    used["postgresql (all backends)"] = sum(
        p.cpu_times().user + p.cpu_times().system for p in postgres if p.is_running()
    )
    return used


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def time_calls(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    """Milliseconds per call, after a warm-up."""
    for _ in range(10):
        await call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def direct_call(env: dict[str, str]) -> Callable[[], Awaitable[object]]:
    """The same activity functions the plan calls, in order, in this process."""
    settings = Settings(
        database_url=env["DATABASE_URL"],  # where paid steps are recorded, as in the worker
        chroma_url=env["CHROMA_URL"],
        openai_api_key=env["OPENAI_API_KEY"],
        openai_base_url=env["OPENAI_BASE_URL"],
        data_dir=Path(env["DATA_DIR"]),
    )
    search, _, answer = build_graph_activities(settings)
    activity_env = ActivityEnvironment()

    async def run_steps() -> object:
        # A run of its own each time, as the worker sees it: steps are recorded, not reused,
        # and the answer streams into the answer stream table.
        run_id = str(uuid.uuid4())
        activity_env.info = dataclasses.replace(
            activity_env.info, workflow_id=f"run-{run_id}", workflow_run_id=run_id
        )
        found = await activity_env.run(
            search,
            KnowledgeSearchInput(
                query=QUERY,
                collection=COLLECTION,
                embedding_provider=EmbeddingProvider.OPENAI,
                embedding_model=EMBEDDING_MODEL,
                top_k=2,
                similarity_threshold=0.0,
            ),
        )
        return await activity_env.run(
            answer,
            AnswerInput(
                provider=LlmProvider.OPENAI,
                model="gpt-4o-mini",
                temperature=0.2,
                max_tokens=1000,
                custom_prompt="You are a careful assistant. Cite sources.",
                query=QUERY,
                passages=found.passages,
                node_id="llm",
            ),
        )

    return run_steps


async def throughput(
    api_url: str, token: str, path: str, clients: int, seconds: float
) -> tuple[float, int, int]:
    """Runs/second completed by ``clients`` concurrent clients looping for ``seconds``."""
    limits = httpx.Limits(max_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    done = failed = 0
    async with httpx.AsyncClient(
        base_url=api_url, headers=headers, limits=limits, timeout=60
    ) as http:
        deadline = time.perf_counter() + seconds

        async def client_loop() -> None:
            nonlocal done, failed
            while time.perf_counter() < deadline:
                reply = await http.post(path, json={"query": QUERY})
                if reply.status_code == 200:
                    done += 1
                else:
                    failed += 1

        start = time.perf_counter()
        await asyncio.gather(*(client_loop() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    return done / elapsed, done, failed


def throughput_wrk(
    api_url: str, token: str, path: str, clients: int, seconds: float
) -> tuple[float, int, int, float]:
    """Like ``throughput`` but with wrk (C, event loop): the load generator costs little CPU.

    Returns runs/s, completed, failed and the CPU seconds wrk used.
    """
    body = json.dumps({"query": QUERY})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{seconds:.0f}s",
            "--timeout",
            "30s",
            "-s",
            script.name,
            f"{api_url}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(script.name)
    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = int(bad[1]) if bad else 0
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return rate * (total - failed) / max(total, 1), total - failed, failed, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    with (
        fakes_in_another_process() as fakes,
        temporary_database("genai_bench") as database_url,
        tempfile.TemporaryDirectory() as tmp,
        launch_stack(fakes.urls, database_url, Path(tmp), Path(tmp) / "logs") as stack,
    ):
        seed_collection(stack.env, COLLECTION, PASSAGES)  # for the in-process baseline
        with login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
            kb_id = seeded_knowledge_base(api, stack.env, PASSAGES)
            token = api.headers["Authorization"].removeprefix("Bearer ")
            modes = {
                "local activities (default)": rag_graph(kb_id),
                "regular activities": rag_graph(
                    kb_id,
                    llm_policy={"execution": "regular"},
                    kb_policy={"execution": "regular"},
                ),
            }
            paths = {}
            for label, graph in modes.items():
                wf = api.post("/workflows", json={"name": label, "graph": graph}).json()
                paths[label] = f"/api/v1/workflows/{wf['id']}/execute"

        async def measure() -> None:
            direct = await time_calls(direct_call(stack.env), args.runs)
            results = {"direct (same activities, one process)": direct}
            async with httpx.AsyncClient(
                base_url=stack.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
            ) as http:
                for label, path in paths.items():

                    async def over_http(path: str = path) -> object:
                        reply = await http.post(path, json={"query": QUERY})
                        reply.raise_for_status()
                        return reply

                    results[f"HTTP API, {label}"] = await time_calls(over_http, args.runs)

            print(f"\n4-node graph, {args.runs} sequential runs each (ms)")
            print(f"{'path':<48}{'p50':>8}{'p95':>8}{'mean':>8}")
            for label, samples in results.items():
                print(
                    f"{label:<48}{percentile(samples, 0.5):>8.1f}{percentile(samples, 0.95):>8.1f}"
                    f"{statistics.mean(samples):>8.1f}"
                )
            base50, base95 = percentile(direct, 0.5), percentile(direct, 0.95)
            for label in paths:
                s = results[f"HTTP API, {label}"]
                print(
                    f"overhead, {label}: p50 {percentile(s, 0.5) - base50:.1f} ms, "
                    f"p95 {percentile(s, 0.95) - base95:.1f} ms"
                )
            label = "local activities (default)"
            pids = {p.name: p.popen.pid for p in stack.stack.processes}
            pids["provider fakes"] = fakes.pid
            pids["load generator (this process)"] = os.getpid()
            before = cpu_seconds(pids)
            if shutil.which("wrk"):
                generator = "wrk"
                rate, done, failed, wrk_cpu = throughput_wrk(
                    stack.api_url, token, paths[label], args.clients, args.seconds
                )
            else:  # wrk is Debian's package 'wrk'; httpx costs far more CPU per request
                generator = "httpx"
                rate, done, failed = await throughput(
                    stack.api_url, token, paths[label], args.clients, args.seconds
                )
                wrk_cpu = 0.0
            after = cpu_seconds(pids)
            after["load generator (this process)"] += wrk_cpu
            print(
                f"\nthroughput ({generator}), {args.clients} concurrent clients, "
                f"{args.seconds:.0f} s, {label}: "
                f"{rate:.1f} runs/s ({done} completed, {failed} failed)"
            )
            print(f"CPU per completed run (ms), {psutil.cpu_count()} cores:")
            for name in after:
                print(f"  {name:<34}{(after[name] - before[name]) * 1000 / max(done, 1):>8.1f}")
            stack_cpu = sum(
                after[n] - before[n]
                for n in after
                if n not in ("provider fakes", "load generator (this process)")
            )
            print(f"  {'stack total':<34}{stack_cpu * 1000 / max(done, 1):>8.1f}")

        asyncio.run(measure())


if __name__ == "__main__":
    main()

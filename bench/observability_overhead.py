"""What metrics, traces and JSON logs cost a run: the orchestration benchmark with
observability on and off, side by side in one run.

Two stacks run at once on one PostgreSQL server, each with its own database, Temporal
dev server, Chroma server, worker and API (on its in-process worker, as by default):

- **on** (the defaults): application metrics recorded, spans created and exported over
  OTLP/HTTP to a loopback receiver in a process of its own (as to Jaeger), JSON log lines
  with an access line per request;
- **off**: ``METRICS_ENABLED=false``, ``TRACING_ENABLED=false``, ``LOG_FORMAT=text``,
  ``ACCESS_LOG=false``.

The 4-node graph of ``bench/orchestration_overhead.py`` (user_query → knowledge_base →
llm_engine → output, instant loopback fakes) runs sequentially, alternating between the
two stacks request by request, so whatever else the machine does falls on both alike.
The overhead is each arm's latency over the same activity functions called directly in
this process (measured in the same alternation). Then each arm's throughput with
``--clients`` concurrent clients, one arm after the other.

    .venv/bin/python -m bench.observability_overhead [--runs 300] [--clients 20]
"""

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from bench.orchestration_overhead import (
    COLLECTION,
    PASSAGES,
    QUERY,
    direct_call,
    percentile,
    throughput,
)
from tests.support.fakes.running import FakeUrls
from tests.support.fakes.serve import fakes_in_another_process
from tests.support.graphs import rag_graph
from tests.support.knowledge import seed_collection
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack, launch_stack
from tests.support.login import login
from tests.support.postgres import temporary_database

OFF = {
    "METRICS_ENABLED": "false",
    "TRACING_ENABLED": "false",
    "LOG_FORMAT": "text",
    "ACCESS_LOG": "false",
}


@contextmanager
def receiver_in_another_process() -> Iterator[str]:
    """The OTLP receiver in a child process (its parsing must not slow the load
    generator); yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fakes.otlp_receiver"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(10)


def arm_stack(
    stack_exit: ExitStack, fakes: FakeUrls, name: str, settings: dict[str, str]
) -> tuple[RunningStack, str, str]:
    """A stack with ``settings`` (stopped when ``stack_exit`` closes), its execute path
    and a token."""
    database = stack_exit.enter_context(temporary_database(f"genai_bench_{name}"))
    root = Path(stack_exit.enter_context(tempfile.TemporaryDirectory()))
    stack = stack_exit.enter_context(launch_stack(fakes, database, root, root / "logs", settings))
    with login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
        kb_id = seeded_knowledge_base(api, stack.env, PASSAGES)
        workflow = api.post("/workflows", json={"name": name, "graph": rag_graph(kb_id)}).json()
        token = api.headers["Authorization"].removeprefix("Bearer ")
    return stack, f"/api/v1/workflows/{workflow['id']}/execute", token


async def alternate(
    calls: dict[str, Callable[[], Awaitable[object]]], runs: int
) -> dict[str, list[float]]:
    """Milliseconds per call of each arm, the arms called in turn, after a warm-up."""
    for _ in range(10):
        for call in calls.values():
            await call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            start = time.perf_counter()
            await call()
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--on-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the 'on' arm (repeatable), to find what costs: e.g. "
        "TRACING_ENABLED=false leaves metrics and JSON logs on",
    )
    args = parser.parse_args()

    with ExitStack() as stacks:
        fakes = stacks.enter_context(fakes_in_another_process()).urls
        otlp_url = stacks.enter_context(receiver_in_another_process())
        on_settings = {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url}
        on_settings |= dict(item.split("=", 1) for item in args.on_setting)
        on, on_path, on_token = arm_stack(stacks, fakes, "on", on_settings)
        off, off_path, off_token = arm_stack(stacks, fakes, "off", OFF)
        seed_collection(on.env, COLLECTION, PASSAGES)  # for the in-process baseline
        arms = {"on": (on, on_path, on_token), "off": (off, off_path, off_token)}

        async def measure() -> None:
            clients = {
                name: httpx.AsyncClient(
                    base_url=stack.api_url,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                )
                for name, (stack, _, token) in arms.items()
            }

            def over_http(name: str) -> Callable[[], Awaitable[object]]:
                async def call() -> object:
                    reply = await clients[name].post(arms[name][1], json={"query": QUERY})
                    reply.raise_for_status()
                    return reply

                return call

            calls = {"direct": direct_call(on.env), "on": over_http("on"), "off": over_http("off")}
            samples = await alternate(calls, args.runs)
            for client in clients.values():
                await client.aclose()

            print(f"\n4-node graph, {args.runs} sequential runs per arm, alternating (ms)")
            print(f"{'arm':<44}{'p50':>8}{'p95':>8}{'mean':>8}")
            labels = {
                "direct": "direct (same activities, this process)",
                "on": "HTTP API, observability on",
                "off": "HTTP API, observability off",
            }
            for name, values in samples.items():
                print(
                    f"{labels[name]:<44}{percentile(values, 0.5):>8.1f}"
                    f"{percentile(values, 0.95):>8.1f}{statistics.mean(values):>8.1f}"
                )
            base = percentile(samples["direct"], 0.5)
            overhead = {n: percentile(samples[n], 0.5) - base for n in ("on", "off")}
            print(f"overhead p50: on {overhead['on']:.1f} ms, off {overhead['off']:.1f} ms")
            latency = percentile(samples["on"], 0.5) / percentile(samples["off"], 0.5) - 1
            print(
                f"difference: {overhead['on'] - overhead['off']:+.1f} ms "
                f"({(overhead['on'] / overhead['off'] - 1) * 100:+.1f} % of the overhead off); "
                f"latency p50 {latency * 100:+.1f} %"
            )
            spans = httpx.get(f"{otlp_url}/spans/count").json()
            print(f"spans received from the on arm: {spans}")
            for name, (stack, path, token) in arms.items():
                rate, done, failed = await throughput(
                    stack.api_url, token, path, args.clients, args.seconds
                )
                print(
                    f"throughput, observability {name}, {args.clients} clients, "
                    f"{args.seconds:.0f} s: {rate:.1f} runs/s ({done} completed, {failed} failed)"
                )

        asyncio.run(measure())


if __name__ == "__main__":
    main()

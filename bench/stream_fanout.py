"""Fan-out of streamed answers: many streaming runs at once, and many readers of one run.

Through the real stack (Temporal dev server, Chroma, worker and API processes, SQLite or
PostgreSQL), with the provider fakes in a process of their own streaming each answer token
by token:

1. ``--runs`` runs started at once, each followed by its own SSE reader to the end;
2. ``--subscribers`` SSE readers of one run.

For every reader: no token row twice (``seq``), and the tokens of the last attempt add up
to the answer ``run_completed`` carries — so none was lost. Prints the counts, the time
taken and the API process's memory (RSS) before, at its peak and after.

    .venv/bin/python -m bench.stream_fanout [--runs 200] [--subscribers 1000]
"""

import argparse
import asyncio
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.time_to_first_token import database
from tests.support.fakes.serve import fakes_in_another_process
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, launch_stack
from tests.support.login import login

QUERY = " ".join(f"word{i}" for i in range(30))  # the fake echoes it: ~35 tokens


@dataclass
class Reading:
    """What one reader saw of one run."""

    seqs: list[int] = field(default_factory=list)
    text: dict[int, str] = field(default_factory=dict)  # attempt → its tokens joined
    answer: str | None = None
    error: str | None = None

    @property
    def intact(self) -> bool:
        if self.answer is None or len(self.seqs) != len(set(self.seqs)) or not self.text:
            return False
        return self.text[max(self.text)] == self.answer


async def read(http: httpx.AsyncClient, events_url: str) -> Reading:
    reading = Reading()
    event = ""
    try:
        async with http.stream("GET", events_url) as reply:
            async for line in reply.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    data: dict[str, Any] = json.loads(line.removeprefix("data: "))
                    if event == "token":
                        reading.seqs.append(data["seq"])
                        attempt = data["attempt"]
                        reading.text[attempt] = reading.text.get(attempt, "") + data["text"]
                    elif event == "run_completed":
                        reading.answer = data["response"]
                        return reading
                    elif event in ("run_failed", "error"):
                        reading.error = line
                        return reading
    except httpx.HTTPError as error:
        reading.error = repr(error)
    return reading


class MemoryWatch:
    """Samples a process's RSS every 50 ms in a thread; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def rss_mib(self) -> float:
        return float(self.process.memory_info().rss) / 2**20

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> "MemoryWatch":
        self.peak = self.process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def report(label: str, readings: list[Reading], seconds: float, memory: dict[str, float]) -> None:
    intact = sum(r.intact for r in readings)
    duplicated = sum(len(r.seqs) - len(set(r.seqs)) for r in readings)
    errors = [r.error for r in readings if r.error]
    tokens = sum(len(r.seqs) for r in readings)
    print(f"\n{label}: {len(readings)} readers in {seconds:.1f} s")
    print(f"  token events received            {tokens}")
    print(f"  readers with every token, once   {intact}/{len(readings)}")
    print(f"  duplicated token events          {duplicated}")
    print(f"  readers ended by an error        {len(errors)} {errors[:3]}")
    print(
        "  API RSS (MiB): before {before:.0f}, peak {peak:.0f}, after {after:.0f}".format(**memory)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--token-ms", type=float, default=20.0)
    parser.add_argument(
        "--reader-rounds", type=int, default=1, help="repeat the many-readers case (memory)"
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--logs", type=Path, help="keep the processes' logs here")
    args = parser.parse_args()
    os.environ["FAKE_TOKEN_DELAY_SECONDS"] = str(args.token_ms / 1000)

    with (
        fakes_in_another_process() as fakes,
        tempfile.TemporaryDirectory() as tmp,
        database(args.database, Path(tmp)) as database_url,
        launch_stack(fakes.urls, database_url, Path(tmp), args.logs or Path(tmp) / "logs") as stack,
    ):
        with login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
            graph = direct_llm_graph(model="gpt-4o-mini")
            wf = api.post("/workflows", json={"name": "fan-out", "graph": graph}).json()
            token = api.headers["Authorization"].removeprefix("Bearer ")
        path = f"/api/v1/workflows/{wf['id']}/runs"
        api_pid = next(p.popen.pid for p in stack.stack.processes if p.name.startswith("api"))

        async def measure() -> None:
            # Idle connections are dropped before uvicorn's 5 s keep-alive closes them: a
            # request sent on a connection the server is closing would fail in transit.
            limits = httpx.Limits(
                max_connections=None, max_keepalive_connections=None, keepalive_expiry=2.0
            )
            async with httpx.AsyncClient(
                base_url=stack.api_url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=300,
                limits=limits,
            ) as http:

                async def start_and_read() -> Reading:
                    started = await http.post(path, json={"query": QUERY})
                    if started.status_code != 202:
                        return Reading(error=f"{started.status_code} {started.text[:200]}")
                    return await read(http, started.json()["events_url"])

                watch = MemoryWatch(api_pid)
                before = watch.rss_mib()
                with watch:
                    began = time.monotonic()
                    runs = await asyncio.gather(*(start_and_read() for _ in range(args.runs)))
                    seconds = time.monotonic() - began
                memory = {"before": before, "peak": watch.peak / 2**20, "after": watch.rss_mib()}
                report(f"{args.runs} streaming runs at once", runs, seconds, memory)

                for round_ in range(1, args.reader_rounds + 1):
                    watch = MemoryWatch(api_pid)
                    before = watch.rss_mib()
                    with watch:
                        began = time.monotonic()
                        started = await http.post(path, json={"query": QUERY * 4})
                        started.raise_for_status()
                        events_url = started.json()["events_url"]
                        readers = await asyncio.gather(
                            *(read(http, events_url) for _ in range(args.subscribers))
                        )
                        seconds = time.monotonic() - began
                    memory = {
                        "before": before,
                        "peak": watch.peak / 2**20,
                        "after": watch.rss_mib(),
                    }
                    label = f"{args.subscribers} readers of one run (round {round_})"
                    report(label, readers, seconds, memory)

        asyncio.run(measure())


if __name__ == "__main__":
    main()

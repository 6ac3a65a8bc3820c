"""Time to first token: what the API adds between a provider's first token and the client.

The provider fakes run in a process of their own and note, for every streamed answer,
the wall-clock time at which they wrote and flushed its first token. Two readers, side by
side in one run, against the same fake:

- **direct**: the ``openai`` SDK streaming a chat completion from the fake;
- **through the API**: ``POST /workflows/{id}/runs`` (user query → LLM → output), then the
  run's SSE stream ``GET /runs/{id}/events``; the first ``token`` event is the first token.

Each figure is ``received - sent`` per answer (same machine, same clock). The fake waits
``--first-token-ms`` before the first token (a model reading its prompt), so the client is
connected before it is sent; samples where it was not are counted and left out.

    .venv/bin/python -m bench.time_to_first_token [--runs 100] [--database sqlite|postgres]
"""

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from openai import AsyncOpenAI

from bench.orchestration_overhead import percentile
from tests.support.fakes.http_fake import FIRST_TOKEN_TIMES_PATH
from tests.support.fakes.keys import OPENAI_KEY
from tests.support.fakes.serve import fakes_in_another_process
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, launch_stack
from tests.support.login import login
from tests.support.postgres import temporary_database

QUERY = "Tell me about the refund window"


def first_token_times(fakes_url: str) -> list[float]:
    times: list[float] = httpx.get(fakes_url + FIRST_TOKEN_TIMES_PATH).json()
    return times


async def sse_lines(reply: httpx.Response) -> AsyncIterator[str]:
    async for line in reply.aiter_lines():
        yield line


async def first_token_through_api(http: httpx.AsyncClient, path: str) -> tuple[float, float] | None:
    """(connected at, first token received at), or None if the run streamed no token."""
    started = await http.post(path, json={"query": QUERY})
    started.raise_for_status()
    events_url = started.json()["events_url"]
    first: float | None = None
    async with http.stream("GET", events_url) as reply:
        connected = time.time()
        event = ""
        async for line in sse_lines(reply):
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "token" and first is None:
                first = time.time()
            elif event in ("run_completed", "run_failed") and line == "":
                break
    return None if first is None else (connected, first)


async def first_token_direct(client: AsyncOpenAI) -> float:
    stream = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": QUERY}],
        stream=True,
        stream_options={"include_usage": True},
    )
    first = 0.0
    async for chunk in stream:
        if first == 0.0 and chunk.choices and chunk.choices[0].delta.content:
            first = time.time()
    return first


def summary(samples: list[float]) -> str:
    return (
        f"p50 {percentile(samples, 0.5):6.1f}  p95 {percentile(samples, 0.95):6.1f}  "
        f"max {max(samples):6.1f}  (n={len(samples)})"
    )


@contextmanager
def database(kind: str, root: Path) -> Any:
    if kind == "postgres":
        with temporary_database("genai_ttft") as url:
            yield url
    else:
        yield f"sqlite:///{root / 'bench.db'}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--first-token-ms", type=float, default=150.0)
    parser.add_argument("--token-ms", type=float, default=5.0)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    os.environ["FAKE_FIRST_TOKEN_DELAY_SECONDS"] = str(args.first_token_ms / 1000)
    os.environ["FAKE_TOKEN_DELAY_SECONDS"] = str(args.token_ms / 1000)

    with (
        fakes_in_another_process() as fakes,
        tempfile.TemporaryDirectory() as tmp,
        database(args.database, Path(tmp)) as database_url,
        launch_stack(fakes.urls, database_url, Path(tmp), Path(tmp) / "logs") as stack,
    ):
        with login(stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
            graph = direct_llm_graph(model="gpt-4o-mini")
            wf = api.post("/workflows", json={"name": "ttft", "graph": graph}).json()
            token = api.headers["Authorization"].removeprefix("Bearer ")
        path = f"/api/v1/workflows/{wf['id']}/runs"

        async def measure() -> None:
            direct: list[float] = []
            through_api: list[float] = []
            late = 0
            sdk = AsyncOpenAI(base_url=fakes.urls.openai + "/v1", api_key=OPENAI_KEY)
            async with httpx.AsyncClient(
                base_url=stack.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
            ) as http:
                for i in range(args.runs + 5):  # the first five warm up
                    before = len(first_token_times(fakes.urls.openai))
                    received = await first_token_direct(sdk)
                    sent = first_token_times(fakes.urls.openai)[before]
                    if i >= 5:
                        direct.append((received - sent) * 1000)

                    before = len(first_token_times(fakes.urls.openai))
                    seen = await first_token_through_api(http, path)
                    times = first_token_times(fakes.urls.openai)
                    if seen is None or len(times) <= before:
                        raise SystemExit("a run streamed no token")
                    connected, received = seen
                    if connected > times[before]:
                        late += 1
                    elif i >= 5:
                        through_api.append((received - times[before]) * 1000)
            await sdk.close()
            print(
                f"\ntime to first token, {args.database}, first token after "
                f"{args.first_token_ms:.0f} ms, tokens {args.token_ms:.0f} ms apart (ms)"
            )
            print(f"  direct SDK stream              {summary(direct)}")
            print(f"  through the API's SSE stream   {summary(through_api)}")
            added50 = percentile(through_api, 0.5) - percentile(direct, 0.5)
            added95 = percentile(through_api, 0.95) - percentile(direct, 0.95)
            print(f"  added by the API: p50 {added50:.1f} ms, p95 {added95:.1f} ms")
            print(f"  samples left out (client connected after the first token): {late}")
            print(
                json.dumps({"p50_added_ms": round(added50, 1), "p95_added_ms": round(added95, 1)})
            )

        asyncio.run(measure())


if __name__ == "__main__":
    main()

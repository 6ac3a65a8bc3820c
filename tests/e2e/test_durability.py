"""A run survives its worker being killed mid-step, and its timeline says what happened.

This stack runs without the API's in-process worker (``API_WORKER_SLOTS=0``), so every
step executes in the worker process the test kills.
"""

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.fakes.http_fake import Delay
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack, launch_stack
from tests.support.login import login
from tests.support.polling import eventually
from tests.support.postgres import temporary_database


@pytest.fixture(scope="module")
def crash_stack(fakes: Fakes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    root = tmp_path_factory.mktemp("crash-stack")
    log_dir = Path(os.environ.get("TEST_LOG_DIR", root / "logs")) / "crash-stack"
    settings = {
        "API_WORKER_SLOTS": "0",
        "PROVIDER_TIMEOUT_SECONDS": "60",  # the step is cut short by the crash, not the client
        "PRELOAD_LOCAL_EMBEDDINGS": "false",
    }
    with (
        temporary_database("genai_crash") as database_url,
        launch_stack(fakes.urls, database_url, root, log_dir, extra_env=settings) as running,
    ):
        yield running


def test_a_new_worker_finishes_a_run_whose_worker_was_killed_mid_step(
    crash_stack: RunningStack, fakes: Fakes
) -> None:
    graph = direct_llm_graph(model="gpt-4o-mini", use_web_search=True)
    graph["nodes"][1]["policy"] = {
        "execution": "regular",
        "start_to_close_seconds": 6,
        "initial_interval_seconds": 0.2,
        "maximum_attempts": 3,
    }
    with login(crash_stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
        wf_id = api.post("/workflows", json={"name": "crash", "graph": graph}).json()["id"]
        searches, chats = len(fakes.serpapi.searches), len(fakes.openai.chat_requests)
        fakes.openai.script([Delay(30)], CHAT)  # the LLM step is slow: the worker dies during it
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(
                api.post, f"/workflows/{wf_id}/execute", json={"query": "survive a crash"}
            )
            eventually(
                lambda: len(fakes.openai.chat_requests) > chats,
                timeout=60,
                interval=0.05,
                message="the LLM step never reached the fake OpenAI",
            )
            crash_stack.kill_worker()  # SIGKILL, mid-step
            crash_stack.start_worker()
            reply = pending.result(timeout=120)
        assert reply.status_code == 200, reply.text

        assert len(fakes.serpapi.searches) - searches == 1  # finished before the crash: not again
        assert len(fakes.openai.chat_requests) - chats == 2  # the interrupted step, then its retry
        found = api.get(f"/runs/{reply.json()['run_id']}/timeline").json()["timeline"]
        assert found["status"] == "completed"
        nodes = {n["node_id"]: n for n in found["nodes"]}
        assert [a["status"] for a in nodes["llm.web_search"]["attempts"]] == ["completed"]
        attempts = nodes["llm"]["attempts"]
        assert [a["status"] for a in attempts] == ["timed_out", "completed"]
        assert "timeout" in attempts[0]["error"].lower() or "timed out" in attempts[0]["error"]
        assert attempts[0]["started_at"] < attempts[1]["started_at"]


def test_with_default_settings_a_killed_worker_never_repeats_a_completed_paid_call(
    crash_stack: RunningStack, fakes: Fakes
) -> None:
    """Every step a local activity (the default): the web search completed and the LLM was
    streaming its answer when the worker died. The new worker replays the run, reuses the
    search's recorded result and repeats only the interrupted LLM call; the timeline shows
    the interrupted answer and the tokens it streamed."""
    graph = direct_llm_graph(model="gpt-4o-mini", use_web_search=True)
    with login(crash_stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
        wf_id = api.post("/workflows", json={"name": "crash", "graph": graph}).json()["id"]
        searches, chats = len(fakes.serpapi.searches), len(fakes.openai.chat_requests)
        first_tokens = len(fakes.openai.first_token_times)
        fakes.openai.token_delay_seconds = 0.4
        try:
            with ThreadPoolExecutor(1) as pool:
                pending = pool.submit(
                    api.post, f"/workflows/{wf_id}/execute", json={"query": "pay once"}
                )
                eventually(
                    lambda: len(fakes.openai.first_token_times) > first_tokens,
                    timeout=60,
                    interval=0.05,
                    message="the LLM step never streamed from the fake OpenAI",
                )
                time.sleep(0.2)  # the first tokens are written to the answer stream
                crash_stack.kill_worker()  # SIGKILL: the search's result is not in the history
                crash_stack.start_worker()
                reply = pending.result(timeout=120)
        finally:
            fakes.openai.token_delay_seconds = 0.0
        assert reply.status_code == 200, reply.text

        assert len(fakes.serpapi.searches) - searches == 1  # completed before the crash: reused
        assert len(fakes.openai.chat_requests) - chats == 2  # the interrupted call, then again
        found = api.get(f"/runs/{reply.json()['run_id']}/timeline").json()["timeline"]
        assert found["status"] == "completed"
        llm = next(n for n in found["nodes"] if n["node_id"] == "llm")
        streams = llm["streams"]
        assert [s["outcome"] for s in streams] == ["interrupted", "completed"], streams
        assert streams[0]["tokens"] >= 1 and streams[0]["chars"] > 0
        assert streams[1]["tokens"] > streams[0]["tokens"]


@pytest.mark.parametrize("round_", [1, 2, 3])
def test_twenty_runs_in_flight_at_a_kill_pay_each_search_once(
    crash_stack: RunningStack, fakes: Fakes, round_: int
) -> None:
    """20 concurrent runs (web search → LLM), all with their LLM call in flight when the
    worker is SIGKILLed, three rounds: each time 20 searches in all (none repeated) and 40
    LLM calls (the 20 interrupted ones, then their repeats), and every run completes."""
    runs = 20
    graph = direct_llm_graph(model="gpt-4o-mini", use_web_search=True)
    with login(crash_stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as api:
        made = api.post("/workflows", json={"name": f"crowd {round_}", "graph": graph})
        wf_id = made.json()["id"]
        searches, chats = len(fakes.serpapi.searches), len(fakes.openai.chat_requests)
        with ThreadPoolExecutor(runs) as pool:
            with fakes.openai.holding(CHAT):
                pending = [
                    pool.submit(api.post, f"/workflows/{wf_id}/execute", json={"query": f"run {i}"})
                    for i in range(runs)
                ]
                eventually(
                    lambda: len(fakes.openai.chat_requests) - chats == runs,
                    timeout=90,
                    interval=0.1,
                    message="not every run reached its LLM step",
                )
                crash_stack.kill_worker()
            crash_stack.start_worker()
            replies = [p.result(timeout=180) for p in pending]
        assert [r.status_code for r in replies] == [200] * runs
        assert len(fakes.serpapi.searches) - searches == runs
        assert len(fakes.openai.chat_requests) - chats == 2 * runs

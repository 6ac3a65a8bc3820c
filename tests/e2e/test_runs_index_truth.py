"""The runs index tells how a run ended without anyone opening it: here the API process
that started the run is killed while it waits, the run finishes in the worker, and the
index row — read only through the list — says ``completed``."""

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx

from stack.processes import ManagedProcess, free_port, start_api, wait_healthy
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack
from tests.support.login import login
from tests.support.polling import eventually


@contextmanager
def api_to_kill(running_stack: RunningStack, name: str) -> Iterator[tuple[ManagedProcess, str]]:
    """An API process of the stack with no in-process worker (its runs execute in the
    worker process, which lives on) and no sweeps of its own (only the other API can record
    a run's end); yields it and its URL, and stops it on exit."""
    port = free_port()
    process = start_api(
        dict(running_stack.env, API_WORKER_SLOTS="0", RUNS_RECONCILE_INTERVAL_SECONDS="0"),
        "127.0.0.1",
        port,
        running_stack.log_dir,
        name=f"{name}-{port}",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, 120, [process])
        yield process, url
    finally:
        process.stop()


def test_a_run_whose_api_died_while_it_waited_is_recorded_as_finished(
    running_stack: RunningStack, admin: httpx.Client, fakes: Fakes
) -> None:
    with api_to_kill(running_stack, "doomed-api") as (doomed, doomed_url):
        wf = admin.post("/workflows", json={"name": "orphan", "graph": direct_llm_graph(model="m")})
        wf_id = wf.json()["id"]
        chats = len(fakes.openai.chat_requests)
        with (
            login(doomed_url, ADMIN_EMAIL, ADMIN_PASSWORD) as client,
            ThreadPoolExecutor(1) as pool,
        ):
            with fakes.openai.holding(CHAT):
                pending = pool.submit(
                    client.post, f"/workflows/{wf_id}/execute", json={"query": "anyone there?"}
                )
                eventually(
                    lambda: len(fakes.openai.chat_requests) > chats,
                    timeout=60,
                    interval=0.05,
                    message="the run never reached its LLM step",
                )
                doomed.kill()  # the API dies while its request waits for the run
            with contextlib.suppress(httpx.HTTPError):  # the connection went with the process
                pending.result(timeout=30)

    def indexed() -> dict[str, object]:
        [run] = admin.get("/runs", params={"workflow_id": wf_id}).json()["items"]
        return dict(run)

    assert indexed()["status"] in ("running", "completed")
    eventually(
        lambda: indexed()["status"] == "completed",
        timeout=60,
        interval=0.5,
        message="the index still says running",
    )
    run = indexed()
    assert run["finished_at"] is not None and run["error"] is None


def test_a_chat_turn_survives_its_api_dying_while_it_waited(
    running_stack: RunningStack, admin: httpx.Client, fakes: Fakes
) -> None:
    """The question is stored when its run starts; the answer, when the run completes,
    by the sweep of another API process since the waiting one is gone."""
    with api_to_kill(running_stack, "doomed-chat-api") as (doomed, doomed_url):
        wf = admin.post("/workflows", json={"name": "chatty", "graph": direct_llm_graph(model="m")})
        chat = admin.post("/chat/sessions", json={"workflow_id": wf.json()["id"]}).json()
        chats = len(fakes.openai.chat_requests)
        with (
            login(doomed_url, ADMIN_EMAIL, ADMIN_PASSWORD) as client,
            ThreadPoolExecutor(1) as pool,
        ):
            with fakes.openai.holding(CHAT):
                pending = pool.submit(
                    client.post,
                    f"/chat/sessions/{chat['id']}/messages",
                    json={"content": "will my question be kept?"},
                )
                eventually(
                    lambda: len(fakes.openai.chat_requests) > chats,
                    timeout=60,
                    interval=0.05,
                    message="the chat's run never reached its LLM step",
                )
                doomed.kill()
                stored = admin.get(f"/chat/sessions/{chat['id']}/messages").json()
                assert [(m["role"], m["content"]) for m in stored] == [
                    ("user", "will my question be kept?")
                ]
            with contextlib.suppress(httpx.HTTPError):
                pending.result(timeout=30)

    def roles() -> list[str]:
        return [m["role"] for m in admin.get(f"/chat/sessions/{chat['id']}/messages").json()]

    eventually(
        lambda: roles() == ["user", "assistant"],
        timeout=60,
        interval=0.5,
        message="the answer was never stored",
    )
    [question, answer] = admin.get(f"/chat/sessions/{chat['id']}/messages").json()
    assert answer["run_id"] == question["run_id"] and answer["content"]

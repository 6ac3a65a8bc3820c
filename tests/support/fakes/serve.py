"""Runs the three provider fakes in their own process (``python -m tests.fakes.serve``).

Prints one JSON line with their base URLs, then serves until stdin closes or SIGTERM.
The benchmarks use it so the load generator and the fakes do not share one GIL.
"""

import json
import signal
import sys
import threading

from tests.e2e.harness import running_fakes


def main() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with running_fakes() as fakes:
        urls = {
            "openai": fakes.openai.url,
            "gemini": fakes.gemini.url,
            "serpapi": fakes.serpapi.url,
        }
        print(json.dumps(urls), flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        stop.wait()


if __name__ == "__main__":
    main()

"""The three provider fakes in a process of their own (``python -m tests.support.fakes.serve``).

The child prints one JSON line with their base URLs, then serves until stdin closes or
SIGTERM. The benchmarks use it so the load generator and the fakes do not share one GIL.
``FAKE_TOKEN_DELAY_SECONDS`` and ``FAKE_FIRST_TOKEN_DELAY_SECONDS`` in its environment pace
the LLM fakes' streamed answers.
"""

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.fakes.running import FakeUrls, running_fakes


@dataclass
class FakesProcess:
    """The fakes' process and where they listen."""

    urls: FakeUrls
    pid: int


@contextmanager
def fakes_in_another_process() -> Iterator[FakesProcess]:
    """Starts this module as a child process; stops it on exit."""
    proc = subprocess.Popen(
        [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        yield FakesProcess(FakeUrls(**json.loads(proc.stdout.readline())), proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with running_fakes() as fakes:
        for llm in (fakes.openai, fakes.gemini):
            llm.token_delay_seconds = float(os.environ.get("FAKE_TOKEN_DELAY_SECONDS", "0"))
            llm.first_token_delay_seconds = float(
                os.environ.get("FAKE_FIRST_TOKEN_DELAY_SECONDS", "0")
            )
        urls = {
            "openai": fakes.openai.url,
            "gemini": fakes.gemini.url,
            "serpapi": fakes.serpapi.url,
        }
        print(json.dumps(urls), flush=True)

        def stop_when_stdin_closes() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
        stop.wait()


if __name__ == "__main__":
    main()

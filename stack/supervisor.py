"""Keeping the launcher's processes up: a child that exits is started again, with backoff.

Each child comes with a restart factory (a fresh process with the same command, ports,
data folder and environment) and a readiness check that says when a restarted child
serves again. The other children keep running meanwhile.
"""

import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from stack.processes import ManagedProcess

# Constants rather than settings: they shape how the embedded launcher heals, nothing else.
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
STABLE_AFTER_SECONDS = 60.0
"""A child up this long has recovered: its next restart waits FIRST_BACKOFF_SECONDS again."""

Restart = Callable[[], ManagedProcess]
ReadyCheck = Callable[[ManagedProcess], bool]


def port_open(port: int) -> ReadyCheck:
    """Ready once ``127.0.0.1:port`` accepts a connection."""

    def check(_: ManagedProcess) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    return check


def answers_http(url: str) -> ReadyCheck:
    """Ready once ``url`` answers at all, whatever its status."""

    def check(_: ManagedProcess) -> bool:
        try:
            httpx.get(url, timeout=2)
            return True
        except httpx.HTTPError:
            return False

    return check


def logged(text: str) -> ReadyCheck:
    """Ready once the process has written ``text`` to its log (since it started)."""

    def check(process: ManagedProcess) -> bool:
        with process.log_path.open("rb") as log:
            log.seek(process.log_offset)
            return text.encode() in log.read()

    return check


def describe_exit(code: int) -> str:
    """``code 1``, or ``code -9 (SIGKILL)`` for a child ended by a signal."""
    if code < 0:
        try:
            return f"code {code} ({signal.Signals(-code).name})"
        except ValueError:
            pass
    return f"code {code}"


@dataclass
class _Child:
    process: ManagedProcess
    restart: Restart
    is_ready: ReadyCheck
    started_at: float
    restarts: int = 0
    quick_exits: int = 0  # exits in a row, each less than STABLE_AFTER_SECONDS after its start
    restart_at: float | None = None  # set while waiting out the backoff
    down_since: float | None = None  # set until a restarted child is ready


def _say(line: str) -> None:
    print(line, flush=True)


class Supervisor:
    """Children started in order, restarted when they exit, stopped in reverse order."""

    def __init__(
        self,
        say: Callable[[str], None] = _say,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._children: list[_Child] = []
        self._say = say
        self._clock = clock

    @property
    def processes(self) -> list[ManagedProcess]:
        return [child.process for child in self._children]

    def add(self, process: ManagedProcess, restart: Restart, is_ready: ReadyCheck) -> None:
        """Supervises an already started ``process``; ``restart`` makes its replacements."""
        self._children.append(_Child(process, restart, is_ready, self._clock()))

    def check(self) -> None:
        """One pass: notices exits, restarts children whose backoff is over, says who is back."""
        for child in self._children:
            self._check(child, self._clock())

    def stop(self) -> None:
        """SIGTERM each child, last started first (SIGKILL after its grace period)."""
        for child in reversed(self._children):
            child.process.stop()

    def kill(self) -> None:
        """SIGKILL every child without waiting (safe inside a signal handler)."""
        for child in self._children:
            if child.process.popen.returncode is None:
                child.process.popen.kill()

    def _check(self, child: _Child, now: float) -> None:
        name = child.process.name
        if child.restart_at is not None:
            if now >= child.restart_at:
                self._restart(child, now)
            return
        code = child.process.popen.poll()
        if code is not None:
            self._schedule_restart(child, now, f"{name} exited with {describe_exit(code)}")
        elif child.down_since is not None and child.is_ready(child.process):
            self._say(f"{name} is back after {now - child.down_since:.1f} s")
            child.down_since = None

    def _restart(self, child: _Child, now: float) -> None:
        child.restart_at = None
        try:
            child.process = child.restart()
        except (OSError, RuntimeError) as exc:
            self._schedule_restart(child, now, f"{child.process.name} did not start ({exc})")
            return
        child.started_at = now

    def _schedule_restart(self, child: _Child, now: float, what_happened: str) -> None:
        if now - child.started_at >= STABLE_AFTER_SECONDS:
            child.quick_exits = 0
        delay = min(FIRST_BACKOFF_SECONDS * 2**child.quick_exits, MAX_BACKOFF_SECONDS)
        child.quick_exits += 1
        child.restarts += 1
        child.restart_at = now + delay
        if child.down_since is None:
            child.down_since = now
        self._say(
            f"{what_happened}; restarting in {delay:g} s (restart {child.restarts}); "
            f"log: {child.process.log_path}"
        )

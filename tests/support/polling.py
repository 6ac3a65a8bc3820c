"""The one way tests wait for something that happens elsewhere (another process, a server).

A check is polled until it answers; the first truthy answer is returned, so a test can
wait for a value (``eventually(lambda: doc if doc_done() else None, ...)``) or a condition.
"""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    check: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 0.1,
    message: str | Callable[[], str],
) -> T:
    """Call ``check`` every ``interval`` seconds until it returns something truthy.

    Args:
        check: Returns the awaited value, or ``None``/a falsy value while it is not there yet.
        timeout: Seconds to keep trying before failing.
        interval: Seconds between calls.
        message: What never happened, for the failure; a callable is rendered then
            (to describe the last state seen).

    Returns:
        The first truthy value ``check`` returned.

    Raises:
        AssertionError: ``check`` returned nothing truthy for ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() >= deadline:
            described = message() if callable(message) else message
            raise AssertionError(f"{described} (waited {timeout:g} s)")
        time.sleep(interval)

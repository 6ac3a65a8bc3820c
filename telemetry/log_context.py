"""The ids a log line carries, bound to the work under way (a request, a run, a step).

``bind(run_id=…, node_id=…)`` adds ids for the duration of a ``with`` block in this task
or thread; the JSON formatter adds them, plus the current trace id, to every line.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

LOG_FIELDS = ("request_id", "user_id", "workflow_id", "run_id", "node_id", "document_id")

_bound: ContextVar[dict[str, str]] = ContextVar("log_context", default={})  # noqa: B039


def bound() -> dict[str, str]:
    """The ids bound here now."""
    return _bound.get()


@contextlib.contextmanager
def bind(**ids: str | None) -> Iterator[None]:
    """Binds ``ids`` (None values are skipped) until the block ends."""
    token = _bound.set({**_bound.get(), **{k: v for k, v in ids.items() if v is not None}})
    try:
        yield
    finally:
        _bound.reset(token)


def bind_now(**ids: str | None) -> None:
    """Binds ``ids`` for the rest of this context (a request's task)."""
    _bound.set({**_bound.get(), **{k: v for k, v in ids.items() if v is not None}})


@contextlib.contextmanager
def request_scope(**ids: str | None) -> Iterator[dict[str, str]]:
    """A fresh set of ids for one request; ``annotate`` adds to it from any task or thread
    the request's work runs in (they share this one dict)."""
    fields = {k: v for k, v in ids.items() if v is not None}
    token = _bound.set(fields)
    try:
        yield fields
    finally:
        _bound.reset(token)


def annotate(**ids: str | None) -> None:
    """Adds ``ids`` to the ids bound now, in place: within a request, the access log line
    written at its end sees them too (e.g. the user, known once authenticated)."""
    _bound.get().update({k: v for k, v in ids.items() if v is not None})

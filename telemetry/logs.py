"""Logs as JSON lines: time, level, logger, event, the bound ids and the trace id.

One line per event. A failed attempt of a step is one line (its error class and message);
a traceback is added only for an unexpected error, i.e. one that is not an error our
code raised on purpose (``temporalio.exceptions.ApplicationError`` and its subclasses
carry what went wrong in their message). Secrets never reach a line: the formatter
writes what code logs, and no code logs a key (tests scan the logs for every key).
"""

import json
import logging
import os
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from temporalio import activity
from temporalio import workflow as temporal_workflow
from temporalio.exceptions import ApplicationError, CancelledError, TimeoutError

from settings import Settings
from telemetry.log_context import bound

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
# The Temporal SDK's own extras, folded into our fields instead.
_TEMPORAL_EXTRAS = {"temporal_activity", "temporal_workflow", "__temporal_error_identifier"}
# Extras of other libraries that repeat the event (uvicorn's coloured copy).
_DROPPED = _TEMPORAL_EXTRAS | {"color_message"}
_EXPECTED = (ApplicationError, CancelledError, TimeoutError)


def expected_error(exc: BaseException | None) -> bool:
    """Whether ``exc`` is an error raised on purpose (no traceback needed to understand it)."""
    while exc is not None:
        if isinstance(exc, _EXPECTED):
            return True
        exc = exc.__cause__
    return False


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(bound())
        line.update(_activity_ids())
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in _DROPPED and not key.startswith("_"):
                line[key] = value
        span = trace.get_current_span().get_span_context()
        if span.is_valid:  # else a step's bound trace id, if any (telemetry/step_logs.py)
            line["trace_id"] = format(span.trace_id, "032x")
            line["span_id"] = format(span.span_id, "016x")
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line["error_class"] = type(exc).__name__
            line["error"] = str(exc)[:2000]
            if not expected_error(exc):
                line["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        # ASCII only: U+2028, U+0085 and the like in a client's path would otherwise split the
        # line for readers that break lines on them (log injection).
        return json.dumps(line, default=str)


def _activity_ids() -> dict[str, Any]:
    """Inside an activity: the run (Temporal workflow id), the step type and the attempt."""
    if not activity.in_activity():
        return {}
    info = activity.info()
    return {
        "run_id": info.workflow_id,
        "step_type": info.activity_type,
        "attempt": info.attempt,
    }


class TextFormatter(logging.Formatter):
    """For a terminal: the time, level, logger and event, then the bound ids."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{k}={v}" for k, v in {**bound(), **_activity_ids()}.items())
        head = f"{self.formatTime(record)} {record.levelname} {record.name} {record.getMessage()}"
        text = f"{head} {ids}".rstrip()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if expected_error(exc):
                text += f" error={type(exc).__name__}: {exc}"
            else:
                text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        return text


def configure_logging(settings: Settings, *, service: str) -> None:
    """Sends every logger's records to stderr in ``LOG_FORMAT`` at ``LOG_LEVEL``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(service) if settings.log_format == "json" else TextFormatter()
    )
    if settings.log_format == "json":
        # Progress bars (model loading, batches) write partial lines to stderr between the
        # JSON ones. tqdm reads this when it is first imported, which is after this.
        os.environ.setdefault("TQDM_DISABLE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Uvicorn's own loggers go through ours (its access log is replaced by the API's).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # Libraries that log every HTTP call at INFO would drown the events.
    for name in ("httpx", "httpx2", "httpcore", "httpcore2", "chromadb.telemetry"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # The Temporal SDK appends its context to the message; our lines carry it as fields.
    activity.logger.activity_info_on_message = False
    temporal_workflow.logger.workflow_info_on_message = False

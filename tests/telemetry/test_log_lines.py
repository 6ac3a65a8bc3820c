"""The JSON log formatter: one physical line per record, whatever a client sent."""

import json
import logging

from telemetry.log_context import bind, request_scope
from telemetry.logs import JsonFormatter


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("api.access", logging.INFO, __file__, 1, message, args, exc_info)


def test_line_separators_in_a_clients_path_stay_on_one_line() -> None:
    path = '/api/v1/runs/\u2028{"forged": true}\u0085\x1c\n'
    line = JsonFormatter("api").format(_record("GET %s", path))
    assert len(line.splitlines()) == 1
    assert json.loads(line)["event"] == f"GET {path}"


def test_bound_ids_are_on_the_line() -> None:
    with request_scope(request_id="r-1"), bind(run_id="run-9", node_id="llm"):
        line = json.loads(JsonFormatter("worker").format(_record("step failed")))
    assert (line["request_id"], line["run_id"], line["node_id"]) == ("r-1", "run-9", "llm")
    assert line["service"] == "worker" and line["level"] == "INFO"


def test_an_unexpected_error_has_a_traceback_and_an_expected_one_does_not() -> None:
    from temporalio.exceptions import ApplicationError

    try:
        raise ApplicationError("openai is unavailable (503)", type="ProviderUnavailable")
    except ApplicationError as expected:
        quiet = json.loads(JsonFormatter("worker").format(_record("failed", exc=expected)))
    try:
        raise KeyError("missing")
    except KeyError as unexpected:
        loud = json.loads(JsonFormatter("worker").format(_record("failed", exc=unexpected)))
    assert quiet["error_class"] == "ApplicationError" and "traceback" not in quiet
    assert loud["error_class"] == "KeyError" and "Traceback" in loud["traceback"]

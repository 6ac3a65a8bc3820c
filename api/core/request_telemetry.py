"""What every HTTP request tells operators: its ids, one access log line, its metrics.

- A request id: the client's ``X-Request-Id`` when it is a short token, else a new one;
  bound to every log line written while the request is served and returned in
  ``X-Request-Id``.
- The trace id of the request's span (FastAPI instrumentation, ``telemetry/tracing.py``)
  in ``X-Trace-Id``: a run started by this request carries the same one.
- One access log line at the end (method, route template, status, duration, ids);
  ``ACCESS_LOG=false`` turns it off.
- ``http_requests_total`` and ``http_request_duration_seconds`` by method, route template
  (never the raw path: ids would make the labels unbounded) and status.

A stream's line and duration are written when its response ends.
"""

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telemetry.log_context import request_scope
from telemetry.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS
from telemetry.tracing import current_trace_id

log = logging.getLogger("api.access")

_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Paths that match no route share one label.
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The full template of the route that served the request (``/api/v1/runs/{run_id}``).

    An included router's route knows only its own part of the path (``/runs/{run_id}``):
    the rest is the static prefix of the routers it was included in, i.e. what precedes
    the part of the request path that the route matched.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    regex = getattr(route, "path_regex", None)
    if not isinstance(template, str) or regex is None:
        return UNMATCHED
    path: str = scope["path"]
    for start, char in enumerate(path):
        if char == "/" and regex.fullmatch(path[start:]):
            return path[:start] + template
    return template


class RequestTelemetry:
    def __init__(self, app: ASGIApp, *, access_log: bool, metrics: bool) -> None:
        self.app = app
        self.access_log = access_log
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        trace_id = current_trace_id()
        status = 500

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                if trace_id:
                    headers["X-Trace-Id"] = trace_id
            await send(message)

        with request_scope(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_ids)
            finally:
                seconds = time.perf_counter() - started
                route = route_template(scope)
                method = scope["method"]
                if self.metrics:
                    HTTP_REQUESTS.labels(method, route, str(status)).inc()
                    HTTP_REQUEST_DURATION.labels(method, route).observe(seconds)
                if self.access_log:
                    log.info(
                        "%s %s %d",
                        method,
                        route,
                        status,
                        extra={
                            "http_method": method,
                            "route": route,
                            "path": scope["path"],
                            "status": status,
                            "duration_ms": round(seconds * 1000, 2),
                        },
                    )


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            sent = value.decode("latin-1")
            if _CLIENT_REQUEST_ID.fullmatch(sent):
                return sent
            break
    return uuid.uuid4().hex

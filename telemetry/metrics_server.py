"""The worker's ``/metrics``: the application metrics of this process over HTTP."""

import logging

from prometheus_client import start_http_server

log = logging.getLogger("telemetry")


def serve_metrics(host: str, port: int) -> bool:
    """Serves the default registry on ``host:port`` from a daemon thread. A port already
    taken is logged, not fatal: a worker without metrics still does its work."""
    try:
        start_http_server(port, addr=host)
    except OSError as exc:
        log.error("metrics are not served: %s:%d is unavailable (%s)", host, port, exc)
        return False
    return True

"""The worker's ``/metrics``: the application metrics of this process over HTTP."""

from prometheus_client import start_http_server


def serve_metrics(host: str, port: int) -> None:
    """Serves the default registry on ``host:port`` from a daemon thread."""
    start_http_server(port, addr=host)

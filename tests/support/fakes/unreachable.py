"""A provider that is not there: a loopback address nobody listens on."""

from stack.processes import free_port


def closed_port_url() -> str:
    """A loopback URL nobody listens on (connections are refused)."""
    return f"http://127.0.0.1:{free_port()}"

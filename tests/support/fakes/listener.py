"""A loopback HTTP listener that is not a provider: it records what reaches it and answers
every request with one fixed page (like a dashboard or another service on that port)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Listener:
    """Where it listens and the requests (method, path, headers) it received."""

    url: str
    received: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


@contextmanager
def listener(status: int = 200, page: str = "<html>not a provider</html>") -> Iterator[Listener]:
    """Serves ``page`` with ``status`` as text/html on a free loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    found = Listener(url=f"http://127.0.0.1:{server.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            found.received.append((self.command, self.path, dict(self.headers.items())))
            body = page.encode()
            self.send_response(status)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()

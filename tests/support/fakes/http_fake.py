"""The loopback HTTP server every provider fake is built on.

A fake records each request it receives and answers from a script: scripted steps
(an HTTP failure with the provider's error body, a delay, or a stream that breaks) are
consumed one per request, then the fake answers with its default success. A streamed
answer goes out as Server-Sent Events in HTTP/1.1 chunks, each frame flushed as it is
made, so a client sees tokens arrive one by one (the first ``first_token_delay_seconds``
after the answer began, the others ``token_delay_seconds`` apart).
``holding`` keeps requests waiting until the test says so, to act on work that is
certainly still in progress. The server runs in a background thread on ``127.0.0.1``
with an OS-assigned port, so tests never collide.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it.

    Attributes:
        method: HTTP method, e.g. ``POST``.
        path: URL path without the query string.
        query: Query parameters (last value wins).
        headers: Request headers with lower-cased names.
        body: The parsed JSON body, or ``None`` when there was none.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Failure:
    """Answer one request with an HTTP error in the provider's own error format.

    Attributes:
        status: HTTP status code, e.g. 401, 429 or 500.
        message: Error message; each fake has a realistic default per status.
        retry_after_seconds: Sent as a ``Retry-After`` header when set.
    """

    status: int
    message: str | None = None
    retry_after_seconds: float | None = None


@dataclass(frozen=True)
class Delay:
    """Hold one request for ``seconds`` before answering normally (to provoke timeouts)."""

    seconds: float


@dataclass(frozen=True)
class StreamBreak:
    """The next streamed answer sends ``after_tokens`` content tokens, then drops the
    connection: no terminating chunk, no end-of-stream event (a provider whose stream
    breaks mid-way). Requests answered without a stream leave it queued."""

    after_tokens: int


ScriptStep = Failure | Delay | StreamBreak

FIRST_TOKEN_TIMES_PATH = "/_fake/first-token-times"
"""``GET`` answers ``first_token_times`` as JSON (for fakes served in another process)."""


@dataclass(frozen=True)
class StreamFrame:
    """One frame of a streamed answer as it goes on the wire, and whether it carries a
    content token (tokens are what ``token_delay_seconds`` and ``StreamBreak`` count)."""

    data: str
    carries_token: bool = False


@dataclass(frozen=True)
class Reply:
    """What a fake's route answers: a status, a JSON body or a stream, and extra headers.

    Attributes:
        status: HTTP status code.
        body: The JSON body; ignored when ``stream`` is set.
        headers: Extra response headers.
        stream: Frames written with chunked transfer encoding, each flushed as it is made.
        content_type: ``application/json``, or e.g. ``text/event-stream`` for a stream.
        break_after_tokens: Set from a scripted ``StreamBreak``, not by routes.
    """

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    stream: Iterable[StreamFrame] | None = None
    content_type: str = "application/json"
    break_after_tokens: int | None = None


def word_tokens(text: str) -> list[str]:
    """``text`` as streamed tokens: words with the whitespace before them (trailing
    whitespace joins the last word), so the tokens concatenated are ``text`` exactly."""
    tokens = re.findall(r"\s*\S+(?:\s+\Z)?", text)
    return tokens or ([text] if text else [])


def sse_event(data: Any, *, carries_token: bool = False, separator: str = "\n\n") -> StreamFrame:
    """A ``data: <json>`` Server-Sent Event (Gemini ends its events with ``\\r\\n\\r\\n``)."""
    return StreamFrame(f"data: {json.dumps(data)}{separator}", carries_token)


class FakeHttpServer:
    """Base class of the provider fakes; subclasses implement ``route`` and ``error_body``.

    Use it as a context manager (``with FakeOpenAI() as fake: ...``) or call
    ``start``/``stop`` yourself.
    """

    def __init__(
        self, *, token_delay_seconds: float = 0.0, first_token_delay_seconds: float = 0.0
    ) -> None:
        self.token_delay_seconds = token_delay_seconds  # pause between streamed tokens
        self.first_token_delay_seconds = first_token_delay_seconds  # pause before the first
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._first_token_times: list[float] = []
        self._script: deque[tuple[ScriptStep, str | None]] = deque()
        self._holds: list[tuple[str, threading.Event]] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        """Bind to a free loopback port and serve in a daemon thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"{type(self).__name__}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; delayed and held requests are cut short."""
        self._stopping.set()
        with self._lock:
            for _, released in self._holds:
                released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the server, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the fake server is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- scripting and inspection --------------------------------------------------

    def script(self, steps: Iterable[ScriptStep], path_suffix: str | None = None) -> None:
        """Queue steps consumed one per incoming request, before the default success.

        With ``path_suffix`` only requests whose path ends with it consume these steps
        (say, chat completions and not embeddings a background ingestion asks for).
        """
        with self._lock:
            self._script.extend((step, path_suffix) for step in steps)

    def clear_script(self) -> None:
        """Drops every step not consumed yet."""
        with self._lock:
            self._script.clear()

    @contextmanager
    def holding(self, path_suffix: str) -> Iterator[None]:
        """Holds every request whose path ends with ``path_suffix`` until the block ends.

        Whatever waits on those answers (say, an ingestion waiting on its embeddings)
        cannot finish inside the block, however fast the machine; on leaving it the held
        requests are answered as usual (or the client has given up and retried).
        """
        released = threading.Event()
        hold = (path_suffix, released)
        with self._lock:
            self._holds.append(hold)
        try:
            yield
        finally:
            with self._lock:
                self._holds.remove(hold)
            released.set()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_suffix: str) -> list[RecordedRequest]:
        """The recorded requests whose path ends with ``path_suffix``."""
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    @property
    def first_token_times(self) -> list[float]:
        """For each streamed answer, the ``time.time()`` at which its first content token
        was written and flushed, oldest first (also served at ``FIRST_TOKEN_TIMES_PATH``)."""
        with self._lock:
            return list(self._first_token_times)

    # -- for subclasses ------------------------------------------------------------

    def route(self, request: RecordedRequest) -> Reply:
        """The successful answer to ``request`` (or a 404/401 in the provider's format)."""
        raise NotImplementedError

    def error_body(self, status: int, message: str | None) -> Any:
        """The provider's JSON error body for ``status``."""
        raise NotImplementedError

    def error_reply(
        self, status: int, message: str | None = None, retry_after_seconds: float | None = None
    ) -> Reply:
        """An error ``Reply`` in the provider's format."""
        headers = {}
        if retry_after_seconds is not None:
            headers["Retry-After"] = f"{retry_after_seconds:g}"
        return Reply(status, self.error_body(status, message), headers)

    # -- request handling ----------------------------------------------------------

    def _next_step(self, path: str) -> tuple[ScriptStep, str | None] | None:
        """Removes and returns the first queued step this path may consume, with the
        suffix it was scripted for (lock held)."""
        for i, (step, suffix) in enumerate(self._script):
            if suffix is None or path.endswith(suffix):
                del self._script[i]
                return step, suffix
        return None

    def _answer(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            self._requests.append(request)
            queued = self._next_step(request.path)
            holds = [released for suffix, released in self._holds if request.path.endswith(suffix)]
        for released in holds:
            released.wait()
        if self._stopping.is_set() and holds:
            return None  # shutting down: drop the connection
        step, scripted_for = queued or (None, None)
        if isinstance(step, Failure):
            return self.error_reply(step.status, step.message, step.retry_after_seconds)
        if isinstance(step, Delay) and self._stopping.wait(step.seconds):
            return None  # shutting down: drop the connection
        reply = self.route(request)
        if isinstance(step, StreamBreak):
            if reply.stream is None:
                with self._lock:  # not a streamed answer: the break waits for one
                    self._script.appendleft((step, scripted_for))
            else:
                reply = replace(reply, break_after_tokens=step.after_tokens)
        return reply

    def _pause_before_token(self, first: bool) -> bool:
        """Waits ``first_token_delay_seconds`` or ``token_delay_seconds``; False when the
        fake is stopping meanwhile."""
        delay = self.first_token_delay_seconds if first else self.token_delay_seconds
        return delay <= 0 or not self._stopping.wait(delay)

    def _first_token_sent(self) -> None:
        with self._lock:
            self._first_token_times.append(time.time())


def _handler_for(fake: FakeHttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like real providers
        # Headers and body go out in two writes; without this, Nagle + delayed ACK
        # add ~40 ms to every answer and the "instant" fake is not instant.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

        def _handle(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = RecordedRequest(
                method=self.command,
                path=split.path,
                query=dict(parse_qsl(split.query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=json.loads(raw) if raw else None,
            )
            if request.method == "GET" and request.path == FIRST_TOKEN_TIMES_PATH:
                reply: Reply | None = Reply(200, fake.first_token_times)
            else:
                reply = fake._answer(request)
            if reply is None:
                self.close_connection = True
                return
            try:
                if reply.stream is None:
                    self._send_body(reply)
                else:
                    self._send_stream(reply, reply.stream)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (e.g. its timeout fired)

        def _send_head(self, reply: Reply, framing: tuple[str, str]) -> None:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header(*framing)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()

        def _send_body(self, reply: Reply) -> None:
            payload = json.dumps(reply.body).encode()
            self._send_head(reply, ("Content-Length", str(len(payload))))
            self.wfile.write(payload)

        def _send_stream(self, reply: Reply, frames: Iterable[StreamFrame]) -> None:
            self._send_head(reply, ("Transfer-Encoding", "chunked"))
            if self._send_frames(frames, reply.break_after_tokens):
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.close_connection = True  # no terminating chunk: the stream broke

        def _send_frames(self, frames: Iterable[StreamFrame], break_after: int | None) -> bool:
            """Writes ``frames`` as chunks, each flushed; False when the stream is to break
            (a scripted ``StreamBreak`` once that many tokens are out, or the fake stopping)."""
            tokens = 0
            for frame in frames:
                if break_after is not None and tokens >= break_after:
                    return False
                if frame.carries_token and not fake._pause_before_token(first=tokens == 0):
                    return False
                data = frame.data.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                if frame.carries_token:
                    tokens += 1
                    if tokens == 1:
                        fake._first_token_sent()
            return break_after is None

    return Handler

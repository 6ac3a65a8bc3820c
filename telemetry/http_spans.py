"""Client spans for provider calls made with ``httpx2`` (the OpenAI SDK's HTTP client,
which the Gemini SDK shares here; OpenTelemetry's httpx instrumentation does not see it).

A span covers one HTTP request from sending it until its response body is closed, so a
streamed answer's span lasts as long as the stream. It names the method, host and path
only: never the query string (some providers take their key there) or a header.
"""

from collections.abc import AsyncIterator

import httpx2
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

_tracer = trace.get_tracer("genai-stack.providers")


class _ClosingStream(httpx2.AsyncByteStream):
    """The response body, ending the request's span when it is closed."""

    def __init__(self, inner: httpx2.AsyncByteStream, span: Span) -> None:
        self._inner = inner
        self._span = span

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except Exception as exc:  # not GeneratorExit: a reader that stops early is no error
            if self._span.is_recording():  # the body may fail after it was closed
                self._span.record_exception(exc)
                self._span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._span.end()


class TracedTransport(httpx2.AsyncBaseTransport):
    """Wraps a transport; each request is a client span under the current one."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        span = _tracer.start_span(
            f"{request.method} {url.host}",
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": request.method,
                "server.address": url.host,
                "server.port": url.port or (443 if url.scheme == "https" else 80),
                "url.path": url.path,
            },
        )
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            span.end()
            raise
        span.set_attribute("http.response.status_code", response.status_code)
        if response.status_code >= 400:
            span.set_status(Status(StatusCode.ERROR, f"HTTP {response.status_code}"))
        if isinstance(response.stream, httpx2.AsyncByteStream):
            response.stream = _ClosingStream(response.stream, span)
        else:
            span.end()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

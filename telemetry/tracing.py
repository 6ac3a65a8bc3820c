"""Traces (OpenTelemetry): one trace per run, from the HTTP request through ``GraphRun``
and each step to the provider's HTTP call, and one per ingestion.

- The API's requests get server spans (FastAPI instrumentation, ``api/main.py``).
- The Temporal client and workers carry the context in Temporal headers
  (``temporalio.contrib.opentelemetry.TracingInterceptor``, ``workflows/connection.py``):
  ``StartWorkflow`` → ``RunWorkflow`` → ``StartActivity`` → ``RunActivity``, whichever
  process runs each part.
- Provider calls are client spans: httpx (the OpenAI and Gemini SDKs, Chroma's client)
  and requests (SerpAPI's client) are instrumented.

Spans are exported over OTLP/HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; without
it they are still created, so the trace id is on runs, responses and log lines.
"""

import logging
import os
import socket

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_INSTANCE_ID, SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from settings import Settings

log = logging.getLogger("telemetry")

_configured: list[TracerProvider] = []


def configure_tracing(settings: Settings, *, service: str) -> TracerProvider | None:
    """Installs this process's tracer provider (once); None when tracing is off."""
    if not settings.tracing_enabled:
        return None
    if _configured:
        return _configured[0]
    instance = f"{socket.gethostname()}:{os.getpid()}"
    resource = Resource.create({SERVICE_NAME: service, SERVICE_INSTANCE_ID: instance})
    provider = TracerProvider(resource=resource)
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    _instrument_http_clients()
    _configured.append(provider)
    return provider


def _instrument_http_clients() -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    HTTPXClientInstrumentor().instrument()
    RequestsInstrumentor().instrument()


def shutdown_tracing() -> None:
    """Exports the spans still buffered (at a clean exit)."""
    for provider in _configured:
        provider.shutdown()


def current_trace_id() -> str | None:
    """The current span's trace id as 32 hex digits; None outside a trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None

"""Every application metric, defined once (prometheus-client), recorded by the process
that does the work and served by that process: the API at ``/metrics`` (requests, event
streams, run ends, and the steps its in-process worker runs), each worker at
``WORKER_METRICS_PORT`` (steps, provider calls, tokens, ingestion).

Several processes are correct because each counts only what it did: Prometheus adds the
series of all scraped processes (``sum by (...)``). A run's end is counted once, by the
process whose update moved its index row out of ``running``.

Labels are bounded: step types, statuses, error classes, providers, route templates and
models (a model without a price is ``other``); never a run, user or document id.
"""

from prometheus_client import Counter, Gauge, Histogram

# Buckets from a few milliseconds (a local step) to minutes (an LLM answer, a big file).
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900)

WORKFLOW_EXECUTIONS = Counter(
    "workflow_executions",
    "Graph runs that ended, by how they ended (completed, failed).",
    ["status"],
)
WORKFLOW_DURATION = Histogram(
    "workflow_execution_duration_seconds",
    "Time from a graph run's start to its end, by how it ended.",
    ["status"],
    buckets=_SECONDS,
)

STEP_DURATION = Histogram(
    "step_duration_seconds",
    "One attempt of a step (an activity), by step type and outcome (completed, failed).",
    ["step_type", "outcome"],
    buckets=_SECONDS,
)
STEP_ATTEMPTS = Counter(
    "step_attempts",
    "Attempts of steps started; attempts after the first are retries (retry='true').",
    ["step_type", "retry"],
)
STEP_FAILURES = Counter(
    "step_failures",
    "Failed attempts of steps, by step type and error class (e.g. ProviderRateLimited).",
    ["step_type", "error_class"],
)

PROVIDER_REQUEST_DURATION = Histogram(
    "provider_request_duration_seconds",
    "Calls to an external provider (LLM, embeddings, web search), whatever their outcome.",
    ["provider", "model", "operation"],
    buckets=_SECONDS,
)
PROVIDER_ERRORS = Counter(
    "provider_errors",
    "Failed provider calls by provider, model and status (rate_limited, unavailable, "
    "timeout, bad_request, unauthorized, ...).",
    ["provider", "model", "status"],
)
LLM_TOKENS = Counter(
    "llm_tokens",
    "Tokens billed by LLM providers, by kind (prompt, completion).",
    ["provider", "model", "kind"],
)
LLM_COST = Counter(
    "llm_estimated_cost_usd",
    "Estimated cost of the tokens above in USD (PRICES_FILE); unpriced models add nothing.",
    ["provider", "model"],
)

INGEST_PAGES = Counter("ingest_pages", "Pages extracted from documents.")
INGEST_CHUNKS = Counter("ingest_chunks", "Chunks embedded and stored.")
INGEST_DURATION = Histogram(
    "ingest_document_duration_seconds",
    "Time to ingest one document, from its workflow's start to its end, by outcome.",
    ["outcome"],
    buckets=_SECONDS,
)
INGEST_FAILURES = Counter(
    "ingest_failures", "Documents whose ingestion failed, by error class.", ["error_class"]
)
INGEST_DOCUMENTS_WAITING = Gauge(
    "ingest_documents_waiting",
    "Documents queued or being ingested (read from the database when scraped; every API "
    "process reports the same figure: use max).",
    ["status"],
)

HTTP_REQUESTS = Counter(
    "http_requests",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request duration by method and route template (streams: until the response ends).",
    ["method", "route"],
    buckets=_SECONDS,
)
EVENT_STREAMS_OPEN = Gauge(
    "event_streams_open", "Run event streams open now (sse, websocket).", ["transport"]
)

"""The one way every process reaches Temporal: the worker, the API and the command line.

Payloads are pydantic models on both sides (``pydantic_data_converter``), so a client
made anywhere else would not read the histories these processes write.
"""

from temporalio.client import Client, Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime


async def connect_temporal(
    address: str, namespace: str, *, runtime: Runtime | None = None, tracing: bool = False
) -> Client:
    """Connects to the Temporal frontend at ``address`` (host:port) in ``namespace``.

    With ``tracing``, the client and every worker built on it carry the OpenTelemetry
    context in Temporal headers: a run's spans (start, workflow, each activity) join the
    trace of the request that started it, across processes.
    """
    interceptors: list[Interceptor] = [TracingInterceptor()] if tracing else []
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=pydantic_data_converter,
        runtime=runtime,
        interceptors=interceptors,
    )

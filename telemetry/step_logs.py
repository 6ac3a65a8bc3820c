"""The ids of the step under way on every log line written while it runs, and after.

The Temporal SDK logs a failed attempt ("Completing activity as failed") once the
activity has returned, when its span has already ended. So this interceptor binds the
step's trace id and node id in the activity's own task (each activity runs in a task of
its own, so nothing leaks to another) for the formatter to add to every line of it.
"""

from typing import Any

from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from telemetry.log_context import bind_now
from telemetry.tracing import current_trace_id


class StepLogContext(Interceptor):
    """The worker interceptor: ``Worker(..., interceptors=[StepLogContext()])``; put it
    after the tracing interceptor (the client's come first), so the step's span is current."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _BoundActivity(next)


class _BoundActivity(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        node_id = next((getattr(a, "node_id", None) for a in input.args), None)
        bind_now(trace_id=current_trace_id(), node_id=node_id if isinstance(node_id, str) else None)
        return await self.next.execute_activity(input)

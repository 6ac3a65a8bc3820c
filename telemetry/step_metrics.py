"""Every attempt of a step (an activity, regular or local) timed and counted by the worker
that executes it: ``step_attempts``, ``step_duration_seconds`` and ``step_failures``.

Which attempt of its step an activity is: ``GraphRun`` retries a step itself, each
attempt a new activity of one attempt (its ``activity.info().attempt`` is always 1). So
the workflow side of this interceptor numbers the activities a workflow schedules per
activity type and summary (``GraphRun`` gives each the node id as summary) and hands the
number to the activity in a header; the activity side adds Temporal's own attempt number
(ingestion's activities, and runs started before the interpreter retried steps, are
retried by Temporal). A workflow replayed after a cache eviction schedules its activities
again in the same order, so its next attempt gets the same number. Activities scheduled
without a summary, or by a worker without this interceptor, count from Temporal's attempt
alone.
"""

import asyncio
import time
from typing import Any

from temporalio import activity, workflow
from temporalio.api.common.v1 import Payload
from temporalio.exceptions import ApplicationError
from temporalio.exceptions import CancelledError as TemporalCancelledError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    StartActivityInput,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from settings import Settings
from telemetry.metrics import STEP_ATTEMPTS, STEP_DURATION, STEP_FAILURES
from telemetry.step_logs import StepLogContext

STEP_ATTEMPT_HEADER = "genai-step-attempt"


class StepMetrics(Interceptor):
    """The worker interceptor: ``Worker(..., interceptors=[StepMetrics()])``."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _MeasuredActivity(next)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _NumberedSteps


def step_interceptors(settings: Settings) -> list[Interceptor]:
    """The interceptors of every worker of ours: the step's ids on its log lines, and its
    metrics unless they are off."""
    return [StepLogContext(), *([StepMetrics()] if settings.metrics_enabled else [])]


def error_class(error: BaseException) -> str:
    """A failure's class: an ``ApplicationError``'s type when set, else the exception's class."""
    if isinstance(error, ApplicationError) and error.type:
        return error.type
    return type(error).__name__


class _MeasuredActivity(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        step_type = info.activity_type
        attempt = _scheduled_attempt(input) + info.attempt - 1
        STEP_ATTEMPTS.labels(step_type, "true" if attempt > 1 else "false").inc()
        started = time.perf_counter()
        try:
            result = await self.next.execute_activity(input)
        except (asyncio.CancelledError, TemporalCancelledError):
            _observe(step_type, "cancelled", started)
            raise
        except Exception as error:
            STEP_FAILURES.labels(step_type, error_class(error)).inc()
            _observe(step_type, "failed", started)
            raise
        _observe(step_type, "completed", started)
        return result


def _observe(step_type: str, outcome: str, started: float) -> None:
    STEP_DURATION.labels(step_type, outcome).observe(time.perf_counter() - started)


def _scheduled_attempt(input: ExecuteActivityInput) -> int:
    """The number the scheduling workflow gave this activity (1 without a header)."""
    payload = input.headers.get(STEP_ATTEMPT_HEADER)
    if payload is None:
        return 1
    try:
        number = activity.payload_converter().from_payload(payload, int)
    except Exception:  # a header some other code wrote: not ours to fail on
        return 1
    return number if isinstance(number, int) and number >= 1 else 1


class _NumberedSteps(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_StepNumbering(outbound))


class _StepNumbering(WorkflowOutboundInterceptor):
    """Numbers the activities one workflow schedules, per activity type and summary."""

    def __init__(self, next: WorkflowOutboundInterceptor) -> None:
        super().__init__(next)
        self._scheduled: dict[tuple[str, str], int] = {}

    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
        self._number(input)
        return super().start_activity(input)

    def start_local_activity(self, input: StartLocalActivityInput) -> workflow.ActivityHandle[Any]:
        self._number(input)
        return super().start_local_activity(input)

    def _number(self, input: StartActivityInput | StartLocalActivityInput) -> None:
        if not input.summary:
            return
        key = (input.activity, input.summary)
        number = self._scheduled.get(key, 0) + 1
        self._scheduled[key] = number
        header: Payload = workflow.payload_converter().to_payload(number)
        input.headers = {**input.headers, STEP_ATTEMPT_HEADER: header}

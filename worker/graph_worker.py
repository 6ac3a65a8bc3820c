"""The one way to build a worker for ``GraphRun``: used by the worker process and by
the API's optional in-process worker (which makes eager workflow start possible)."""

from functools import partial

from temporalio.client import Client
from temporalio.worker import Worker

from activities.registry import build_graph_activities
from settings import Settings
from telemetry.step_metrics import step_interceptors
from workflows.graph_run import GraphRun
from workflows.sandbox import workflow_runner

_POLLS_WITH_SLOT_CAP = 2


def build_graph_worker(client: Client, settings: Settings, *, slots: int | None = None) -> Worker:
    """A worker on the graph-run task queue hosting ``GraphRun`` and its activities.

    Args:
        client: The Temporal client; eager start needs the starter's own client.
        settings: Where activities find provider keys, Chroma and the blob folder.
        slots: Cap on concurrent workflow tasks and activities; None keeps the SDK's
            defaults. The API's in-process worker uses a small cap so that, under load,
            runs overflow to the worker processes instead of crowding the API.
    """
    worker = partial(
        Worker,
        client,
        task_queue=settings.graph_run_task_queue,
        workflows=[GraphRun],
        activities=build_graph_activities(settings),
        workflow_runner=workflow_runner(),
        interceptors=step_interceptors(settings),
    )
    if slots is None:
        return worker()
    # Each outstanding poll holds a workflow-task slot; eager start needs a free one
    # beyond them, so the polls get slots of their own on top of ``slots``.
    return worker(
        max_concurrent_workflow_task_polls=_POLLS_WITH_SLOT_CAP,
        max_concurrent_workflow_tasks=slots + _POLLS_WITH_SLOT_CAP,
        max_concurrent_activities=slots,
        max_concurrent_local_activities=slots * 2,
    )

"""Determinism check: replays recorded histories against the workflow code running now.

A history that no longer replays means a code change would break runs of that shape
that are still in flight (or replayed for audit); evolve the interpreter with
``workflow.patched`` instead. Used by ``POST /runs/replay-check``, by
``python -m api.cli replay-check`` and by the tests over ``tests/workflows/histories``.
"""

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.graph_run import GraphRun
from workflows.ingest import DeleteKnowledgeVectors, IngestDocument
from workflows.sandbox import workflow_runner

RELEASED_WORKFLOWS = (GraphRun, IngestDocument, DeleteKnowledgeVectors)


class ReplayOutcome(BaseModel):
    workflow_id: str
    replays: bool
    error: str | None = None


def replayer(workflows: Iterable[type] = RELEASED_WORKFLOWS) -> Replayer:
    return Replayer(
        workflows=list(workflows),
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(),
    )


async def replay_histories(
    histories: Iterable[WorkflowHistory], workflows: Iterable[type] = RELEASED_WORKFLOWS
) -> list[ReplayOutcome]:
    """One outcome per history: does it replay against ``workflows``?"""
    checker = replayer(workflows)
    outcomes = []
    for history in histories:
        result = await checker.replay_workflow(history, raise_on_replay_failure=False)
        failure = result.replay_failure
        outcomes.append(
            ReplayOutcome(
                workflow_id=history.workflow_id,
                replays=failure is None,
                error=None if failure is None else f"{type(failure).__name__}: {failure}",
            )
        )
    return outcomes


def load_history_file(path: Path) -> WorkflowHistory:
    """A history saved as Temporal's JSON (``temporal workflow show -o json``, or ours)."""
    return WorkflowHistory.from_json(path.stem, path.read_text())

"""Histories of real runs, committed under histories/, replay against today's workflows."""

from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.graph_run import GraphRun
from workflows.ingest import DeleteKnowledgeVectors, IngestDocument
from workflows.plan import GraphRunInput, GraphRunResult
from workflows.sandbox import workflow_runner

HISTORIES = sorted(Path(__file__).with_name("histories").glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_run_replays_against_current_code(path: Path) -> None:
    replayer = Replayer(
        workflows=[GraphRun, IngestDocument, DeleteKnowledgeVectors],
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(),
    )
    result = await replayer.replay_workflow(load(path), raise_on_replay_failure=False)
    assert result.replay_failure is None


@workflow.defn(name="GraphRun")
class GraphRunThatSkipsRetrieval(GraphRun):
    """A deliberately non-deterministic change: the knowledge base step is dropped."""

    @workflow.run
    async def run(self, run_input: GraphRunInput) -> GraphRunResult:
        plan = run_input.plan
        kept = [s for s in plan.steps if s.component != "knowledge_base"]
        for step in kept:
            step.inputs = [b for b in step.inputs if b.port != "context"]
            step.depends_on = [d for d in step.depends_on if d in {k.node_id for k in kept}]
        run_input.plan = plan.model_copy(update={"steps": kept})
        return await super().run(run_input)


async def test_a_non_deterministic_change_is_detected() -> None:
    replayer = Replayer(
        workflows=[GraphRunThatSkipsRetrieval],
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(),
    )
    history = load(Path(__file__).with_name("histories") / "graph_run_rag_regular_v1.json")
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is not None
    assert (
        "Nondeterminism" in type(result.replay_failure).__name__
        or "nondetermin" in str(result.replay_failure).lower()
    )

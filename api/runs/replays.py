"""Re-running a run, replaying it from a node, comparing two runs, checking determinism.

- Re-run: a new run of the original's exact plan (from its history) with the same inputs.
- Replay from node N: a new run in which N and every step downstream of it execute
  again, and every other step returns the output recorded in the original's history
  (no repeated LLM or search calls upstream). The plan is the original's, or — to try
  an edited prompt — a version's or the draft's, as long as the steps it reuses exist.
"""

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowHistory

from api.core.access import Action
from api.core.errors import ApiError
from api.core.schemas import RunVersion
from api.core.temporal import TemporalConnector
from api.db.models import Run, User
from api.runs.execution import (
    PreparedRun,
    compile_or_raise,
    new_run_id,
    run_prepared,
    select_graph,
)
from api.runs.index import list_runs_page, run_out, runnable_run, visible_run
from api.runs.records import fetch_history, timeline_of
from api.runs.replay_check import replay_histories
from api.runs.schemas import (
    ExecuteResponse,
    NodeComparison,
    ReplayCheckReport,
    ReplayCheckRequest,
    ReplayCheckResult,
    ReplayRequest,
    RunComparison,
    RunFilter,
)
from api.runs.timeline import recorded_outputs, run_input_of
from api.runs.timeline_schemas import RunTimeline
from api.versions.service import graph_content_hash
from api.workflows.graph_store import workflow_for_change
from settings import Settings
from telemetry.tracing import current_trace_id
from workflows.plan import GraphRunInput, Plan


def _derived_run(
    user: User, parent: Run, run_input: GraphRunInput, kind: str, **fields: object
) -> Run:
    """A new run of the parent's workflow, started (and owned) by ``user``."""
    return Run(
        id=new_run_id(),
        workflow_id=parent.workflow_id,
        owner_id=user.id,
        workspace_id=parent.workspace_id,
        plan_hash=run_input.plan.plan_hash,
        query=run_input.query,
        kind=kind,
        parent_run_id=parent.id,
        trace_id=current_trace_id(),
        **fields,
    )


def run_to_start_from(session: Session, user: User, run_id: str) -> Run:
    """A run to re-run or replay: 404 unless it is in one of the user's workspaces, 403
    unless the user's role there may run, 409 ``workflow_archived`` if its workflow is
    archived (its runs stay readable)."""
    parent = runnable_run(session, user, run_id)
    workflow_for_change(session, user, parent.workflow_id, Action.RUN)
    return parent


def prepare_rerun(
    session: Session, user: User, parent: Run, history: WorkflowHistory
) -> PreparedRun:
    """The original's plan and inputs, recorded as a new run linked to it."""
    original = run_input_of(history)
    run_input = GraphRunInput(plan=original.plan, query=original.query, history=original.history)
    run = _derived_run(
        user,
        parent,
        run_input,
        "rerun",
        version_number=parent.version_number,
        graph_hash=parent.graph_hash,
    )
    session.add(run)
    session.commit()
    return PreparedRun(run, run_input)


def downstream_of(plan: Plan, node_id: str) -> set[str]:
    """``node_id`` and every step that depends on it, directly or not."""
    found = {node_id}
    for step in plan.steps:  # topological order: dependencies come first
        if found.intersection(step.depends_on):
            found.add(step.node_id)
    return found


def prepare_replay(
    session: Session,
    user: User,
    parent: Run,
    history: WorkflowHistory,
    from_node: str,
    version: RunVersion,
) -> PreparedRun:
    """A new run that executes ``from_node`` onward and reuses the recorded rest."""
    original = run_input_of(history)
    version_number, graph_hash = parent.version_number, parent.graph_hash
    plan = original.plan
    if version is not None:
        graph, version_number = select_graph(
            session, workflow_for_change(session, user, parent.workflow_id, Action.RUN), version
        )
        plan = compile_or_raise(session, parent.workspace_id, graph)
        graph_hash = graph_content_hash(graph)
    if from_node not in {s.node_id for s in plan.steps}:
        raise ApiError(
            422,
            "unknown_node",
            f"The plan has no node '{from_node}' to replay from",
            {"node_id": from_node, "nodes": [s.node_id for s in plan.steps]},
        )
    again = downstream_of(plan, from_node)
    recorded = recorded_outputs(history)
    reused = [s.node_id for s in plan.steps if s.node_id not in again]
    missing = [n for n in reused if n not in recorded]
    if missing:
        raise ApiError(
            409,
            "outputs_not_recorded",
            f"Run '{parent.id}' has no recorded output for {', '.join(missing)}: "
            "replay from an earlier node, or re-run it",
            {"nodes": missing},
        )
    run_input = GraphRunInput(
        plan=plan,
        query=original.query,
        history=original.history,
        reuse={n: recorded[n] for n in reused},
    )
    run = _derived_run(
        user,
        parent,
        run_input,
        "replay",
        version_number=version_number,
        graph_hash=graph_hash,
        replay_from_node=from_node,
    )
    session.add(run)
    session.commit()
    return PreparedRun(run, run_input)


async def start_rerun(
    *,
    session: Session,
    temporal: TemporalConnector,
    settings: Settings,
    user: User,
    run_id: str,
) -> ExecuteResponse:
    """Re-runs one of the user's runs (its plan and inputs, from its history)."""
    parent = await run_in_threadpool(run_to_start_from, session, user, run_id)
    history = await fetch_history(await temporal.client(), parent.id)
    prepared = await run_in_threadpool(prepare_rerun, session, user, parent, history)
    return await run_prepared(
        session=session, temporal=temporal, settings=settings, prepared=prepared
    )


async def start_replay(
    *,
    session: Session,
    temporal: TemporalConnector,
    settings: Settings,
    user: User,
    run_id: str,
    request: ReplayRequest,
) -> ExecuteResponse:
    """Replays one of the user's runs from ``request.from_node`` on."""
    parent = await run_in_threadpool(run_to_start_from, session, user, run_id)
    history = await fetch_history(await temporal.client(), parent.id)
    prepared = await run_in_threadpool(
        prepare_replay, session, user, parent, history, request.from_node, request.version
    )
    return await run_prepared(
        session=session, temporal=temporal, settings=settings, prepared=prepared
    )


def compare_nodes(left: RunTimeline, right: RunTimeline) -> list[NodeComparison]:
    """Node by node, in the left run's order then any node only the right run has."""
    lefts = {n.node_id: n for n in left.nodes}
    rights = {n.node_id: n for n in right.nodes}
    order = list(lefts) + [n for n in rights if n not in lefts]
    return [
        NodeComparison(
            node_id=node_id,
            left=lefts.get(node_id),
            right=rights.get(node_id),
            same_outputs=(
                node_id in lefts
                and node_id in rights
                and lefts[node_id].outputs == rights[node_id].outputs
            ),
        )
        for node_id in order
    ]


async def run_comparison(
    *,
    session: Session,
    client: Client,
    settings: Settings,
    user: User,
    run_id: str,
    other_run_id: str,
) -> RunComparison:
    """Two runs the user may see, side by side (e.g. a run and its re-run)."""
    left = await run_in_threadpool(visible_run, session, user, run_id)
    right = await run_in_threadpool(visible_run, session, user, other_run_id)
    left_timeline = await timeline_of(session, client, left)
    right_timeline = await timeline_of(session, client, right)
    nodes = compare_nodes(left_timeline, right_timeline)
    return RunComparison(
        left=run_out(left, settings),
        right=run_out(right, settings),
        same_plan=left.plan_hash == right.plan_hash,
        same_outputs=all(n.same_outputs for n in nodes if n.left and n.left.component == "output"),
        nodes=nodes,
    )


def _runs_to_check(session: Session, user: User, request: ReplayCheckRequest) -> list[str]:
    """The runs named (the user's own), then the user's most recent ``request.recent``."""
    ids = [runnable_run(session, user, run_id).id for run_id in request.run_ids]
    if request.recent:
        recent = RunFilter(user_id=user.id, limit=request.recent)
        rows, _ = list_runs_page(session, user, recent)
        ids += [r.id for r in rows if r.id not in ids]
    return ids


async def check_replays(
    *, session: Session, client: Client, user: User, request: ReplayCheckRequest
) -> ReplayCheckReport:
    """Replays the chosen runs' histories against the workflow code running now."""
    run_ids = await run_in_threadpool(_runs_to_check, session, user, request)
    results = await check_runs(client, run_ids)
    failures = sum(1 for r in results if not r.replays)
    return ReplayCheckReport(checked=len(results), failures=failures, results=results)


async def check_runs(client: Client, run_ids: list[str]) -> list[ReplayCheckResult]:
    """Replays each run's history against the workflow code of this process."""
    results: list[ReplayCheckResult] = []
    histories = []
    for run_id in run_ids:
        try:
            histories.append(await fetch_history(client, run_id))
        except ApiError as err:
            results.append(ReplayCheckResult(run_id=run_id, replays=False, error=err.message))
    for outcome in await replay_histories(histories):
        results.append(
            ReplayCheckResult(
                run_id=outcome.workflow_id, replays=outcome.replays, error=outcome.error
            )
        )
    return results

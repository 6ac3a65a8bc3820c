"""Workflows: creating, listing, editing and archiving them, their graph, and validating it.

Each function a route calls looks the workflow up as the user's own (404 otherwise) and
commits what it changes; what changes a workflow looks it up with ``workflow_for_change``,
so an archived one answers 409 ``workflow_archived``. Deleting archives: the workflow, its
runs, versions and chats stay readable until an administrator purges it
(``api.workflows.purge``). The graph's rows are read and written by
``api.workflows.graph_store``.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.access import Action, accessible, readable_workspace_ids, target_workspace_id
from api.core.errors import ApiError, not_found
from api.db.models import Run, User, Workflow, WorkflowComponent, WorkflowEdge, utcnow
from api.runs.execution import compile_or_raise
from api.versions.service import latest_version, latest_version_numbers
from api.workflows.graph_rules import (
    forbidden_field_problems,
    raise_problems,
    refuse_forbidden_fields,
)
from api.workflows.graph_store import (
    component_row,
    edge_of,
    edge_row,
    load_graph,
    node_of,
    readable_workflow,
    replace_graph,
    workflow_for_change,
)
from api.workflows.schemas import (
    ComponentCreate,
    ComponentNode,
    ComponentUpdate,
    EdgeOut,
    ValidationResult,
    WorkflowCreate,
    WorkflowDetail,
    WorkflowOut,
    WorkflowUpdate,
)
from workflows.graph import Edge, Graph, Node

# --- workflows -------------------------------------------------------------------------------


def workflow_detail(session: Session, workflow: Workflow) -> WorkflowDetail:
    """The workflow with its draft graph and the number of its latest published version."""
    latest = latest_version(session, workflow.id)
    return WorkflowDetail(
        **WorkflowOut.model_validate(workflow, from_attributes=True).model_dump(
            exclude={"latest_version"}
        ),
        latest_version=latest.number if latest else None,
        graph=load_graph(workflow),
    )


def create_workflow(session: Session, *, user: User, body: WorkflowCreate) -> WorkflowDetail:
    """Creates a workflow for the user, with the body's graph when it has one."""
    if body.graph is not None:
        check_draft_structure(body.graph)
    workflow = Workflow(
        owner_id=user.id,
        workspace_id=target_workspace_id(session, user, body.workspace_id),
        name=body.name,
        description=body.description,
    )
    session.add(workflow)
    if body.graph is not None:
        replace_graph(session, workflow, body.graph)
    session.commit()
    return workflow_detail(session, workflow)


def list_workflows(
    session: Session, *, user: User, archived: bool, workspace_id: str | None
) -> list[WorkflowOut]:
    """The active workflows of the user's workspaces (or of one), most recently edited
    first (``archived``: the archived ones, most recently archived first), with latest
    version and last run."""
    workspaces = readable_workspace_ids(session, user, workspace_id)
    query = select(Workflow).where(Workflow.workspace_id.in_(workspaces))
    if archived:
        query = query.where(Workflow.archived_at.is_not(None)).order_by(Workflow.archived_at.desc())
    else:
        query = query.where(Workflow.archived_at.is_(None)).order_by(Workflow.updated_at.desc())
    workflows = list(session.scalars(query))
    ids = [w.id for w in workflows]
    latest = latest_version_numbers(session, ids)
    last_runs = _last_runs(session, ids)
    return [
        WorkflowOut.model_validate(w, from_attributes=True).model_copy(
            update={
                "latest_version": latest.get(w.id),
                "last_run_status": last_runs[w.id].status if w.id in last_runs else None,
                "last_run_at": last_runs[w.id].started_at if w.id in last_runs else None,
            }
        )
        for w in workflows
    ]


def _last_runs(session: Session, workflow_ids: list[str]) -> dict[str, Run]:
    """Each workflow's newest run (one query: runs ranked per workflow)."""
    if not workflow_ids:
        return {}
    ranked = (
        select(
            Run.id,
            func.row_number()
            .over(partition_by=Run.workflow_id, order_by=(Run.started_at.desc(), Run.id.desc()))
            .label("rank"),
        )
        .where(Run.workflow_id.in_(workflow_ids))
        .subquery()
    )
    rows = session.scalars(
        select(Run).join(ranked, ranked.c.id == Run.id).where(ranked.c.rank == 1)
    )
    return {run.workflow_id: run for run in rows}


def duplicate_workflow(session: Session, *, user: User, workflow_id: str) -> WorkflowDetail:
    """Copies the workflow's draft graph into a new workflow named "<name> (copy)"."""
    original = readable_workflow(session, user, workflow_id)
    copy = Workflow(
        owner_id=user.id,
        workspace_id=target_workspace_id(session, user, original.workspace_id),
        name=f"{original.name} (copy)"[:200],
        description=original.description,
    )
    session.add(copy)
    replace_graph(session, copy, load_graph(original))
    session.commit()
    return workflow_detail(session, copy)


def get_workflow(session: Session, *, user: User, workflow_id: str) -> WorkflowDetail:
    """The user's workflow with its graph."""
    return workflow_detail(session, readable_workflow(session, user, workflow_id))


def update_workflow(
    session: Session, *, user: User, workflow_id: str, body: WorkflowUpdate
) -> WorkflowDetail:
    """Renames the workflow or changes its description (fields left out stay as they are)."""
    workflow = workflow_for_change(session, user, workflow_id)
    if body.name is not None:
        workflow.name = body.name
    if body.description is not None:
        workflow.description = body.description
    session.commit()
    return workflow_detail(session, workflow)


def archive_workflow(session: Session, *, user: User, workflow_id: str) -> None:
    """Archives the workflow (what deleting does); archiving an archived one changes nothing."""
    workflow = accessible(session, Workflow, workflow_id, user, "workflow", Action.EDIT)
    if workflow.archived_at is None:
        workflow.archived_at = utcnow()
        workflow.archived_by = user.id
        session.commit()


def unarchive_workflow(session: Session, *, user: User, workflow_id: str) -> WorkflowDetail:
    """Makes an archived workflow active again (an active one stays as it is)."""
    workflow = accessible(session, Workflow, workflow_id, user, "workflow", Action.EDIT)
    if workflow.archived_at is not None:
        workflow.archived_at = None
        workflow.archived_by = None
        session.commit()
    return workflow_detail(session, workflow)


def validate_workflow(session: Session, *, user: User, workflow_id: str) -> ValidationResult:
    """Compiles the draft graph; 422 ``graph_invalid`` lists every problem at once."""
    workflow = readable_workflow(session, user, workflow_id)
    plan = compile_or_raise(session, workflow.workspace_id, load_graph(workflow))
    return ValidationResult(plan_hash=plan.plan_hash, steps=[s.node_id for s in plan.steps])


# --- the draft graph -------------------------------------------------------------------------


def check_draft_structure(graph: Graph) -> None:
    """Rejects what no draft may hold: repeated node ids, dangling or repeated edges, and
    fields a graph may not set (a collection, a server URL: see ``graph_rules``)."""
    problems: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, node in enumerate(graph.nodes):
        if node.id in seen:
            problems.append({"field": f"nodes[{i}].id", "message": f"node id '{node.id}' repeats"})
        seen.add(node.id)
        problems += forbidden_field_problems(node.id, node.type, node.config, f"nodes[{i}].")
    edges_seen: set[tuple[str, str, str, str]] = set()
    for i, edge in enumerate(graph.edges):
        for end in (edge.source, edge.target):
            if end not in seen:
                problems.append(
                    {"field": f"edges[{i}]", "message": f"edge names unknown node '{end}'"}
                )
        key = (edge.source, edge.source_handle, edge.target, edge.target_handle)
        if key in edges_seen:
            problems.append({"field": f"edges[{i}]", "message": "the same edge appears twice"})
        edges_seen.add(key)
    raise_problems(problems)


def get_graph(session: Session, *, user: User, workflow_id: str) -> Graph:
    """The user's workflow's draft graph."""
    return load_graph(readable_workflow(session, user, workflow_id))


def replace_draft(session: Session, *, user: User, workflow_id: str, graph: Graph) -> Graph:
    """Swaps the whole draft graph for ``graph``, which may still be invalid to run."""
    workflow = workflow_for_change(session, user, workflow_id)
    check_draft_structure(graph)
    replace_graph(session, workflow, graph)
    workflow.updated_at = utcnow()
    session.commit()
    return load_graph(workflow)


# --- components and edges --------------------------------------------------------------------


def _component(workflow: Workflow, node_id: str) -> WorkflowComponent:
    """The workflow's component ``node_id``, or 404."""
    row = next((c for c in workflow.components if c.node_id == node_id), None)
    if row is None:
        raise not_found("component", node_id)
    return row


def _next_node_id(component_type: str, taken: set[str]) -> str:
    """``<type>_<n>`` with the lowest ``n`` not taken, the type reduced to id characters."""
    stem = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "_" for ch in component_type
    )[:50]
    n = 1
    while f"{stem}_{n}" in taken:
        n += 1
    return f"{stem}_{n}"


def _component_node(row: WorkflowComponent) -> ComponentNode:
    """A component row as a node with its row id."""
    return ComponentNode(component_id=row.id, **node_of(row).model_dump())


def list_components(session: Session, *, user: User, workflow_id: str) -> list[ComponentNode]:
    """The draft graph's nodes with their component ids."""
    workflow = readable_workflow(session, user, workflow_id)
    return [_component_node(c) for c in workflow.components]


def add_component(
    session: Session, *, user: User, workflow_id: str, body: ComponentCreate
) -> ComponentNode:
    """Adds a node, its id generated from its type unless given; 409 if the id is taken."""
    workflow = workflow_for_change(session, user, workflow_id)
    taken = {c.node_id for c in workflow.components}
    node_id = body.node_id or _next_node_id(body.node_type, taken)
    if node_id in taken:
        raise ApiError(409, "conflict", f"node id '{node_id}' is already used in this workflow")
    refuse_forbidden_fields(node_id, body.node_type, body.node_config)
    node = Node(
        id=node_id,
        type=body.node_type,
        position=body.node_position,
        config=body.node_config,
        policy=body.policy,
    )
    row = component_row(node)
    workflow.components.append(row)
    session.commit()
    return _component_node(row)


def _workflow_of_component(session: Session, user: User, component_id: str) -> tuple[Workflow, str]:
    """The workflow to change that holds component ``component_id`` (by its row id) and the
    component's node id: 404 ``not_found`` naming the component when it is missing or
    outside the user's workspaces, 403 and 409 as ``workflow_for_change``."""
    row = session.get(WorkflowComponent, component_id)
    if row is None:
        raise not_found("component", component_id)
    try:
        workflow = workflow_for_change(session, user, row.workflow_id)
    except ApiError as error:
        if error.status == 404:
            raise not_found("component", component_id) from None
        raise
    return workflow, row.node_id


def update_component(
    session: Session, *, user: User, workflow_id: str, node_id: str, body: ComponentUpdate
) -> ComponentNode:
    """Moves a node or replaces its configuration or policy (an explicit null policy clears it)."""
    return _update_component(
        workflow_for_change(session, user, workflow_id), node_id, body, session
    )


def update_component_by_id(
    session: Session, *, user: User, component_id: str, body: ComponentUpdate
) -> ComponentNode:
    """``update_component`` for the component with this row id."""
    workflow, node_id = _workflow_of_component(session, user, component_id)
    return _update_component(workflow, node_id, body, session)


def _update_component(
    workflow: Workflow, node_id: str, body: ComponentUpdate, session: Session
) -> ComponentNode:
    row = _component(workflow, node_id)
    if body.position is not None:
        row.position_x, row.position_y = body.position.x, body.position.y
    if body.config is not None:
        refuse_forbidden_fields(row.node_id, row.component_type, body.config)
        configuration: dict[str, object] = dict(body.config)
        row.configuration = configuration
    if "policy" in body.model_fields_set:
        row.policy = body.policy.model_dump(exclude_none=True) if body.policy else None
    session.commit()
    return _component_node(row)


def delete_component(session: Session, *, user: User, workflow_id: str, node_id: str) -> None:
    """Removes a node and every edge touching it."""
    _delete_component(workflow_for_change(session, user, workflow_id), node_id, session)


def delete_component_by_id(session: Session, *, user: User, component_id: str) -> None:
    """``delete_component`` for the component with this row id."""
    workflow, node_id = _workflow_of_component(session, user, component_id)
    _delete_component(workflow, node_id, session)


def _delete_component(workflow: Workflow, node_id: str, session: Session) -> None:
    workflow.components.remove(_component(workflow, node_id))
    for edge in [e for e in workflow.edges if node_id in (e.source_node_id, e.target_node_id)]:
        workflow.edges.remove(edge)
    session.commit()


def list_edges(session: Session, *, user: User, workflow_id: str) -> list[EdgeOut]:
    """The draft graph's edges with their ids."""
    workflow = readable_workflow(session, user, workflow_id)
    return [EdgeOut(id=e.id, **edge_of(e).model_dump()) for e in workflow.edges]


def add_edge(session: Session, *, user: User, workflow_id: str, edge: Edge) -> EdgeOut:
    """Connects two nodes' ports; 422 if an end is unknown or the edge exists already."""
    workflow = workflow_for_change(session, user, workflow_id)
    graph = load_graph(workflow)
    check_draft_structure(Graph(nodes=graph.nodes, edges=[*graph.edges, edge]))
    row = edge_row(edge)
    workflow.edges.append(row)
    session.commit()
    return EdgeOut(id=row.id, **edge.model_dump())


def delete_edge(session: Session, *, user: User, workflow_id: str, edge_id: str) -> None:
    """Removes one edge of the user's workflow, or 404."""
    workflow = workflow_for_change(session, user, workflow_id)
    row = session.scalar(
        select(WorkflowEdge).where(
            WorkflowEdge.id == edge_id, WorkflowEdge.workflow_id == workflow.id
        )
    )
    if row is None:
        raise not_found("edge", edge_id)
    workflow.edges.remove(row)
    session.commit()

"""Reads and writes a workflow's graph as component and edge rows."""

import math

from sqlalchemy.orm import Session

from api.core.access import Action, accessible
from api.core.errors import ApiError
from api.db.models import User, Workflow, WorkflowComponent, WorkflowEdge
from workflows.graph import Edge, Graph, Node, Position, StepPolicyOverride


def readable_workflow(session: Session, user: User, workflow_id: str) -> Workflow:
    """A workflow of the user's workspaces, archived or not, to read; 404 for any other."""
    return accessible(session, Workflow, workflow_id, user, "workflow", Action.VIEW)


def workflow_for_change(
    session: Session, user: User, workflow_id: str, action: Action = Action.EDIT
) -> Workflow:
    """A workflow to change (``edit``) or run (``run``): 404 as ``readable_workflow``, 403
    when the user's role does not allow ``action``, 409 ``workflow_archived`` once it is
    archived (it stays readable, never changes)."""
    workflow = accessible(session, Workflow, workflow_id, user, "workflow", action)
    if workflow.archived_at is not None:
        raise ApiError(
            409,
            "workflow_archived",
            f"Workflow '{workflow.id}' is archived: it can be read but not changed or run; "
            "restore it first",
            {"id": workflow.id, "archived_at": workflow.archived_at.isoformat()},
        )
    return workflow


def _finite(coordinate: float) -> float:
    """A stored coordinate, 0 if it is not finite: Infinity used to be accepted and then came
    back as null, which the builder could never save again."""
    return coordinate if math.isfinite(coordinate) else 0.0


def node_of(row: WorkflowComponent) -> Node:
    """A component row as a graph node."""
    return Node(
        id=row.node_id,
        type=row.component_type,
        position=Position(x=_finite(row.position_x), y=_finite(row.position_y)),
        config=dict(row.configuration or {}),
        policy=StepPolicyOverride.model_validate(row.policy) if row.policy else None,
    )


def edge_of(row: WorkflowEdge) -> Edge:
    """An edge row as a graph edge."""
    return Edge(
        source=row.source_node_id,
        source_handle=row.source_handle,
        target=row.target_node_id,
        target_handle=row.target_handle,
    )


def load_graph(workflow: Workflow) -> Graph:
    """The workflow's draft graph, from its component and edge rows."""
    return Graph(
        nodes=[node_of(c) for c in workflow.components],
        edges=[edge_of(e) for e in workflow.edges],
    )


def component_row(node: Node) -> WorkflowComponent:
    """A graph node as a new component row."""
    return WorkflowComponent(
        node_id=node.id,
        component_type=node.type,
        position_x=node.position.x,
        position_y=node.position.y,
        configuration=node.config,
        policy=node.policy.model_dump(exclude_none=True) if node.policy else None,
    )


def edge_row(edge: Edge) -> WorkflowEdge:
    """A graph edge as a new edge row."""
    return WorkflowEdge(
        source_node_id=edge.source,
        source_handle=edge.source_handle,
        target_node_id=edge.target,
        target_handle=edge.target_handle,
    )


def replace_graph(session: Session, workflow: Workflow, graph: Graph) -> None:
    """Swaps the stored graph for ``graph`` (caller commits; ids and edges checked first).
    A node that stays keeps its component id, so ``/components/{component_id}`` outlives
    the builder's saves."""
    component_ids = {c.node_id: c.id for c in workflow.components}
    workflow.components.clear()
    workflow.edges.clear()
    session.flush()  # delete old rows before inserting ones with the same node ids
    for node in graph.nodes:
        row = component_row(node)
        if node.id in component_ids:
            row.id = component_ids[node.id]
        workflow.components.append(row)
    workflow.edges.extend(edge_row(e) for e in graph.edges)

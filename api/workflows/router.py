"""Workflows: CRUD (deleting archives), their graph (components and edges), and validation."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.core.deps import CurrentUser, SessionDep
from api.workflows import service
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
from workflows.graph import Edge, Graph

router = APIRouter(prefix="/workflows", tags=["workflows"])


@router.post("", status_code=201)
def create_workflow(body: WorkflowCreate, session: SessionDep, user: CurrentUser) -> WorkflowDetail:
    """Creates a workflow, optionally with a whole graph."""
    return service.create_workflow(session, user=user, body=body)


@router.get("")
def list_workflows(
    session: SessionDep,
    user: CurrentUser,
    archived: Annotated[
        bool, Query(description="true: the archived (deleted) workflows instead of the active.")
    ] = False,
    workspace_id: Annotated[
        str | None, Query(max_length=64, description="Only this workspace's workflows.")
    ] = None,
) -> list[WorkflowOut]:
    """Lists the active workflows of your workspaces, most recently edited first; with
    ``archived=true`` the archived ones, most recently archived first."""
    return service.list_workflows(session, user=user, archived=archived, workspace_id=workspace_id)


@router.post("/{workflow_id}/duplicate", status_code=201)
def duplicate_workflow(workflow_id: str, session: SessionDep, user: CurrentUser) -> WorkflowDetail:
    """Copies the workflow's draft graph into a new workflow named "<name> (copy)"."""
    return service.duplicate_workflow(session, user=user, workflow_id=workflow_id)


@router.get("/{workflow_id}")
def get_workflow(workflow_id: str, session: SessionDep, user: CurrentUser) -> WorkflowDetail:
    """Returns a workflow with its graph."""
    return service.get_workflow(session, user=user, workflow_id=workflow_id)


@router.put("/{workflow_id}")
def update_workflow(
    workflow_id: str, body: WorkflowUpdate, session: SessionDep, user: CurrentUser
) -> WorkflowDetail:
    """Renames a workflow or changes its description."""
    return service.update_workflow(session, user=user, workflow_id=workflow_id, body=body)


@router.delete("/{workflow_id}", status_code=204)
def delete_workflow(workflow_id: str, session: SessionDep, user: CurrentUser) -> Response:
    """Archives the workflow: it leaves the list, refuses changes and runs (409), and its
    graph, versions, runs, chats and audit records stay readable. Idempotent."""
    service.archive_workflow(session, user=user, workflow_id=workflow_id)
    return Response(status_code=204)


@router.post("/{workflow_id}/unarchive")
def unarchive_workflow(workflow_id: str, session: SessionDep, user: CurrentUser) -> WorkflowDetail:
    """Brings an archived workflow back to the list, changeable and runnable again."""
    return service.unarchive_workflow(session, user=user, workflow_id=workflow_id)


@router.get("/{workflow_id}/graph")
def get_graph(workflow_id: str, session: SessionDep, user: CurrentUser) -> Graph:
    """Returns the workflow's graph as the builder draws it."""
    return service.get_graph(session, user=user, workflow_id=workflow_id)


@router.put("/{workflow_id}/graph")
def put_graph(workflow_id: str, graph: Graph, session: SessionDep, user: CurrentUser) -> Graph:
    """Replaces the whole graph (the builder's save); a draft may still be invalid."""
    return service.replace_draft(session, user=user, workflow_id=workflow_id, graph=graph)


@router.get("/{workflow_id}/components")
def list_components(
    workflow_id: str, session: SessionDep, user: CurrentUser
) -> list[ComponentNode]:
    """Lists the graph's components (nodes) with their component ids."""
    return service.list_components(session, user=user, workflow_id=workflow_id)


@router.post("/{workflow_id}/components", status_code=201)
def add_component(
    workflow_id: str, body: ComponentCreate, session: SessionDep, user: CurrentUser
) -> ComponentNode:
    """Adds a component (node) to the graph: ``{type, position, config}`` or the design's
    ``{component_type, position_x, position_y, configuration}``."""
    return service.add_component(session, user=user, workflow_id=workflow_id, body=body)


@router.put("/{workflow_id}/components/{node_id}")
def update_component(
    workflow_id: str, node_id: str, body: ComponentUpdate, session: SessionDep, user: CurrentUser
) -> ComponentNode:
    """Moves a component or replaces its configuration or policy."""
    return service.update_component(
        session, user=user, workflow_id=workflow_id, node_id=node_id, body=body
    )


@router.delete("/{workflow_id}/components/{node_id}", status_code=204)
def delete_component(
    workflow_id: str, node_id: str, session: SessionDep, user: CurrentUser
) -> Response:
    """Removes a component and every edge touching it."""
    service.delete_component(session, user=user, workflow_id=workflow_id, node_id=node_id)
    return Response(status_code=204)


@router.get("/{workflow_id}/edges")
def list_edges(workflow_id: str, session: SessionDep, user: CurrentUser) -> list[EdgeOut]:
    """Lists the graph's connections with their ids."""
    return service.list_edges(session, user=user, workflow_id=workflow_id)


@router.post("/{workflow_id}/edges", status_code=201)
def add_edge(workflow_id: str, body: Edge, session: SessionDep, user: CurrentUser) -> EdgeOut:
    """Connects two components' ports (type compatibility is checked by validate)."""
    return service.add_edge(session, user=user, workflow_id=workflow_id, edge=body)


@router.delete("/{workflow_id}/edges/{edge_id}", status_code=204)
def delete_edge(workflow_id: str, edge_id: str, session: SessionDep, user: CurrentUser) -> Response:
    """Removes one connection."""
    service.delete_edge(session, user=user, workflow_id=workflow_id, edge_id=edge_id)
    return Response(status_code=204)


@router.get("/{workflow_id}/validate")
def validate_workflow(workflow_id: str, session: SessionDep, user: CurrentUser) -> ValidationResult:
    """Checks the graph; every problem is reported at once, naming its node and field."""
    return service.validate_workflow(session, user=user, workflow_id=workflow_id)

"""The component catalogue, with JSON Schemas for config forms, and placed components
changed by their component id (the design's ``/components/{id}``)."""

from fastapi import APIRouter, Response

from api.core.deps import CurrentUser, SessionDep
from api.workflows import service
from api.workflows.catalogue import component_catalogue
from api.workflows.schemas import ComponentNode, ComponentOut, ComponentUpdate

router = APIRouter(tags=["components"])


@router.get("/components")
def list_components(_: CurrentUser) -> list[ComponentOut]:
    """Every component type with its ports, step defaults and config JSON Schema."""
    return component_catalogue()


@router.put("/components/{component_id}")
def update_component(
    component_id: str, body: ComponentUpdate, session: SessionDep, user: CurrentUser
) -> ComponentNode:
    """Moves a placed component or replaces its configuration or policy, as ``PUT
    /workflows/{workflow_id}/components/{node_id}`` does: ``{position, config, policy}`` or
    the design's ``{position_x, position_y, configuration}``."""
    return service.update_component_by_id(session, user=user, component_id=component_id, body=body)


@router.delete("/components/{component_id}", status_code=204)
def delete_component(component_id: str, session: SessionDep, user: CurrentUser) -> Response:
    """Removes a placed component and every edge touching it."""
    service.delete_component_by_id(session, user=user, component_id=component_id)
    return Response(status_code=204)

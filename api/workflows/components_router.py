"""The component catalogue, with JSON Schemas for config forms."""

from fastapi import APIRouter

from api.core.deps import CurrentUser
from api.workflows.catalogue import component_catalogue
from api.workflows.schemas import ComponentOut

router = APIRouter(tags=["components"])


@router.get("/components")
def list_components(_: CurrentUser) -> list[ComponentOut]:
    """Every component type with its ports, step defaults and config JSON Schema."""
    return component_catalogue()

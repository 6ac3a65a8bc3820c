"""The component catalogue, with JSON Schemas for config forms."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.core.deps import CurrentUser
from workflows.components import CATALOGUE, Port, StepDefaults

router = APIRouter(tags=["components"])


class ComponentOut(BaseModel):
    type: str
    label: str
    description: str
    color: str
    inputs: list[Port]
    outputs: list[Port]
    defaults: StepDefaults
    config_schema: dict[str, Any]


@router.get("/components")
def list_components(_: CurrentUser) -> list[ComponentOut]:
    """Every component type with its ports, step defaults and config JSON Schema."""
    return catalogue_out()


def catalogue_out() -> list[ComponentOut]:
    out = []
    for spec in CATALOGUE.values():
        schema = spec.config_model.model_json_schema()
        schema.get("properties", {}).pop("component", None)
        out.append(
            ComponentOut(
                **spec.model_dump(include={"type", "label", "description", "color"}),
                inputs=spec.inputs,
                outputs=spec.outputs,
                defaults=spec.defaults,
                config_schema=schema,
            )
        )
    return out

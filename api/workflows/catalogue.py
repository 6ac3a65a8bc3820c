"""The component catalogue as the builder reads it: ports, step defaults, config JSON Schema."""

from api.workflows.schemas import ComponentOut
from workflows.components import CATALOGUE


def component_catalogue() -> list[ComponentOut]:
    """Every component type, its config schema without the ``component`` discriminator."""
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

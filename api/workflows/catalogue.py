"""The component catalogue as the builder reads it: ports, step defaults, config JSON Schema."""

from api.workflows.schemas import ComponentOut
from workflows.components import CATALOGUE, SERVER_FILLED_FIELDS


def component_catalogue() -> list[ComponentOut]:
    """Every component type, its config schema without the ``component`` discriminator and
    without the fields the API fills in (a graph names a knowledge base or connection)."""
    out = []
    for spec in CATALOGUE.values():
        schema = spec.config_model.model_json_schema()
        properties = schema.get("properties", {})
        for name in {"component", *SERVER_FILLED_FIELDS.get(spec.type, frozenset())}:
            properties.pop(name, None)
        if "required" in schema:
            schema["required"] = [r for r in schema["required"] if r in properties]
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

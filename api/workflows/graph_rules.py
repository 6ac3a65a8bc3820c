"""What no saved graph may hold, whatever else is unfinished in a draft.

A graph cannot choose where a server-held key goes (an LLM node's ``base_url``) or read
vectors without an ownership check (a knowledge base node's ``collection``): it names a
provider connection and a knowledge base by id instead (``GRAPH_FORBIDDEN_FIELDS``).
"""

from collections.abc import Mapping

from api.core.errors import ApiError
from workflows.components import GRAPH_FORBIDDEN_FIELDS

_INSTEAD = {
    "collection": "name a knowledge base by knowledge_base_id instead",
    "base_url": "name a provider connection instead (an administrator defines its URL and key)",
}


def forbidden_field_problems(
    node_id: str, component_type: str, config: Mapping[str, object], where: str
) -> list[dict[str, str]]:
    """One problem per forbidden field ``config`` carries; ``where`` prefixes the field."""
    return [
        {
            "field": f"{where}config.{name}",
            "node_id": node_id,
            "message": f"node '{node_id}' config.{name}: {_INSTEAD.get(name, 'not allowed')}",
        }
        for name in sorted(GRAPH_FORBIDDEN_FIELDS.get(component_type, frozenset()))
        if config.get(name) is not None
    ]


def refuse_forbidden_fields(
    node_id: str, component_type: str, config: Mapping[str, object]
) -> None:
    """422 ``invalid_graph`` when one node's config carries a forbidden field."""
    raise_problems(forbidden_field_problems(node_id, component_type, config, ""))


def raise_problems(problems: list[dict[str, str]]) -> None:
    """422 ``invalid_graph`` listing ``problems``, if any."""
    if problems:
        message = "; ".join(p["message"] for p in problems[:5])
        raise ApiError(422, "invalid_graph", message, {"problems": problems})

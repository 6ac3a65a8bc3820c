"""Resolves ``llm_engine`` nodes to provider connections, before compiling.

A node names a connection; the API checks that it exists and allows the node's model,
and fills in its provider. Nodes saved before connections name a provider instead
(``openai``, ``gemini``: the environment's connection of that name) or, for an
OpenAI-compatible server, a URL: that is honoured only through an administrator's
connection with exactly that URL, and the plan then carries the connection's name, so
the worker uses the connection's own URL and key — never a URL from the graph.
"""

from sqlalchemy.orm import Session

from activities.providers.connections import ResolvedConnection
from api.connections.service import connection_for_url, find_connection
from settings import Settings
from workflows.graph import Graph, Node
from workflows.graph_problems import GraphProblem, ProblemCode


def resolve_connections(
    session: Session, settings: Settings, graph: Graph
) -> tuple[Graph, list[GraphProblem]]:
    """The graph with each LLM node's connection and provider filled in, and a problem for
    every node whose connection does not exist or does not allow its model."""
    problems: list[GraphProblem] = []
    nodes: list[Node] = []
    for node in graph.nodes:
        if node.type == "llm_engine":
            connection, problem = _connection_of(session, settings, node)
            if problem is not None:
                problems.append(problem)
            elif connection is not None:
                config = {k: v for k, v in node.config.items() if k != "base_url"}
                node = node.model_copy(
                    update={
                        "config": config
                        | {"connection": connection.name, "provider": connection.provider.value}
                    }
                )
        nodes.append(node)
    return graph.model_copy(update={"nodes": nodes}), problems


def _connection_of(
    session: Session, settings: Settings, node: Node
) -> tuple[ResolvedConnection | None, GraphProblem | None]:
    config = node.config
    name = config.get("connection")
    if isinstance(name, str):
        found = find_connection(session, settings, name)
        if found is None:
            return None, _problem(
                node,
                ProblemCode.UNKNOWN_CONNECTION,
                "config.connection",
                f"provider connection '{name}' does not exist",
            )
    elif config.get("base_url"):
        found = connection_for_url(session, str(config["base_url"]))
        if found is None:
            return None, _problem(
                node,
                ProblemCode.UNKNOWN_CONNECTION,
                "config.connection",
                "it names a server URL, which graphs can no longer do; choose a provider"
                " connection (an administrator defines its URL and key)",
            )
    elif name is None:
        provider = str(config.get("provider", "openai"))
        found = find_connection(session, settings, provider)
        if found is None:
            return None, _problem(
                node,
                ProblemCode.UNKNOWN_CONNECTION,
                "config.connection",
                "choose a provider connection",
            )
    else:
        return None, None  # a malformed value: the graph checks report it
    model = config.get("model")
    if isinstance(model, str) and not found.allows_model(model):
        return None, _problem(
            node,
            ProblemCode.MODEL_NOT_ALLOWED,
            "config.model",
            f"model '{model}' is not allowed on connection '{found.name}'"
            f" (allowed: {', '.join(found.models)})",
        )
    return found, None


def _problem(node: Node, code: ProblemCode, field: str, what: str) -> GraphProblem:
    return GraphProblem(
        code=code, message=f"node '{node.id}': {what}", node_id=node.id, field=field
    )

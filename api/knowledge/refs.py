"""Resolves ``knowledge_base`` nodes that name a knowledge base by id, before compiling."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import KnowledgeBase, User
from workflows.graph import Graph
from workflows.graph_problems import GraphProblem, ProblemCode


def resolve_knowledge_bases(
    session: Session, user: User, graph: Graph
) -> tuple[Graph, list[GraphProblem]]:
    """The graph with each referenced knowledge base's collection and embedding model filled
    in, and a problem for every id that is not one of the user's knowledge bases."""
    wanted = {
        str(node.config["knowledge_base_id"])
        for node in graph.nodes
        if node.type == "knowledge_base" and node.config.get("knowledge_base_id")
    }
    if not wanted:
        return graph, []
    found = {
        kb.id: kb
        for kb in session.scalars(
            select(KnowledgeBase).where(
                KnowledgeBase.id.in_(wanted), KnowledgeBase.owner_id == user.id
            )
        )
    }
    problems: list[GraphProblem] = []
    nodes = []
    for node in graph.nodes:
        kb_id = node.config.get("knowledge_base_id") if node.type == "knowledge_base" else None
        if kb_id and str(kb_id) in found:
            kb = found[str(kb_id)]
            node = node.model_copy(
                update={
                    "config": node.config
                    | {
                        "collection": kb.collection,
                        "embedding_provider": kb.embedding_provider,
                        "embedding_model": kb.embedding_model,
                    }
                }
            )
        elif kb_id:
            problems.append(
                GraphProblem(
                    code=ProblemCode.UNKNOWN_KNOWLEDGE_BASE,
                    message=f"node '{node.id}': knowledge base '{kb_id}' was not found",
                    node_id=node.id,
                    field="config.knowledge_base_id",
                )
            )
        nodes.append(node)
    return graph.model_copy(update={"nodes": nodes}), problems

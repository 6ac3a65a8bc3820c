"""Resolves ``knowledge_base`` nodes to knowledge bases of the workflow's workspace.

A graph names a knowledge base by id; only those of the workflow's own workspace are
found (everyone who may run the workflow may read them), and the node gets that
knowledge base's collection and embedding model. Graphs saved before that rule
(published versions are immutable) may name a collection instead: it is honoured only
when it is the collection of a knowledge base of that workspace, so a graph can never
read another workspace's vectors by naming their collection.
"""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.db.models import KnowledgeBase
from workflows.graph import Graph, Node
from workflows.graph_problems import GraphProblem, ProblemCode


def resolve_knowledge_bases(
    session: Session, workspace_id: str, graph: Graph
) -> tuple[Graph, list[GraphProblem]]:
    """The graph with each knowledge base node's collection and embedding model filled in,
    and a problem for every node whose knowledge base is not one of the workspace's."""
    nodes = [node for node in graph.nodes if node.type == "knowledge_base"]
    ids = {str(n.config["knowledge_base_id"]) for n in nodes if n.config.get("knowledge_base_id")}
    collections = {
        str(n.config["collection"])
        for n in nodes
        if not n.config.get("knowledge_base_id") and n.config.get("collection")
    }
    if not ids and not collections:
        return graph, []
    mine = list(
        session.scalars(
            select(KnowledgeBase).where(
                KnowledgeBase.workspace_id == workspace_id,
                or_(KnowledgeBase.id.in_(ids), KnowledgeBase.collection.in_(collections)),
            )
        )
    )
    by_id = {kb.id: kb for kb in mine}
    by_collection = {kb.collection: kb for kb in mine}
    problems: list[GraphProblem] = []
    resolved: list[Node] = []
    for node in graph.nodes:
        if node.type != "knowledge_base":
            resolved.append(node)
            continue
        kb_id = node.config.get("knowledge_base_id")
        kb = (
            by_id.get(str(kb_id))
            if kb_id
            else by_collection.get(str(node.config.get("collection")))
        )
        if kb is not None:
            node = node.model_copy(
                update={
                    "config": node.config
                    | {
                        "knowledge_base_id": kb.id,
                        "collection": kb.collection,
                        "embedding_provider": kb.embedding_provider,
                        "embedding_model": kb.embedding_model,
                    }
                }
            )
        elif kb_id or node.config.get("collection"):
            problems.append(
                GraphProblem(
                    code=ProblemCode.UNKNOWN_KNOWLEDGE_BASE,
                    message=f"node '{node.id}': its knowledge base was not found in this"
                    " workspace; choose one of the workspace's knowledge bases",
                    node_id=node.id,
                    field="config.knowledge_base_id",
                )
            )
        resolved.append(node)
    return graph.model_copy(update={"nodes": resolved}), problems

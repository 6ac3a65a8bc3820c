"""Short ways to write graphs in tests: ``node("kb", "knowledge_base", collection="docs")``,
``wire("q.query", "kb.query")``."""

from typing import Any

from workflows.graph import Graph


def node(node_id: str, node_type: str, policy: dict[str, Any] | None = None, **config: Any) -> dict:
    return {"id": node_id, "type": node_type, "config": config, "policy": policy}


def wire(source: str, target: str) -> dict:
    """An edge from ``"node.port"`` to ``"node.port"`` (node ids may hold dots; ports do not)."""
    source_id, source_handle = source.rsplit(".", 1)
    target_id, target_handle = target.rsplit(".", 1)
    return {
        "source": source_id,
        "source_handle": source_handle,
        "target": target_id,
        "target_handle": target_handle,
    }


def graph(nodes: list[dict], edges: list[dict]) -> Graph:
    return Graph.model_validate({"nodes": nodes, "edges": edges})


def rag_nodes(**llm_config: Any) -> list[dict]:
    """User Query → Knowledge Base → LLM Engine → Output, the seed's stack."""
    return [
        node("q", "user_query"),
        node("kb", "knowledge_base", collection="docs"),
        node("llm", "llm_engine", **llm_config),
        node("out", "output"),
    ]


def rag_edges() -> list[dict]:
    return [
        wire("q.query", "kb.query"),
        wire("q.query", "llm.query"),
        wire("kb.context", "llm.context"),
        wire("llm.answer", "out.answer"),
    ]


def rag_graph(**llm_config: Any) -> Graph:
    return graph(rag_nodes(**llm_config), rag_edges())

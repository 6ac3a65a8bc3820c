"""Graphs the end-to-end tests build, as the builder would send them."""

from typing import Any


def rag_graph(
    knowledge_base_id: str,
    *,
    provider: str = "openai",
    model: str = "gpt-4o-mini",
    use_web_search: bool = False,
    llm_policy: dict[str, Any] | None = None,
    kb_policy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """user_query → knowledge_base → llm_engine → output."""
    llm: dict[str, Any] = {
        "id": "llm",
        "type": "llm_engine",
        "position": {"x": 500, "y": 0},
        "config": {
            "provider": provider,
            "model": model,
            "temperature": 0.2,
            "custom_prompt": "You are a careful assistant. Cite sources.",
            "use_web_search": use_web_search,
        },
    }
    if llm_policy:
        llm["policy"] = llm_policy
    kb: dict[str, Any] = {
        "id": "kb",
        "type": "knowledge_base",
        "position": {"x": 250, "y": 0},
        "config": {"knowledge_base_id": knowledge_base_id, "top_k": 2},
    }
    if kb_policy:
        kb["policy"] = kb_policy
    return {
        "nodes": [
            {"id": "query", "type": "user_query", "position": {"x": 0, "y": 0}, "config": {}},
            kb,
            llm,
            {"id": "out", "type": "output", "position": {"x": 750, "y": 0}, "config": {}},
        ],
        "edges": [
            {"source": "query", "source_handle": "query", "target": "kb", "target_handle": "query"},
            {
                "source": "query",
                "source_handle": "query",
                "target": "llm",
                "target_handle": "query",
            },
            {
                "source": "kb",
                "source_handle": "context",
                "target": "llm",
                "target_handle": "context",
            },
            {
                "source": "llm",
                "source_handle": "answer",
                "target": "out",
                "target_handle": "answer",
            },
        ],
    }


def direct_llm_graph(**llm_config: Any) -> dict[str, Any]:
    """user_query → llm_engine → output."""
    return {
        "nodes": [
            {"id": "query", "type": "user_query", "config": {}},
            {"id": "llm", "type": "llm_engine", "config": llm_config},
            {"id": "out", "type": "output", "config": {}},
        ],
        "edges": [
            {
                "source": "query",
                "source_handle": "query",
                "target": "llm",
                "target_handle": "query",
            },
            {
                "source": "llm",
                "source_handle": "answer",
                "target": "out",
                "target_handle": "answer",
            },
        ],
    }

"""Content hashing and diffs of workflow graphs (pure functions, no database)."""

import hashlib
import json
from typing import Any

import rfc8785

from api.versions.diff import diff_graphs
from api.versions.service import graph_content_hash
from workflows.graph import Edge, Graph


def graph(**llm_config: Any) -> Graph:
    """user_query → llm_engine → output, with the given llm config."""
    return Graph.model_validate(
        {
            "nodes": [
                {"id": "query", "type": "user_query", "position": {"x": 0, "y": 0}},
                {
                    "id": "llm",
                    "type": "llm_engine",
                    "position": {"x": 250, "y": 0},
                    "config": {"provider": "openai", "model": "gpt-4o-mini", **llm_config},
                },
                {"id": "out", "type": "output", "position": {"x": 500, "y": 0}},
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
    )


def edit(base: Graph, node_id: str, **fields: Any) -> Graph:
    """A copy of ``base`` with one node's fields replaced."""
    data = base.model_dump()
    node = next(n for n in data["nodes"] if n["id"] == node_id)
    node.update(fields)
    return Graph.model_validate(data)


# --- hashing ---------------------------------------------------------------------------------


def test_hash_is_sha256_of_the_canonical_json() -> None:
    g = graph(temperature=0.2, custom_prompt="Répondez en français.")
    content = g.model_dump(mode="json")
    content["nodes"].sort(key=lambda n: n["id"])
    content["edges"].sort(key=lambda e: (e["source"], e["source_handle"], e["target"]))
    canonical = rfc8785.dumps(content)  # RFC 8785 (JCS), the reference library
    assert graph_content_hash(g) == hashlib.sha256(canonical).hexdigest()
    assert len(graph_content_hash(g)) == 64


def test_hash_does_not_depend_on_the_order_of_nodes_and_edges() -> None:
    g = graph(temperature=0.2, custom_prompt="p")
    shuffled = Graph(nodes=list(reversed(g.nodes)), edges=list(reversed(g.edges)))
    assert graph_content_hash(shuffled) == graph_content_hash(g)


def test_hash_ignores_config_key_order_but_not_values() -> None:
    a = graph(temperature=0.2, custom_prompt="p")
    b = Graph.model_validate(
        {
            **a.model_dump(),
            "nodes": [
                {**n.model_dump(), "config": dict(reversed(list(n.config.items())))}
                for n in a.nodes
            ],
        }
    )
    assert graph_content_hash(a) == graph_content_hash(b)
    assert graph_content_hash(a) != graph_content_hash(graph(temperature=0.3, custom_prompt="p"))


def test_hash_survives_a_json_round_trip() -> None:
    g = graph(temperature=0.2, top=[1, {"b": None, "a": 2.5}])
    stored = json.loads(json.dumps(g.model_dump(mode="json")))
    assert graph_content_hash(Graph.model_validate(stored)) == graph_content_hash(g)


def test_position_changes_the_hash() -> None:
    g = graph()
    moved = edit(g, "out", position={"x": 900, "y": 0})
    assert graph_content_hash(moved) != graph_content_hash(g)


# --- diff ------------------------------------------------------------------------------------


def test_identical_graphs_are_unchanged() -> None:
    diff = diff_graphs(graph(temperature=0.2), graph(temperature=0.2))
    assert diff.unchanged
    assert not (diff.nodes_added or diff.nodes_removed or diff.nodes_changed)
    assert not (diff.edges_added or diff.edges_removed)


def test_config_changes_are_reported_key_by_key() -> None:
    base = graph(temperature=0.2, custom_prompt="old", use_web_search=False)
    target = graph(temperature=0.7, custom_prompt="new", max_tokens=300)
    diff = diff_graphs(base, target)
    assert not diff.unchanged
    [change] = diff.nodes_changed
    assert change.id == "llm" and change.type == "llm_engine" and not change.moved_only
    by_path = {c.path: (c.before, c.after) for c in change.changes}
    assert by_path == {
        "config.temperature": (0.2, 0.7),
        "config.custom_prompt": ("old", "new"),
        "config.use_web_search": (False, None),
        "config.max_tokens": (None, 300),
    }


def test_json_distinct_values_differ() -> None:
    # 1 and 1.0 are one JSON number (RFC 8785 writes both as 1), as for the content hash.
    assert diff_graphs(graph(n=1), graph(n=1.0)).unchanged
    assert graph_content_hash(graph(n=1)) == graph_content_hash(graph(n=1.0))
    diff = diff_graphs(graph(flag=True), graph(flag=1))
    assert [c.path for c in diff.nodes_changed[0].changes] == ["config.flag"]


def test_a_key_set_to_null_differs_from_a_missing_key() -> None:
    diff = diff_graphs(graph(), graph(temperature=None))
    [change] = diff.nodes_changed[0].changes
    assert (change.path, change.before, change.after) == ("config.temperature", None, None)


def test_a_move_alone_is_flagged_moved_only() -> None:
    base = graph()
    diff = diff_graphs(base, edit(base, "out", position={"x": 600, "y": 40}))
    [change] = diff.nodes_changed
    assert change.moved_only
    [field] = change.changes
    assert field.path == "position"
    assert field.before == {"x": 500.0, "y": 0.0}
    assert field.after == {"x": 600.0, "y": 40.0}


def test_a_move_with_other_changes_is_not_moved_only() -> None:
    base = graph(temperature=0.2)
    target = edit(graph(temperature=0.5), "llm", position={"x": 1, "y": 1})
    [change] = diff_graphs(base, target).nodes_changed
    assert not change.moved_only
    assert [c.path for c in change.changes] == ["config.temperature", "position"]


def test_type_and_policy_changes() -> None:
    base = edit(graph(), "llm", policy={"maximum_attempts": 3})
    target = edit(graph(), "llm", type="llm_engine_v2", policy={"execution": "regular"})
    [change] = diff_graphs(base, target).nodes_changed
    by_path = {c.path: (c.before, c.after) for c in change.changes}
    assert by_path == {
        "type": ("llm_engine", "llm_engine_v2"),
        "policy.maximum_attempts": (3, None),
        "policy.execution": (None, "regular"),
    }
    assert change.type == "llm_engine_v2"


def test_a_policy_added_from_none() -> None:
    base = graph()
    target = edit(base, "llm", policy={"start_to_close_seconds": 30})
    [change] = diff_graphs(base, target).nodes_changed
    assert [(c.path, c.before, c.after) for c in change.changes] == [
        ("policy.start_to_close_seconds", None, 30.0)
    ]


def test_nodes_and_edges_added_and_removed() -> None:
    base = graph()
    target = base.model_copy(deep=True)
    target.nodes = [n for n in target.nodes if n.id != "out"]
    target.nodes.append(
        Graph.model_validate({"nodes": [{"id": "out2", "type": "output"}]}).nodes[0]
    )
    target.edges = [
        target.edges[0],
        Edge(source="llm", source_handle="answer", target="out2", target_handle="answer"),
    ]
    diff = diff_graphs(base, Graph.model_validate(target.model_dump()))
    assert [(n.id, n.type) for n in diff.nodes_added] == [("out2", "output")]
    assert [(n.id, n.type) for n in diff.nodes_removed] == [("out", "output")]
    assert diff.nodes_changed == []
    assert [e.target for e in diff.edges_added] == ["out2"]
    assert [e.target for e in diff.edges_removed] == ["out"]
    assert not diff.unchanged


def test_order_of_nodes_and_edges_is_not_a_difference() -> None:
    base = graph(temperature=0.2)
    shuffled = Graph(nodes=list(reversed(base.nodes)), edges=list(reversed(base.edges)))
    assert diff_graphs(base, shuffled).unchanged


def test_diff_serialises_to_json() -> None:
    diff = diff_graphs(graph(temperature=0.2), graph(temperature=0.4))
    body = json.loads(diff.model_dump_json())
    assert body["nodes_changed"][0]["changes"] == [
        {"path": "config.temperature", "before": 0.2, "after": 0.4}
    ]
    assert body["unchanged"] is False

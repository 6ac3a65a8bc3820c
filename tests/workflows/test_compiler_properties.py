"""Properties of the compiler over generated graphs: valid, random, and valid-then-broken."""

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.compiler import compile_graph, find_graph_problems
from workflows.components import CATALOGUE
from workflows.graph import NODE_ID_PATTERN, Graph
from workflows.graph_problems import GraphInvalid, GraphProblem, ProblemCode
from workflows.plan import Plan

FAST = settings(max_examples=150, deadline=None)

node_ids = st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)
# Ids that also hit the compiler's own names and each other often.
colliding_ids = st.sampled_from(["q", "kb", "llm", "out", "ws", "llm.web_search", "a.b"])
node_types = st.sampled_from([*CATALOGUE, "crystal_ball", "User_Query", "llm"])
PORT_NAMES = sorted({p.name for spec in CATALOGUE.values() for p in [*spec.inputs, *spec.outputs]})
CONFIG_KEYS = sorted({key for spec in CATALOGUE.values() for key in spec.config_model.model_fields})
port_names = st.sampled_from([*PORT_NAMES, "bogus"])
config_keys = st.sampled_from([*CONFIG_KEYS, "colour"])
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 100)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["docs", "openai-compatible", "gemini", "http://localhost:1/v1", "json"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
policies = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "maximum_attempts": st.integers(1, 20),
        "initial_interval_seconds": st.floats(0.01, 60),
        "backoff_coefficient": st.floats(1, 10),
        "maximum_interval_seconds": st.floats(0.01, 600),
        "start_to_close_seconds": st.floats(0.01, 3600),
        "execution": st.sampled_from(["local", "regular", "fast", ""]),
    },
)


@st.composite
def random_graphs(draw: st.DrawFn) -> Graph:
    """Anything the builder could save: unknown types, bad ports, junk configs, ghosts."""
    nodes = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "id": colliding_ids | node_ids,
                    "type": node_types,
                    "config": st.dictionaries(config_keys, json_values, max_size=4),
                    "policy": policies,
                }
            ),
            max_size=8,
        )
    )
    endpoints = st.sampled_from([n["id"] for n in nodes] + ["ghost", "phantom"])
    edge = st.fixed_dictionaries(
        {
            "source": endpoints,
            "source_handle": port_names,
            "target": endpoints,
            "target_handle": port_names,
        }
    )
    return Graph.model_validate({"nodes": nodes, "edges": draw(st.lists(edge, max_size=12))})


@st.composite
def valid_graphs(draw: st.DrawFn) -> Graph:
    """User Query → (knowledge bases, web searches) → LLMs → outputs, shuffled."""
    counts = {
        "knowledge_base": draw(st.integers(0, 2)),
        "web_search": draw(st.integers(0, 2)),
        "llm_engine": draw(st.integers(1, 3)),
        "output": draw(st.integers(1, 3)),
    }
    # No id may end in the implicit web search suffix: that is a (tested) conflict.
    unique_ids = st.lists(
        node_ids.filter(lambda i: not i.endswith(".web_search")),
        min_size=1 + sum(counts.values()),
        max_size=1 + sum(counts.values()),
        unique=True,
    )
    ids = iter(draw(unique_ids))
    query = next(ids)
    by_type = {kind: [next(ids) for _ in range(count)] for kind, count in counts.items()}

    def with_policy(node: dict[str, Any]) -> dict[str, Any]:
        policy = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "maximum_attempts": st.integers(1, 20),
                    "start_to_close_seconds": st.floats(0.01, 3600),
                    "execution": st.sampled_from(["local", "regular"]),
                },
            )
        )
        position = {"x": draw(st.floats(-1e4, 1e4)), "y": draw(st.floats(-1e4, 1e4))}
        return {**node, "policy": policy or None, "position": position}

    nodes = [with_policy({"id": query, "type": "user_query"})]
    edges = []

    def wire(source: str, source_port: str, target: str, target_port: str) -> None:
        edges.append(
            {
                "source": source,
                "source_handle": source_port,
                "target": target,
                "target_handle": target_port,
            }
        )

    for kb in by_type["knowledge_base"]:
        config = {"collection": "docs", "top_k": draw(st.integers(1, 50))}
        nodes.append(with_policy({"id": kb, "type": "knowledge_base", "config": config}))
        wire(query, "query", kb, "query")
    for ws in by_type["web_search"]:
        nodes.append(with_policy({"id": ws, "type": "web_search"}))
        wire(query, "query", ws, "query")
    for llm in by_type["llm_engine"]:
        config = {"use_web_search": draw(st.booleans()), "temperature": draw(st.floats(0, 2))}
        nodes.append(with_policy({"id": llm, "type": "llm_engine", "config": config}))
        wire(query, "query", llm, "query")
        if bool(by_type["knowledge_base"]) and draw(st.booleans()):
            wire(draw(st.sampled_from(by_type["knowledge_base"])), "context", llm, "context")
        if bool(by_type["web_search"]) and draw(st.booleans()):
            wire(draw(st.sampled_from(by_type["web_search"])), "results", llm, "web_results")
    for out in by_type["output"]:
        nodes.append(with_policy({"id": out, "type": "output"}))
        wire(draw(st.sampled_from(by_type["llm_engine"])), "answer", out, "answer")

    return Graph.model_validate(
        {"nodes": draw(st.permutations(nodes)), "edges": draw(st.permutations(edges))}
    )


EDITS = [
    "drop",
    "repeat",
    "rewire",
    "reverse",
    "retype",
    "config",
    "add_edge",
    "copy_node",
    "drop_node",
]


@st.composite
def broken_graphs(draw: st.DrawFn) -> Graph:
    """A valid graph after one to three random edits, the kind a person makes while drawing."""
    data = draw(valid_graphs()).model_dump()
    nodes, edges = data["nodes"], data["edges"]
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(EDITS))
        if edit == "drop" and edges:
            edges.pop(draw(st.integers(0, len(edges) - 1)))
        elif edit == "repeat" and edges:
            edges.append(dict(draw(st.sampled_from(edges))))
        elif edit == "rewire" and edges:
            edge = draw(st.sampled_from(edges))
            field = draw(st.sampled_from(["source", "target", "source_handle", "target_handle"]))
            ids = st.sampled_from([n["id"] for n in nodes] + ["ghost", "phantom"])
            edge[field] = draw(ids if field in ("source", "target") else port_names)
        elif edit == "reverse" and edges:
            e = draw(st.sampled_from(edges))
            e["source"], e["target"] = e["target"], e["source"]
            e["source_handle"], e["target_handle"] = e["target_handle"], e["source_handle"]
        elif edit == "retype" and nodes:
            draw(st.sampled_from(nodes))["type"] = draw(node_types)
        elif edit == "config" and nodes:
            draw(st.sampled_from(nodes))["config"][draw(config_keys)] = draw(json_values)
        elif edit == "add_edge" and nodes:
            ids = st.sampled_from([n["id"] for n in nodes])
            edges.append(
                {
                    "source": draw(ids),
                    "source_handle": draw(port_names),
                    "target": draw(ids),
                    "target_handle": draw(port_names),
                }
            )
        elif edit == "copy_node" and nodes:
            nodes.append({**draw(st.sampled_from(nodes)), "type": draw(node_types)})
        elif edit == "drop_node" and nodes:
            nodes.pop(draw(st.integers(0, len(nodes) - 1)))
    return Graph.model_validate(data)


def compile_or_problems(graph: Graph) -> Plan | list[GraphProblem]:
    """Compiles, letting only GraphInvalid through (anything else fails the test)."""
    try:
        return compile_graph(graph)
    except GraphInvalid as invalid:
        return invalid.problems


def assert_dependencies_precede(plan: Plan) -> None:
    seen: set[str] = set()
    for step in plan.steps:
        assert step.node_id not in seen
        assert set(step.depends_on) <= seen, f"{step.node_id} runs before {step.depends_on}"
        assert step.depends_on == sorted({b.source_step for b in step.inputs})
        seen.add(step.node_id)


def assert_problems_name_the_graph(graph: Graph, problems: list[GraphProblem]) -> None:
    assert problems, "GraphInvalid without a problem"
    ids = {n.id for n in graph.nodes}
    for problem in problems:
        assert isinstance(problem.code, ProblemCode)
        if not graph.nodes:
            continue
        if problem.code == ProblemCode.DANGLING_EDGE:
            # The existing end of the edge, or its source as written when neither exists.
            edge = graph.edges[int(re.findall(r"edges\[(\d+)\]", problem.field or "")[0])]
            existing = [end for end in (edge.source, edge.target) if end in ids]
            assert problem.node_id == (existing[0] if existing else edge.source), problem
        else:
            assert problem.node_id in ids, problem
        assert problem.node_id in problem.message
        assert re.fullmatch(NODE_ID_PATTERN, problem.node_id)
        for kind, index in re.findall(r"(nodes|edges)\[(\d+)\]", problem.field or ""):
            assert int(index) < len(graph.nodes if kind == "nodes" else graph.edges), problem


@FAST
@given(st.one_of(random_graphs(), broken_graphs()))
def test_any_graph_compiles_or_raises_graph_invalid_naming_its_nodes(graph: Graph) -> None:
    result = compile_or_problems(graph)

    if isinstance(result, Plan):
        assert find_graph_problems(graph) == []
        assert_dependencies_precede(result)
    else:
        assert result == find_graph_problems(graph)
        assert_problems_name_the_graph(graph, result)


@FAST
@given(valid_graphs())
def test_valid_graph_compiles_with_dependencies_before_dependents(graph: Graph) -> None:
    plan = compile_graph(graph)

    assert_dependencies_precede(plan)
    assert plan.steps[0].node_id == plan.entry_step
    graph_ids = {n.id for n in graph.nodes}
    implicit = {s.node_id for s in plan.steps if s.implicit}
    assert {s.node_id for s in plan.steps} == graph_ids | implicit
    for step_id in implicit:
        assert step_id.endswith(".web_search")
        assert step_id.removesuffix(".web_search") in graph_ids
    assert plan.output_steps == [s.node_id for s in plan.steps if s.component == "output"]


@FAST
@given(valid_graphs(), st.data())
def test_valid_graph_plan_does_not_depend_on_node_or_edge_order(
    graph: Graph, data: st.DataObject
) -> None:
    shuffled = Graph(
        nodes=data.draw(st.permutations(graph.nodes)), edges=data.draw(st.permutations(graph.edges))
    )

    assert compile_graph(shuffled) == compile_graph(graph)

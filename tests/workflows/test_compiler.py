"""The compiler on hand-written graphs: the plans it emits and the problems it reports."""

import hashlib
import pickle
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
import rfc8785

from tests.support.graph_shorthand import graph, node, rag_edges, rag_graph, rag_nodes, wire
from workflows.compiler import compile_graph, find_graph_problems, hash_plan
from workflows.components import (
    ExecutionMode,
    KnowledgeBaseConfig,
    LlmEngineConfig,
    WebSearchConfig,
)
from workflows.graph import Graph
from workflows.graph_problems import GraphInvalid, ProblemCode
from workflows.plan import Plan, StepPolicy


def bindings(plan: Plan) -> dict[str, list[str]]:
    """Each step's inputs as ``"port<-step.port"``."""
    return {
        step.node_id: [f"{b.port}<-{b.source_step}.{b.source_port}" for b in step.inputs]
        for step in plan.steps
    }


# Valid graphs


@dataclass
class ValidCase:
    name: str
    graph: Graph
    order: list[str]
    inputs: dict[str, list[str]]
    outputs: list[str]


RAG_INPUTS = {
    "q": [],
    "kb": ["query<-q.query"],
    "llm": ["query<-q.query", "context<-kb.context"],
    "out": ["answer<-llm.answer"],
}

VALID_CASES = [
    ValidCase(
        name="knowledge_base_rag",
        graph=rag_graph(),
        order=["q", "kb", "llm", "out"],
        inputs=RAG_INPUTS,
        outputs=["out"],
    ),
    ValidCase(
        name="web_search_node_feeds_llm_web_results",
        graph=graph(
            [*rag_nodes(), node("ws", "web_search", num_results=3)],
            [*rag_edges(), wire("q.query", "ws.query"), wire("ws.results", "llm.web_results")],
        ),
        order=["q", "kb", "ws", "llm", "out"],
        inputs={
            **RAG_INPUTS,
            "ws": ["query<-q.query"],
            "llm": ["query<-q.query", "context<-kb.context", "web_results<-ws.results"],
        },
        outputs=["out"],
    ),
    ValidCase(
        name="llm_with_use_web_search_gets_an_implicit_search_step_before_it",
        graph=rag_graph(use_web_search=True),
        order=["q", "kb", "llm.web_search", "llm", "out"],
        inputs={
            **RAG_INPUTS,
            "llm.web_search": ["query<-q.query"],
            "llm": [
                "query<-q.query",
                "context<-kb.context",
                "web_results<-llm.web_search.results",
            ],
        },
        outputs=["out"],
    ),
    ValidCase(
        name="use_web_search_with_a_wired_web_search_adds_no_implicit_step",
        graph=graph(
            [*rag_nodes(use_web_search=True), node("ws", "web_search")],
            [*rag_edges(), wire("q.query", "ws.query"), wire("ws.results", "llm.web_results")],
        ),
        order=["q", "kb", "ws", "llm", "out"],
        inputs={
            **RAG_INPUTS,
            "ws": ["query<-q.query"],
            "llm": ["query<-q.query", "context<-kb.context", "web_results<-ws.results"],
        },
        outputs=["out"],
    ),
    ValidCase(
        name="one_llm_two_outputs",
        graph=graph(
            [
                *rag_nodes()[:3],
                node("out_b", "output"),
                node("out_a", "output", response_format="json"),
            ],
            [
                *rag_edges()[:3],
                wire("llm.answer", "out_b.answer"),
                wire("llm.answer", "out_a.answer"),
            ],
        ),
        order=["q", "kb", "llm", "out_a", "out_b"],
        inputs={
            **{k: v for k, v in RAG_INPUTS.items() if k != "out"},
            "out_a": ["answer<-llm.answer"],
            "out_b": ["answer<-llm.answer"],
        },
        outputs=["out_a", "out_b"],
    ),
    ValidCase(
        # Kahn's algorithm breaks ties by node id: llm_a's output precedes llm_b only
        # when its id sorts first among the steps ready at that moment.
        name="two_branches_are_ordered_by_node_id_among_ready_steps",
        graph=graph(
            [
                node("z_out", "output"),
                node("llm_b", "llm_engine"),
                node("q", "user_query"),
                node("llm_a", "llm_engine", provider="gemini", model="gemini-2.0-flash"),
                node("y_out", "output"),
            ],
            [
                wire("q.query", "llm_b.query"),
                wire("q.query", "llm_a.query"),
                wire("llm_a.answer", "z_out.answer"),
                wire("llm_b.answer", "y_out.answer"),
            ],
        ),
        order=["q", "llm_a", "llm_b", "y_out", "z_out"],
        inputs={
            "q": [],
            "llm_a": ["query<-q.query"],
            "llm_b": ["query<-q.query"],
            "y_out": ["answer<-llm_b.answer"],
            "z_out": ["answer<-llm_a.answer"],
        },
        outputs=["y_out", "z_out"],
    ),
]


@pytest.mark.parametrize("case", VALID_CASES, ids=lambda case: case.name)
def test_valid_graph_compiles_to_ordered_steps_with_bindings(case: ValidCase) -> None:
    plan = compile_graph(case.graph)

    assert [step.node_id for step in plan.steps] == case.order
    assert bindings(plan) == case.inputs
    assert plan.entry_step == "q"
    assert plan.output_steps == case.outputs
    assert find_graph_problems(case.graph) == []
    for position, step in enumerate(plan.steps):
        assert step.depends_on == sorted({b.source_step for b in step.inputs})
        assert set(step.depends_on) <= {s.node_id for s in plan.steps[:position]}


@pytest.mark.parametrize("case", VALID_CASES, ids=lambda case: case.name)
def test_plan_is_identical_when_nodes_and_edges_are_reordered_and_moved(case: ValidCase) -> None:
    data = case.graph.model_dump()
    data["nodes"] = [
        {**n, "position": {"x": 100.0 * i, "y": -7.5}}
        for i, n in enumerate(reversed(data["nodes"]))
    ]
    data["edges"] = data["edges"][1::2] + data["edges"][::2]

    assert compile_graph(Graph.model_validate(data)) == compile_graph(case.graph)


def test_steps_carry_typed_configs_with_defaults_filled_in() -> None:
    plan = compile_graph(rag_graph(temperature=0.2))

    kb_config = plan.step("kb").config
    assert kb_config == KnowledgeBaseConfig(collection="docs")
    assert isinstance(kb_config, KnowledgeBaseConfig)  # narrows the union for the next line
    assert kb_config.top_k == 4
    assert plan.step("llm").config == LlmEngineConfig(temperature=0.2)


def test_steps_take_their_activity_from_the_catalogue() -> None:
    plan = compile_graph(rag_graph(use_web_search=True))

    assert {step.node_id: step.activity for step in plan.steps} == {
        "q": None,
        "kb": "search_knowledge_base",
        "llm.web_search": "search_web",
        "llm": "generate_answer",
        "out": None,
    }


def test_policy_overrides_replace_only_the_fields_they_set() -> None:
    nodes = rag_nodes()
    nodes[2]["policy"] = {"maximum_attempts": 2, "execution": "regular"}
    nodes[1]["policy"] = {"start_to_close_seconds": 5, "maximum_interval_seconds": 4}
    plan = compile_graph(graph(nodes, rag_edges()))

    assert plan.step("llm").policy == StepPolicy(
        maximum_attempts=2,
        initial_interval_seconds=0.5,
        backoff_coefficient=2.0,
        maximum_interval_seconds=10.0,
        start_to_close_seconds=120.0,  # the LLM's own default, not overridden
        execution=ExecutionMode.REGULAR,
    )
    assert plan.step("kb").policy.start_to_close_seconds == 5
    assert plan.step("kb").policy.maximum_interval_seconds == 4
    assert plan.step("kb").policy.maximum_attempts == 3
    assert plan.step("out").policy.execution == ExecutionMode.LOCAL


def test_implicit_web_search_uses_default_config_and_policy_and_is_marked_implicit() -> None:
    nodes = rag_nodes(use_web_search=True)
    nodes[2]["policy"] = {"maximum_attempts": 1}
    step = compile_graph(graph(nodes, rag_edges())).step("llm.web_search")

    assert step.implicit
    assert step.component == "web_search"
    assert step.config == WebSearchConfig()
    assert step.depends_on == ["q"]
    assert step.policy.maximum_attempts == 3  # the LLM's override is the LLM's own
    assert step.policy.start_to_close_seconds == 20.0


def test_plan_hash_is_sha256_of_the_canonical_json_of_everything_but_the_hash() -> None:
    plan = compile_graph(rag_graph())
    body = plan.model_dump(mode="json", exclude={"plan_hash"})
    canonical = rfc8785.dumps(body)  # RFC 8785 (JCS), the reference library

    assert plan.plan_hash == hashlib.sha256(canonical).hexdigest()
    assert hash_plan(plan) == plan.plan_hash


def test_plan_hash_changes_when_a_config_changes() -> None:
    cooler = compile_graph(rag_graph(temperature=0.2))
    warmer = compile_graph(rag_graph(temperature=0.3))

    assert cooler.plan_hash != warmer.plan_hash


def test_plan_hash_changes_when_a_policy_override_changes() -> None:
    nodes = rag_nodes()
    nodes[2]["policy"] = {"maximum_attempts": 5}

    overridden = compile_graph(graph(nodes, rag_edges()))

    assert overridden.plan_hash != compile_graph(rag_graph()).plan_hash


def test_plan_hash_ignores_config_spelled_differently_but_equal() -> None:
    # The plan holds the validated config, so 1 and 1.0 (or an explicit default) agree.
    implicit = compile_graph(rag_graph(temperature=1))
    explicit = compile_graph(rag_graph(temperature=1.0, max_tokens=1000))

    assert implicit.plan_hash == explicit.plan_hash


def test_plan_survives_a_json_round_trip_as_a_workflow_input() -> None:
    plan = compile_graph(
        rag_graph(
            use_web_search=True, provider="openai-compatible", base_url="http://localhost:11434/v1"
        )
    )

    assert Plan.model_validate_json(plan.model_dump_json()) == plan


# Invalid graphs


@dataclass
class InvalidCase:
    name: str
    graph: Graph
    problems: list[tuple[str, str | None, str | None]]  # (code, node_id, field)


def rag_with(
    extra_nodes: Sequence[dict] = (), extra_edges: Sequence[dict] = (), **llm_config: object
) -> Graph:
    return graph([*rag_nodes(**llm_config), *extra_nodes], [*rag_edges(), *extra_edges])


def rag_policy(node_index: int, **policy: object) -> Graph:
    nodes = rag_nodes()
    nodes[node_index]["policy"] = policy
    return graph(nodes, rag_edges())


def rag_rewired(edge_index: int, replacement: dict) -> Graph:
    edges = rag_edges()
    edges[edge_index] = replacement
    return graph(rag_nodes(), edges)


INVALID_CASES = [
    InvalidCase(
        "empty_graph",
        Graph(),
        [("missing_entry", None, None), ("no_output", None, None)],
    ),
    InvalidCase(
        "no_user_query_blames_the_first_node",
        graph(
            [node("llm", "llm_engine"), node("out", "output")],
            [wire("llm.answer", "out.answer")],
        ),
        [("missing_entry", "llm", "type"), ("missing_required_input", "llm", "inputs.query")],
    ),
    InvalidCase(
        "second_user_query_is_named",
        rag_with([node("q2", "user_query"), node("q3", "user_query")]),
        [("multiple_entries", "q2", "type"), ("multiple_entries", "q3", "type")],
    ),
    InvalidCase(
        "unknown_component",
        rag_with([node("magic", "crystal_ball")]),
        [("unknown_component", "magic", "type")],
    ),
    InvalidCase(
        "cycle_names_a_node_on_it",
        graph(
            rag_nodes(),
            [
                wire("q.query", "llm.query"),
                wire("llm.answer", "kb.query"),
                wire("kb.context", "llm.context"),
                wire("llm.answer", "out.answer"),
            ],
        ),
        [("port_type_mismatch", "kb", "edges[1].target_handle"), ("cycle", "kb", None)],
    ),
    InvalidCase(
        "self_loop",
        rag_with(extra_edges=[wire("llm.answer", "llm.query")]),
        [("self_loop", "llm", "edges[4]")],
    ),
    InvalidCase(
        "dangling_edge_to_a_missing_node_blames_its_source",
        rag_with(extra_edges=[wire("llm.answer", "ghost.answer")]),
        [("dangling_edge", "llm", "edges[4].target")],
    ),
    InvalidCase(
        "dangling_edge_from_a_missing_node_blames_its_target",
        rag_with(extra_edges=[wire("ghost.answer", "out.answer")]),
        [("dangling_edge", "out", "edges[4].source")],
    ),
    InvalidCase(
        "dangling_edge_between_missing_nodes_names_the_source_as_written",
        rag_with(extra_edges=[wire("ghost.answer", "phantom.answer")]),
        [("dangling_edge", "ghost", "edges[4]")],
    ),
    InvalidCase(
        "duplicate_edge",
        rag_with(extra_edges=[wire("kb.context", "llm.context")]),
        [("duplicate_edge", "llm", "edges[4]")],
    ),
    InvalidCase(
        "duplicate_node_id",
        rag_with([node("kb", "web_search")]),
        [("duplicate_node_id", "kb", "nodes[4].id")],
    ),
    InvalidCase(
        "unknown_source_port",
        rag_rewired(2, wire("kb.passages", "llm.context")),
        [("unknown_port", "kb", "edges[2].source_handle")],
    ),
    InvalidCase(
        "unknown_target_port",
        rag_rewired(2, wire("kb.context", "llm.documents")),
        [("unknown_port", "llm", "edges[2].target_handle")],
    ),
    InvalidCase(
        "port_type_mismatch_blames_the_target",
        rag_rewired(1, wire("kb.context", "llm.query")),
        [("port_type_mismatch", "llm", "edges[1].target_handle")],
    ),
    InvalidCase(
        "input_already_connected",
        rag_with(
            [node("kb2", "knowledge_base", collection="more-docs")],
            [wire("q.query", "kb2.query"), wire("kb2.context", "llm.context")],
        ),
        [("input_already_connected", "llm", "edges[5].target_handle")],
    ),
    InvalidCase(
        "unconnected_output_misses_its_input_and_is_unreachable",
        rag_with([node("out2", "output")]),
        [("missing_required_input", "out2", "inputs.answer"), ("unreachable_output", "out2", None)],
    ),
    InvalidCase(
        "no_output_blames_the_entry",
        graph(
            [node("q", "user_query"), node("kb", "knowledge_base", collection="docs")],
            [wire("q.query", "kb.query")],
        ),
        [("no_output", "q", None)],
    ),
    InvalidCase(
        "output_behind_an_llm_without_a_query_is_unreachable",
        rag_with(
            [node("llm2", "llm_engine"), node("out2", "output")],
            [wire("llm2.answer", "out2.answer")],
        ),
        [("missing_required_input", "llm2", "inputs.query"), ("unreachable_output", "out2", None)],
    ),
    InvalidCase(
        "node_fed_only_by_an_unknown_component_is_unreachable",
        rag_with(
            [node("magic", "crystal_ball"), node("kb2", "knowledge_base", collection="docs")],
            [wire("magic.vision", "kb2.query")],
        ),
        [("unknown_component", "magic", "type"), ("unreachable_node", "kb2", None)],
    ),
    InvalidCase(
        "invalid_config_reports_each_field",
        graph(
            [
                node("q", "user_query"),
                node("kb", "knowledge_base", top_k=0),
                node("llm", "llm_engine", temperature=3, colour="red"),
                node("out", "output"),
            ],
            rag_edges(),
        ),
        [
            ("invalid_config", "kb", "config.knowledge_base_id"),
            ("invalid_config", "kb", "config.top_k"),
            ("invalid_config", "llm", "config.temperature"),
            ("invalid_config", "llm", "config.colour"),
        ],
    ),
    InvalidCase(
        "config_naming_another_component",
        rag_with(component="output"),
        [("invalid_config", "llm", "config.component")],
    ),
    InvalidCase(
        "openai_compatible_without_a_connection_is_reported_with_other_config_errors",
        rag_with(provider="openai-compatible", max_tokens=0),
        [
            ("invalid_config", "llm", "config.max_tokens"),
            ("invalid_config", "llm", "config.connection"),
        ],
    ),
    InvalidCase(
        "execution_mode_must_be_local_or_regular",
        rag_policy(2, execution="fast"),
        [("invalid_policy", "llm", "policy.execution")],
    ),
    InvalidCase(
        "first_retry_interval_above_the_default_cap",
        rag_policy(1, initial_interval_seconds=30),
        [("invalid_policy", "kb", "policy.initial_interval_seconds")],
    ),
    InvalidCase(
        "retry_cap_below_the_default_first_interval",
        rag_policy(1, maximum_interval_seconds=0.1),
        [("invalid_policy", "kb", "policy.maximum_interval_seconds")],
    ),
    InvalidCase(
        "implicit_web_search_step_would_take_an_existing_id",
        rag_with(
            [node("llm.web_search", "web_search")],
            [wire("q.query", "llm.web_search.query")],
            use_web_search=True,
        ),
        [("implicit_step_conflict", "llm", "config.use_web_search")],
    ),
]


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda case: case.name)
def test_invalid_graph_reports_every_expected_problem(case: InvalidCase) -> None:
    with pytest.raises(GraphInvalid) as raised:
        compile_graph(case.graph)

    problems = raised.value.problems
    assert Counter((p.code, p.node_id, p.field) for p in problems) == Counter(case.problems)
    assert problems == find_graph_problems(case.graph)
    for problem in problems:
        assert problem.node_id is None or problem.node_id in problem.message


def test_all_problems_are_reported_at_once() -> None:
    broken = graph(
        [
            node("q", "user_query"),
            node("q", "user_query"),
            node("kb", "knowledge_base"),
            node("llm", "llm_engine", temperature=9, policy={"execution": "soon"}),
            node("magic", "crystal_ball"),
        ],
        [
            wire("q.query", "kb.query"),
            wire("kb.context", "llm.query"),
            wire("llm.answer", "ghost.answer"),
            wire("q.query", "kb.query"),
        ],
    )

    with pytest.raises(GraphInvalid) as raised:
        compile_graph(broken)

    assert {p.code for p in raised.value.problems} == {
        ProblemCode.DUPLICATE_NODE_ID,
        ProblemCode.INVALID_CONFIG,  # kb's collection, llm's temperature
        ProblemCode.INVALID_POLICY,
        ProblemCode.UNKNOWN_COMPONENT,
        ProblemCode.PORT_TYPE_MISMATCH,
        ProblemCode.DANGLING_EDGE,
        ProblemCode.DUPLICATE_EDGE,
        ProblemCode.NO_OUTPUT,
    }
    assert len(raised.value.problems) == 9


def test_graph_invalid_lists_every_problem_and_survives_pickling() -> None:
    error = GraphInvalid(find_graph_problems(Graph()))

    assert "2 problems" in str(error)
    assert "[missing_entry]" in str(error) and "[no_output]" in str(error)
    assert pickle.loads(pickle.dumps(error)).problems == error.problems

"""Compile the user's graph into a Plan, or report everything that is wrong with it.

Checking and compiling share one pass (``GraphCheck``): it validates nodes, edges and the
graph's shape against the component catalogue and keeps what it resolved on the way (typed
configs, input bindings, retry policies), so the plan is emitted from exactly what was
checked. Pure and deterministic: this module also runs inside the Temporal workflow sandbox.
"""

import heapq
from typing import cast

from pydantic import BaseModel

from workflows.canonical_json import canonical_sha256
from workflows.components import (
    CATALOGUE,
    ComponentConfig,
    ComponentSpec,
    WebSearchConfig,
)
from workflows.graph import Graph
from workflows.graph_checks import (
    IMPLICIT_WEB_SEARCH_SUFFIX,
    OUTPUT_TYPE,
    GraphCheck,
)
from workflows.graph_problems import GraphInvalid, GraphProblem
from workflows.plan import InputBinding, Plan, PlanStep, StepPolicy


def compile_graph(graph: Graph) -> Plan:
    """Checks a graph and compiles it into a deterministic, hashed plan.

    Args:
        graph: The graph as the builder saved it.

    Returns:
        The steps in topological order (ties broken by node id), with typed configs,
        input bindings and retry policies. The same graph, whatever the order of its
        nodes and edges or their canvas positions, gives the identical plan and hash.

    Raises:
        GraphInvalid: With every problem found, when the graph cannot run.
    """
    check = GraphCheck(graph)
    if check.problems:
        raise GraphInvalid(check.problems)
    return _emit_plan(check)


def find_graph_problems(graph: Graph) -> list[GraphProblem]:
    """Returns every problem that stops a graph from compiling; empty when it compiles."""
    return list(GraphCheck(graph).problems)


def hash_plan(plan: Plan) -> str:
    """Returns the SHA-256 hex of the plan's canonical JSON (RFC 8785), leaving out the hash."""
    return canonical_sha256(plan.model_dump(mode="json", exclude={"plan_hash"}))


# Plan emission (only for a graph without problems)


def _emit_plan(check: GraphCheck) -> Plan:
    steps: list[PlanStep] = []
    for node_id, spec in check.specs.items():
        inputs = check.bindings.get(node_id, [])
        if check.wants_own_web_search(node_id):
            search = _implicit_web_search(node_id, inputs)
            steps.append(search)
            inputs = [
                *inputs,
                InputBinding(port="web_results", source_step=search.node_id, source_port="results"),
            ]
        config = check.configs[node_id]
        steps.append(_plan_step(node_id, spec, config, inputs, check.policies[node_id]))
    ordered = _topological_order(steps)
    plan = Plan(
        plan_hash="",
        entry_step=check.entries[0],
        output_steps=[step.node_id for step in ordered if step.component == OUTPUT_TYPE],
        steps=ordered,
    )
    return plan.model_copy(update={"plan_hash": hash_plan(plan)})


def _plan_step(
    node_id: str,
    spec: ComponentSpec,
    config: BaseModel,
    inputs: list[InputBinding],
    policy: StepPolicy,
    implicit: bool = False,
) -> PlanStep:
    port_order = [port.name for port in spec.inputs]
    return PlanStep(
        node_id=node_id,
        component=spec.type,
        config=cast(ComponentConfig, config),
        inputs=sorted(inputs, key=lambda binding: port_order.index(binding.port)),
        depends_on=sorted({binding.source_step for binding in inputs}),
        activity=spec.activity,
        policy=policy,
        implicit=implicit,
    )


def _implicit_web_search(llm_id: str, llm_inputs: list[InputBinding]) -> PlanStep:
    """The LLM's own web search, asked the same query the LLM is."""
    spec = CATALOGUE["web_search"]
    query = next(binding for binding in llm_inputs if binding.port == "query")
    return _plan_step(
        llm_id + IMPLICIT_WEB_SEARCH_SUFFIX,
        spec,
        WebSearchConfig(),
        [InputBinding(port="query", source_step=query.source_step, source_port=query.source_port)],
        StepPolicy.model_validate(spec.defaults.model_dump()),
        implicit=True,
    )


def _topological_order(steps: list[PlanStep]) -> list[PlanStep]:
    """Kahn's algorithm; among the steps ready at once, the smallest node id goes first."""
    by_id = {step.node_id: step for step in steps}
    waiting = {step.node_id: len(step.depends_on) for step in steps}
    dependents: dict[str, list[str]] = {step.node_id: [] for step in steps}
    for step in steps:
        for dependency in step.depends_on:
            dependents[dependency].append(step.node_id)
    ready = [node_id for node_id, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered: list[PlanStep] = []
    while ready:
        node_id = heapq.heappop(ready)
        ordered.append(by_id[node_id])
        for dependent in dependents[node_id]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, dependent)
    return ordered

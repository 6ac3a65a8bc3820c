"""Checks a graph against the component catalogue in one pass (``GraphCheck``).

It validates nodes, edges and the graph's shape and keeps what it resolved on the way
(typed configs, input bindings, retry policies), so that ``workflows.compiler`` emits
the plan from exactly what was checked. Pure and deterministic: it also runs inside
the Temporal workflow sandbox.
"""

from collections import deque

from pydantic import BaseModel, ValidationError

from workflows.components import (
    CATALOGUE,
    ComponentSpec,
    ExecutionMode,
    KnowledgeBaseConfig,
    LlmEngineConfig,
    LlmProvider,
    Port,
)
from workflows.graph import Edge, Graph, Node
from workflows.graph_problems import GraphProblem, ProblemCode
from workflows.plan import InputBinding, StepPolicy

ENTRY_TYPE = "user_query"
OUTPUT_TYPE = "output"
# An LLM with ``use_web_search`` and nothing wired into ``web_results`` gets its own search.
IMPLICIT_WEB_SEARCH_SUFFIX = ".web_search"


class GraphCheck:
    """One pass over a graph: its problems, and what it resolved for the plan."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.problems: list[GraphProblem] = []
        self.nodes: dict[str, Node] = {}  # the first node with each id, in graph order
        self.specs: dict[str, ComponentSpec] = {}  # nodes whose type is in the catalogue
        self.configs: dict[str, BaseModel] = {}  # nodes whose config is valid
        self.policies: dict[str, StepPolicy] = {}  # nodes whose policy override is valid
        self.entries: list[str] = []  # user_query nodes; the first is the entry
        self.bindings: dict[str, list[InputBinding]] = {}  # edges that passed every check
        self.fed_by: dict[tuple[str, str], int] = {}  # (node, input port) -> first edge into it
        self.successors: dict[str, set[str]] = {}  # along every edge between existing nodes

        self._check_nodes()
        self._check_entry()
        self._check_edges()
        self._check_required_inputs()
        self._check_implicit_steps()
        self._check_cycles()
        self._check_reachability()

    def wants_own_web_search(self, node_id: str) -> bool:
        config = self.configs.get(node_id)
        return (
            isinstance(config, LlmEngineConfig)
            and config.use_web_search
            and (node_id, "web_results") not in self.fed_by
        )

    def _report(
        self, code: ProblemCode, message: str, node_id: str | None, field: str | None = None
    ) -> None:
        self.problems.append(GraphProblem(code=code, message=message, node_id=node_id, field=field))

    # Nodes

    def _check_nodes(self) -> None:
        first_index: dict[str, int] = {}
        for index, node in enumerate(self.graph.nodes):
            if node.id in first_index:
                self._report(
                    ProblemCode.DUPLICATE_NODE_ID,
                    f"nodes[{index}] reuses the id '{node.id}' of nodes[{first_index[node.id]}];"
                    " node ids must be unique.",
                    node.id,
                    f"nodes[{index}].id",
                )
                continue
            first_index[node.id] = index
            self.nodes[node.id] = node
            self.successors[node.id] = set()
            spec = CATALOGUE.get(node.type)
            if spec is None:
                self._report(
                    ProblemCode.UNKNOWN_COMPONENT,
                    f"Node '{node.id}' has unknown type '{node.type}';"
                    f" known types: {', '.join(sorted(CATALOGUE))}.",
                    node.id,
                    "type",
                )
                continue
            self.specs[node.id] = spec
            if spec.type == ENTRY_TYPE:
                self.entries.append(node.id)
            self._check_config(node, spec)
            self._check_policy(node, spec)

    def _check_config(self, node: Node, spec: ComponentSpec) -> None:
        # The builder saves a config without its discriminator: the node's type says which.
        data = {"component": node.type, **node.config}
        config: BaseModel | None
        try:
            config = spec.config_model.model_validate(data)
        except ValidationError as error:
            config = None
            for detail in error.errors(include_url=False):
                field = ".".join(["config", *(str(part) for part in detail["loc"])])
                message = f"Node '{node.id}' {field}: {detail['msg']}."
                self._report(ProblemCode.INVALID_CONFIG, message, node.id, field)
        # Checked on the raw values, so they are reported alongside any other config error.
        if (
            spec.config_model is LlmEngineConfig
            and data.get("provider") == LlmProvider.OPENAI_COMPATIBLE
            and data.get("base_url") is None
            and data.get("connection") is None
        ):
            config = None
            self._report(
                ProblemCode.INVALID_CONFIG,
                f"Node '{node.id}' config.connection: choose the provider connection of the"
                " OpenAI-compatible server (an administrator defines its URL and key).",
                node.id,
                "config.connection",
            )
        if (
            spec.config_model is KnowledgeBaseConfig
            and data.get("collection") is None
            and data.get("knowledge_base_id") is None
        ):
            config = None
            self._report(
                ProblemCode.INVALID_CONFIG,
                f"Node '{node.id}' config.knowledge_base_id: choose a knowledge base.",
                node.id,
                "config.knowledge_base_id",
            )
        if config is not None:
            self.configs[node.id] = config

    def _check_policy(self, node: Node, spec: ComponentSpec) -> None:
        override = node.policy.model_dump(exclude_none=True) if node.policy else {}
        policy = {**spec.defaults.model_dump(), **override}
        reported = len(self.problems)
        modes = [mode.value for mode in ExecutionMode]
        if policy["execution"] not in modes:
            self._report(
                ProblemCode.INVALID_POLICY,
                f"Node '{node.id}' policy.execution: must be one of"
                f" {', '.join(map(repr, modes))}, got {policy['execution']!r}.",
                node.id,
                "policy.execution",
            )
        # Temporal rejects a retry policy whose backoff cap is below its first interval.
        initial, cap = policy["initial_interval_seconds"], policy["maximum_interval_seconds"]
        if initial > cap:
            overridden = "initial" if "initial_interval_seconds" in override else "maximum"
            field = f"policy.{overridden}_interval_seconds"
            self._report(
                ProblemCode.INVALID_POLICY,
                f"Node '{node.id}' {field}: retries would start {initial} s apart but the"
                f" interval is capped at {cap} s; the first interval must not exceed the cap.",
                node.id,
                field,
            )
        if len(self.problems) > reported:
            return
        try:
            self.policies[node.id] = StepPolicy.model_validate(policy)
        except ValidationError as error:  # only reachable with an unvalidated Graph
            for detail in error.errors(include_url=False):
                field = ".".join(["policy", *(str(part) for part in detail["loc"])])
                message = f"Node '{node.id}' {field}: {detail['msg']}."
                self._report(ProblemCode.INVALID_POLICY, message, node.id, field)

    def _check_entry(self) -> None:
        if not self.entries:
            first = self.graph.nodes[0].id if self.graph.nodes else None
            shown_on = f" (shown on '{first}', the first node)" if first else ""
            self._report(
                ProblemCode.MISSING_ENTRY,
                f"The graph has no User Query node{shown_on}; add exactly one as its entry point.",
                first,
                "type" if first else None,
            )
        for extra in self.entries[1:]:
            self._report(
                ProblemCode.MULTIPLE_ENTRIES,
                f"Node '{extra}' is a second User Query node; the graph's entry is"
                f" '{self.entries[0]}' and a graph has exactly one.",
                extra,
                "type",
            )

    # Edges

    def _check_edges(self) -> None:
        first_index: dict[tuple[str, str, str, str], int] = {}
        for index, edge in enumerate(self.graph.edges):
            label = (
                f"Edge {index} ({edge.source}.{edge.source_handle}"
                f" → {edge.target}.{edge.target_handle})"
            )
            if edge.source not in self.nodes or edge.target not in self.nodes:
                self._report_dangling(index, edge, label)
                continue
            if edge.source == edge.target:
                message = f"{label} connects node '{edge.source}' to itself."
                self._report(ProblemCode.SELF_LOOP, message, edge.source, f"edges[{index}]")
                continue
            key = (edge.source, edge.source_handle, edge.target, edge.target_handle)
            if key in first_index:
                message = f"{label} repeats edges[{first_index[key]}]."
                self._report(ProblemCode.DUPLICATE_EDGE, message, edge.target, f"edges[{index}]")
                continue
            first_index[key] = index
            self.successors[edge.source].add(edge.target)
            self._check_ports(index, edge, label)

    def _report_dangling(self, index: int, edge: Edge, label: str) -> None:
        if edge.source in self.nodes:
            blamed, field = edge.source, f"edges[{index}].target"
            message = f"{label} points to node '{edge.target}', which does not exist."
        elif edge.target in self.nodes:
            blamed, field = edge.target, f"edges[{index}].source"
            message = f"{label} comes from node '{edge.source}', which does not exist."
        else:
            blamed, field = edge.source, f"edges[{index}]"
            message = f"{label} joins nodes that do not exist."
        self._report(ProblemCode.DANGLING_EDGE, message, blamed, field)

    def _check_ports(self, index: int, edge: Edge, label: str) -> None:
        handle_field = f"edges[{index}].target_handle"
        source_port = self._port(edge.source, edge.source_handle, "output", index, label)
        target_port = self._port(edge.target, edge.target_handle, "input", index, label)
        if target_port is not None:
            slot = (edge.target, edge.target_handle)
            if slot in self.fed_by:
                self._report(
                    ProblemCode.INPUT_ALREADY_CONNECTED,
                    f"{label}: input '{edge.target_handle}' of node '{edge.target}' is already"
                    f" fed by edges[{self.fed_by[slot]}]; an input takes one edge.",
                    edge.target,
                    handle_field,
                )
                return
            self.fed_by[slot] = index
        if source_port is None or target_port is None:
            return
        if source_port.type != target_port.type:
            self._report(
                ProblemCode.PORT_TYPE_MISMATCH,
                f"{label}: the output carries {source_port.type} but the input takes"
                f" {target_port.type}; joined ports must have the same type.",
                edge.target,
                handle_field,
            )
            return
        binding = InputBinding(
            port=edge.target_handle, source_step=edge.source, source_port=edge.source_handle
        )
        self.bindings.setdefault(edge.target, []).append(binding)

    def _port(self, node_id: str, name: str, direction: str, index: int, label: str) -> Port | None:
        """The named port, or None (reported, unless the node's type is already unknown)."""
        spec = self.specs.get(node_id)
        if spec is None:
            return None
        is_output = direction == "output"
        port = spec.output_port(name) if is_output else spec.input_port(name)
        if port is None:
            known = ", ".join(p.name for p in (spec.outputs if is_output else spec.inputs))
            self._report(
                ProblemCode.UNKNOWN_PORT,
                f"{label}: node '{node_id}' ({spec.type}) has no {direction} port '{name}';"
                f" its {direction}s: {known or 'none'}.",
                node_id,
                f"edges[{index}].{'source' if is_output else 'target'}_handle",
            )
        return port

    def _check_required_inputs(self) -> None:
        for node_id, spec in self.specs.items():
            for port in spec.inputs:
                if port.required and (node_id, port.name) not in self.fed_by:
                    self._report(
                        ProblemCode.MISSING_REQUIRED_INPUT,
                        f"Node '{node_id}' ({spec.type}) needs its '{port.name}' input"
                        f" ({port.type}) connected.",
                        node_id,
                        f"inputs.{port.name}",
                    )

    def _check_implicit_steps(self) -> None:
        for node_id in self.configs:
            step_id = node_id + IMPLICIT_WEB_SEARCH_SUFFIX
            if self.wants_own_web_search(node_id) and step_id in self.nodes:
                self._report(
                    ProblemCode.IMPLICIT_STEP_CONFLICT,
                    f"Node '{node_id}' config.use_web_search: its own web search step would be"
                    f" named '{step_id}', which is already a node's id; rename that node or"
                    " connect a Web Search node to its web_results input.",
                    node_id,
                    "config.use_web_search",
                )

    # Shape

    def _check_cycles(self) -> None:
        components = _strongly_connected_components(self.successors)
        for members in sorted(sorted(c) for c in components if len(c) > 1):
            cycle = _cycle_through(members[0], set(members), self.successors)
            self._report(
                ProblemCode.CYCLE,
                f"Nodes form a cycle: {' → '.join(cycle)}; a graph flows one way, from the"
                " User Query to its outputs.",
                members[0],
            )

    def _check_reachability(self) -> None:
        outputs = [node_id for node_id, spec in self.specs.items() if spec.type == OUTPUT_TYPE]
        if not outputs:
            candidates: list[str | None] = [*self.entries, *(n.id for n in self.graph.nodes)]
            blamed = (candidates or [None])[0]
            shown_on = f" (shown on '{blamed}')" if blamed else ""
            self._report(
                ProblemCode.NO_OUTPUT,
                f"The graph has no Output node{shown_on}; connect one after the LLM Engine"
                " to return its answer.",
                blamed,
            )
        if not self.entries:
            return  # every node would be unreachable; missing_entry says why
        reached = _reachable(self.entries, self.successors)
        entry = self.entries[0]
        for node_id in outputs:
            if node_id not in reached:
                self._report(
                    ProblemCode.UNREACHABLE_OUTPUT,
                    f"Output node '{node_id}' is not reachable from the User Query node"
                    f" '{entry}', so it would never answer.",
                    node_id,
                )
        already_blamed = {problem.node_id for problem in self.problems}
        for node_id in self.nodes:
            if node_id not in reached and node_id not in already_blamed:
                self._report(
                    ProblemCode.UNREACHABLE_NODE,
                    f"Node '{node_id}' is not reachable from the User Query node '{entry}',"
                    " so it would never run.",
                    node_id,
                )


def _reachable(starts: list[str], successors: dict[str, set[str]]) -> set[str]:
    reached = set(starts)
    queue = deque(starts)
    while queue:
        for successor in successors[queue.popleft()]:
            if successor not in reached:
                reached.add(successor)
                queue.append(successor)
    return reached


def _strongly_connected_components(successors: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so graph size cannot exhaust the call stack."""
    order: dict[str, int] = {}  # when each node was first visited
    low: dict[str, int] = {}  # earliest visit reachable from it within its component
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)

    for root in sorted(successors):
        if root in order:
            continue
        visit(root)
        work = [(root, iter(sorted(successors[root])))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in order:
                    visit(child)
                    work.append((child, iter(sorted(successors[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], order[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                component: list[str] = []
                while not component or component[-1] != node:
                    component.append(stack.pop())
                    on_stack.discard(component[-1])
                components.append(component)
    return components


def _cycle_through(start: str, members: set[str], successors: dict[str, set[str]]) -> list[str]:
    """A shortest cycle from ``start`` back to itself within its strongly connected component."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(successors[node]):
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if successor in members and successor not in parent:
                parent[successor] = node
                queue.append(successor)
    raise AssertionError(f"'{start}' is not on a cycle")

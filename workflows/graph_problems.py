"""What can be wrong with a graph, as values the builder can show next to the node at fault."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ProblemCode(StrEnum):
    """Stable machine codes of graph problems (the front end keys messages and UI on them)."""

    # Nodes
    DUPLICATE_NODE_ID = "duplicate_node_id"
    UNKNOWN_COMPONENT = "unknown_component"
    INVALID_CONFIG = "invalid_config"
    INVALID_POLICY = "invalid_policy"
    UNKNOWN_KNOWLEDGE_BASE = "unknown_knowledge_base"
    UNKNOWN_CONNECTION = "unknown_connection"
    MODEL_NOT_ALLOWED = "model_not_allowed"
    # Entry and outputs
    MISSING_ENTRY = "missing_entry"
    MULTIPLE_ENTRIES = "multiple_entries"
    NO_OUTPUT = "no_output"
    UNREACHABLE_OUTPUT = "unreachable_output"
    UNREACHABLE_NODE = "unreachable_node"
    # Edges and ports
    DANGLING_EDGE = "dangling_edge"
    SELF_LOOP = "self_loop"
    DUPLICATE_EDGE = "duplicate_edge"
    UNKNOWN_PORT = "unknown_port"
    PORT_TYPE_MISMATCH = "port_type_mismatch"
    INPUT_ALREADY_CONNECTED = "input_already_connected"
    MISSING_REQUIRED_INPUT = "missing_required_input"
    CYCLE = "cycle"
    # A compiler-added step would take the id of a node the user placed.
    IMPLICIT_STEP_CONFLICT = "implicit_step_conflict"


class GraphProblem(BaseModel):
    """One reason a graph cannot run.

    ``node_id`` is the node at fault; it is None only when the graph has no node to blame
    (an empty graph). ``field`` says where on that node: ``"type"``, ``"config.temperature"``,
    ``"policy.execution"``, ``"inputs.query"`` (an input port). Edges have no ids, so problems
    with an edge name it from the graph root: ``"edges[3].target_handle"``; so do problems
    with a repeated node id, whose id alone cannot say which node is meant: ``"nodes[2].id"``.
    """

    model_config = ConfigDict(frozen=True)

    code: ProblemCode
    message: str
    node_id: str | None = None
    field: str | None = None


class GraphInvalid(Exception):
    """Raised by ``compile_graph`` with every problem found in the graph, not just the first."""

    def __init__(self, problems: list[GraphProblem]) -> None:
        # Passing ``problems`` as the only argument keeps the exception picklable.
        super().__init__(problems)
        self.problems = list(problems)

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"The graph has {count} problem{'s' if count != 1 else ''}:"]
        lines += [f"- [{p.code}] {p.message}" for p in self.problems]
        return "\n".join(lines)

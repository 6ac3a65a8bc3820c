"""A field-by-field diff of two workflow graphs: nodes by id, edges by their four ends."""

from typing import Any

from pydantic import BaseModel, Field, JsonValue

from workflows.canonical_json import canonical_json
from workflows.graph import Edge, Graph, Node, StepPolicyOverride

_MISSING: Any = object()


class NodeRef(BaseModel):
    """A node added or removed: its id and component type."""

    id: str
    type: str


class FieldChange(BaseModel):
    """One field of a node that differs: a dotted path (``config.temperature``) and values.

    A config key or policy field absent on one side shows ``null`` on that side.
    """

    path: str
    before: JsonValue
    after: JsonValue


class NodeChange(BaseModel):
    """A node present in both graphs whose fields differ."""

    id: str
    type: str = Field(description="The node's type in the target graph.")
    changes: list[FieldChange]
    moved_only: bool = Field(description="True when only the canvas position changed.")


class GraphDiff(BaseModel):
    """What turns ``base`` into ``target``: nodes by id, edges by their four ends."""

    nodes_added: list[NodeRef] = Field(default_factory=list)
    nodes_removed: list[NodeRef] = Field(default_factory=list)
    nodes_changed: list[NodeChange] = Field(default_factory=list)
    edges_added: list[Edge] = Field(default_factory=list)
    edges_removed: list[Edge] = Field(default_factory=list)
    unchanged: bool = True


def _value(value: Any) -> JsonValue:
    return None if value is _MISSING else value


def _policy_fields(policy: StepPolicyOverride | None) -> dict[str, Any]:
    return policy.model_dump(mode="json") if policy is not None else {}


def _node_changes(before: Node, after: Node) -> list[FieldChange]:
    """Field changes of one node: type, config key by key, policy field by field, position."""
    changes: list[FieldChange] = []
    if before.type != after.type:
        changes.append(FieldChange(path="type", before=before.type, after=after.type))
    for key in [*before.config, *(k for k in after.config if k not in before.config)]:
        old, new = before.config.get(key, _MISSING), after.config.get(key, _MISSING)
        # Compared as the content hash sees them: True and 1 differ, 1 and 1.0 do not.
        if old is _MISSING or new is _MISSING or canonical_json(old) != canonical_json(new):
            changes.append(FieldChange(path=f"config.{key}", before=_value(old), after=_value(new)))
    old_policy, new_policy = _policy_fields(before.policy), _policy_fields(after.policy)
    for key in StepPolicyOverride.model_fields:
        old, new = old_policy.get(key), new_policy.get(key)
        if old != new:
            changes.append(FieldChange(path=f"policy.{key}", before=old, after=new))
    if before.position != after.position:
        changes.append(
            FieldChange(
                path="position",
                before=before.position.model_dump(mode="json"),
                after=after.position.model_dump(mode="json"),
            )
        )
    return changes


def _edge_key(edge: Edge) -> tuple[str, str, str, str]:
    return (edge.source, edge.source_handle, edge.target, edge.target_handle)


def diff_graphs(base: Graph, target: Graph) -> GraphDiff:
    """The differences from ``base`` to ``target``, in the order each graph lists things.

    Nodes are matched by id. Node order and edge order are not differences.
    """
    base_nodes = {n.id: n for n in base.nodes}
    target_nodes = {n.id: n for n in target.nodes}
    diff = GraphDiff(
        nodes_added=[NodeRef(id=n.id, type=n.type) for n in target.nodes if n.id not in base_nodes],
        nodes_removed=[
            NodeRef(id=n.id, type=n.type) for n in base.nodes if n.id not in target_nodes
        ],
    )
    for node in target.nodes:
        old = base_nodes.get(node.id)
        if old is None:
            continue
        changes = _node_changes(old, node)
        if changes:
            moved_only = [c.path for c in changes] == ["position"]
            diff.nodes_changed.append(
                NodeChange(id=node.id, type=node.type, changes=changes, moved_only=moved_only)
            )
    base_edges = {_edge_key(e) for e in base.edges}
    target_edges = {_edge_key(e) for e in target.edges}
    diff.edges_added = [e for e in target.edges if _edge_key(e) not in base_edges]
    diff.edges_removed = [e for e in base.edges if _edge_key(e) not in target_edges]
    diff.unchanged = not (
        diff.nodes_added
        or diff.nodes_removed
        or diff.nodes_changed
        or diff.edges_added
        or diff.edges_removed
    )
    return diff

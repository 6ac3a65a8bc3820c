"""Published workflow versions: content hashing, lookups and graph diffs.

A version is an immutable snapshot of a workflow's graph (``WorkflowVersion`` rows). This
module holds what both the version routes and the execution code need: the canonical
content hash of a graph, finding a workflow's versions, and a field-by-field diff of two
graphs. It does no HTTP of its own beyond raising ``not_found``.
"""

from typing import Any

from pydantic import BaseModel, Field, JsonValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.errors import not_found
from api.db.models import WorkflowVersion
from workflows.canonical_json import canonical_json, canonical_sha256
from workflows.graph import Edge, Graph, Node, StepPolicyOverride

_MISSING: Any = object()


def graph_content_hash(graph: Graph) -> str:
    """SHA-256 hex of the graph's canonical JSON (RFC 8785).

    Nodes are taken in id order and edges in (source, handle, target, handle) order:
    the order rows come back from the database in says nothing about the content.
    """
    content = graph.model_dump(mode="json")
    content["nodes"].sort(key=lambda n: n["id"])
    content["edges"].sort(
        key=lambda e: (e["source"], e["source_handle"], e["target"], e["target_handle"])
    )
    return canonical_sha256(content)


# --- lookups ---------------------------------------------------------------------------------


def latest_version(session: Session, workflow_id: str) -> WorkflowVersion | None:
    """The workflow's highest-numbered version, or None if it was never published."""
    return session.scalar(
        select(WorkflowVersion)
        .where(WorkflowVersion.workflow_id == workflow_id)
        .order_by(WorkflowVersion.number.desc())
        .limit(1)
    )


def latest_version_numbers(session: Session, workflow_ids: list[str]) -> dict[str, int]:
    """Each workflow's highest version number; workflows never published are absent."""
    if not workflow_ids:
        return {}
    rows = session.execute(
        select(WorkflowVersion.workflow_id, func.max(WorkflowVersion.number))
        .where(WorkflowVersion.workflow_id.in_(workflow_ids))
        .group_by(WorkflowVersion.workflow_id)
    )
    return {workflow_id: number for workflow_id, number in rows}


def version_by_number(session: Session, workflow_id: str, number: int) -> WorkflowVersion:
    """The workflow's version ``number``, or 404 ``not_found``."""
    version = session.scalar(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.number == number
        )
    )
    if version is None:
        raise not_found("version", str(number))
    return version


def version_graph(version: WorkflowVersion) -> Graph:
    """The graph a version holds, as it was when published."""
    return Graph.model_validate(version.graph)


# --- diff ------------------------------------------------------------------------------------


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


def _canonical(value: Any) -> bytes:
    """The JSON the content hash sees: ``True`` and ``1`` differ, ``1`` and ``1.0`` do not."""
    return canonical_json(value)


def _policy_fields(policy: StepPolicyOverride | None) -> dict[str, Any]:
    return policy.model_dump(mode="json") if policy is not None else {}


def _node_changes(before: Node, after: Node) -> list[FieldChange]:
    """Field changes of one node: type, config key by key, policy field by field, position."""
    changes: list[FieldChange] = []
    if before.type != after.type:
        changes.append(FieldChange(path="type", before=before.type, after=after.type))
    for key in [*before.config, *(k for k in after.config if k not in before.config)]:
        old, new = before.config.get(key, _MISSING), after.config.get(key, _MISSING)
        if old is _MISSING or new is _MISSING or _canonical(old) != _canonical(new):
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

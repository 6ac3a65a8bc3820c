"""Published workflow versions: content hashing, lookups, and reading and diffing versions.

A version is an immutable snapshot of a workflow's graph (``WorkflowVersion`` rows). The
hash and the lookups are what the workflow, version and run code all read versions with.
Publishing and restoring, which need the compiler and the workflow service (both of which
read versions through this module), are in ``api.versions.publishing``.
"""

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.errors import ApiError, not_found
from api.db.models import User, Workflow, WorkflowVersion
from api.versions.diff import diff_graphs
from api.versions.schemas import VersionDetail, VersionDiff, VersionOut, VersionRef
from api.workflows.graph_store import load_graph, readable_workflow
from workflows.canonical_json import canonical_sha256
from workflows.graph import MAX_VERSION_NUMBER, Graph

_VERSION_REF = re.compile(r"^[1-9][0-9]{0,9}$")


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


def version_out(version: WorkflowVersion, author_email: str | None) -> VersionOut:
    """A version without its graph, with its author's email."""
    return VersionOut(
        workflow_id=version.workflow_id,
        number=version.number,
        content_hash=version.content_hash,
        note=version.note,
        author_id=version.author_id,
        author_email=author_email,
        created_at=version.created_at,
    )


# --- reading and diffing ---------------------------------------------------------------------


def list_versions(session: Session, *, user: User, workflow_id: str) -> list[VersionOut]:
    """The user's workflow's versions, newest first, without their graphs."""
    workflow = readable_workflow(session, user, workflow_id)
    rows = session.execute(
        select(WorkflowVersion, User.email)
        .outerjoin(User, User.id == WorkflowVersion.author_id)
        .where(WorkflowVersion.workflow_id == workflow.id)
        .order_by(WorkflowVersion.number.desc())
    )
    return [version_out(version, email) for version, email in rows]


def get_version(session: Session, *, user: User, workflow_id: str, number: int) -> VersionDetail:
    """One version of the user's workflow, with the graph it holds."""
    workflow = readable_workflow(session, user, workflow_id)
    version = version_by_number(session, workflow.id, number)
    author_email = (
        session.scalar(select(User.email).where(User.id == version.author_id))
        if version.author_id is not None
        else None
    )
    return VersionDetail(
        **version_out(version, author_email).model_dump(), graph=version_graph(version)
    )


def _parse_ref(name: str, value: str) -> VersionRef:
    """``draft`` or a positive version number; anything else is 422 ``invalid_request``."""
    if value == "draft":
        return "draft"
    if _VERSION_REF.match(value) and int(value) <= MAX_VERSION_NUMBER:
        return int(value)
    message = f"{name}: must be a version number (1, 2, …) or 'draft', not {value!r}"
    problem = {"field": name, "message": message, "type": "version_ref"}
    raise ApiError(422, "invalid_request", message, {"problems": [problem]})


def _graph_of(session: Session, workflow: Workflow, ref: VersionRef) -> Graph:
    """The draft's graph, or the graph of version ``ref``."""
    if ref == "draft":
        return load_graph(workflow)
    return version_graph(version_by_number(session, workflow.id, ref))


def diff_versions(
    session: Session, *, user: User, workflow_id: str, base: str, target: str
) -> VersionDiff:
    """What changed from ``base`` to ``target``, each a version number or ``draft`` (else 422)."""
    workflow = readable_workflow(session, user, workflow_id)
    base_ref, target_ref = _parse_ref("base", base), _parse_ref("target", target)
    diff = diff_graphs(
        _graph_of(session, workflow, base_ref), _graph_of(session, workflow, target_ref)
    )
    return VersionDiff(**diff.model_dump(), base=base_ref, target=target_ref)

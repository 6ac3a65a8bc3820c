"""Workflow versions: publish the draft, list, read, diff and restore immutable snapshots.

Versions are only ever inserted; restoring one copies its graph into the draft and leaves
every version as it was.
"""

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.core.deps import CurrentUser, SessionDep
from api.core.errors import ApiError
from api.db.models import User, Workflow, WorkflowVersion, utcnow
from api.runs.execution import compile_or_raise
from api.versions.schemas import VersionCreate, VersionDetail, VersionDiff, VersionOut, VersionRef
from api.versions.service import (
    diff_graphs,
    graph_content_hash,
    latest_version,
    version_by_number,
    version_graph,
)
from api.workflows.graph_store import load_graph, owned_workflow, replace_graph
from api.workflows.router import workflow_detail
from api.workflows.schemas import WorkflowDetail
from workflows.graph import MAX_VERSION_NUMBER, Graph

router = APIRouter(prefix="/workflows/{workflow_id}/versions", tags=["versions"])

VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION_NUMBER)]
_VERSION_REF = re.compile(r"^[1-9][0-9]{0,9}$")


def _out(version: WorkflowVersion, author_email: str | None) -> VersionOut:
    return VersionOut(
        workflow_id=version.workflow_id,
        number=version.number,
        content_hash=version.content_hash,
        note=version.note,
        author_id=version.author_id,
        author_email=author_email,
        created_at=version.created_at,
    )


def _author_email(session: Session, version: WorkflowVersion) -> str | None:
    if version.author_id is None:
        return None
    return session.scalar(select(User.email).where(User.id == version.author_id))


def _detail(session: Session, version: WorkflowVersion) -> VersionDetail:
    return VersionDetail(
        **_out(version, _author_email(session, version)).model_dump(),
        graph=version_graph(version),
    )


@router.post("", status_code=201)
def publish_version(
    workflow_id: str,
    session: SessionDep,
    user: CurrentUser,
    body: VersionCreate | None = None,
) -> VersionOut:
    """Publishes the draft as the next version; it must compile and differ from the latest."""
    workflow = owned_workflow(session, user, workflow_id)
    draft = load_graph(workflow)
    compile_or_raise(session, user, draft)
    content_hash = graph_content_hash(draft)
    latest = latest_version(session, workflow.id)
    if latest is not None and latest.content_hash == content_hash:
        raise ApiError(
            409,
            "version_unchanged",
            f"The draft is the same as version {latest.number}; change it before publishing",
            {"number": latest.number},
        )
    number = latest.number + 1 if latest is not None else 1
    version = WorkflowVersion(
        workflow_id=workflow.id,
        number=number,
        content_hash=content_hash,
        graph=draft.model_dump(mode="json"),
        note=body.note if body is not None else "",
        author_id=user.id,
    )
    session.add(version)
    try:
        session.commit()
    except IntegrityError as err:
        session.rollback()
        raise ApiError(
            409,
            "conflict",
            f"Version {number} was published at the same time by another request; try again",
            {"number": number},
        ) from err
    return _out(version, user.email)


@router.get("")
def list_versions(workflow_id: str, session: SessionDep, user: CurrentUser) -> list[VersionOut]:
    """Lists the workflow's versions, newest first (without their graphs)."""
    workflow = owned_workflow(session, user, workflow_id)
    rows = session.execute(
        select(WorkflowVersion, User.email)
        .outerjoin(User, User.id == WorkflowVersion.author_id)
        .where(WorkflowVersion.workflow_id == workflow.id)
        .order_by(WorkflowVersion.number.desc())
    )
    return [_out(version, email) for version, email in rows]


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
    if ref == "draft":
        return load_graph(workflow)
    return version_graph(version_by_number(session, workflow.id, ref))


@router.get("/diff")
def diff_versions(
    workflow_id: str,
    session: SessionDep,
    user: CurrentUser,
    base: Annotated[str, Query(max_length=20, description="A version number or 'draft'.")],
    target: Annotated[
        str, Query(max_length=20, description="A version number or 'draft' (the default).")
    ] = "draft",
) -> VersionDiff:
    """What changed from ``base`` to ``target``: nodes, their fields, and edges."""
    workflow = owned_workflow(session, user, workflow_id)
    base_ref, target_ref = _parse_ref("base", base), _parse_ref("target", target)
    diff = diff_graphs(
        _graph_of(session, workflow, base_ref), _graph_of(session, workflow, target_ref)
    )
    return VersionDiff(**diff.model_dump(), base=base_ref, target=target_ref)


@router.get("/{number}")
def get_version(
    workflow_id: str, number: VersionNumber, session: SessionDep, user: CurrentUser
) -> VersionDetail:
    """Returns one version with the graph it holds."""
    workflow = owned_workflow(session, user, workflow_id)
    return _detail(session, version_by_number(session, workflow.id, number))


@router.post("/{number}/restore")
def restore_version(
    workflow_id: str, number: VersionNumber, session: SessionDep, user: CurrentUser
) -> WorkflowDetail:
    """Replaces the draft with the version's graph; the version itself is not touched."""
    workflow = owned_workflow(session, user, workflow_id)
    graph = version_graph(version_by_number(session, workflow.id, number))
    replace_graph(session, workflow, graph)
    workflow.updated_at = utcnow()
    session.commit()
    return workflow_detail(session, workflow)

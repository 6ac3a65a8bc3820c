"""Publishing the draft as a new version, and restoring a version into the draft.

Versions are only ever inserted; restoring one copies its graph into the draft and leaves
every version as it was. These two live apart from ``api.versions.service`` because they
need the compiler (``api.runs.execution``) and the workflow service, and both of those
read versions through ``api.versions.service``.
"""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.core.errors import ApiError
from api.db.models import User, WorkflowVersion, utcnow
from api.runs.execution import compile_or_raise
from api.versions.schemas import VersionOut
from api.versions.service import (
    graph_content_hash,
    latest_version,
    version_by_number,
    version_graph,
    version_out,
)
from api.workflows.graph_store import load_graph, replace_graph, workflow_for_change
from api.workflows.schemas import WorkflowDetail
from api.workflows.service import workflow_detail


def publish_version(session: Session, *, user: User, workflow_id: str, note: str) -> VersionOut:
    """Publishes the draft as the next version; 422 unless it compiles, 409 if unchanged."""
    workflow = workflow_for_change(session, user, workflow_id)
    draft = load_graph(workflow)
    compile_or_raise(session, workflow.workspace_id, draft)
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
        note=note,
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
    return version_out(version, user.email)


def restore_version(
    session: Session, *, user: User, workflow_id: str, number: int
) -> WorkflowDetail:
    """Replaces the draft with version ``number``'s graph; the version itself is not touched."""
    workflow = workflow_for_change(session, user, workflow_id)
    graph = version_graph(version_by_number(session, workflow.id, number))
    replace_graph(session, workflow, graph)
    workflow.updated_at = utcnow()
    session.commit()
    return workflow_detail(session, workflow)

"""An upload Temporal cannot take is refused with 503 and leaves no row and no file."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.service import RPCError, RPCStatusCode

from api.core.deps import Caller, current_caller, temporal_client
from api.core.errors import ApiError
from api.db.models import Document, KnowledgeBase, User, Workspace, WorkspaceMember
from api.db.session import make_engine, session_scope
from api.main import create_app
from settings import Settings, get_settings
from tests.support.migrations import alembic_config


class UnavailableTemporal:
    """A client whose server went away after it connected."""

    async def start_workflow(self, *args: object, **kwargs: object) -> None:
        raise RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b"")


async def unreachable_temporal() -> None:
    raise ApiError(503, "temporal_unavailable", "Temporal at 127.0.0.1:1 is unreachable")


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def kb_id(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        session.add(User(id="u1", email="u@example.org", password_hash="x"))
        session.add(Workspace(id="w1", name="u's workspace"))
        session.flush()  # no relationship orders the inserts
        session.add(WorkspaceMember(workspace_id="w1", user_id="u1", role="owner"))
        kb = KnowledgeBase(
            owner_id="u1",
            workspace_id="w1",
            name="kb",
            collection="kb-test",
            embedding_provider="local",
            embedding_model="all-MiniLM-L6-v2",
        )
        session.add(kb)
        session.commit()
        return kb.id


def client_with(
    sessions: sessionmaker[Session], data_dir: Path, temporal: Callable[..., object]
) -> TestClient:
    app = create_app()

    def session_override() -> Iterator[Session]:
        with sessions() as session:
            yield session

    def caller_override() -> Caller:
        with sessions() as session:
            found = session.get(User, "u1")
            assert found is not None
            return Caller(user=found, principal="user:u1", session_id=None)

    settings = Settings(data_dir=data_dir, rate_limits_enabled=False)
    app.dependency_overrides[get_settings] = lambda: settings
    app.dependency_overrides[session_scope] = session_override
    app.dependency_overrides[current_caller] = caller_override
    app.dependency_overrides[temporal_client] = temporal
    return TestClient(app)


@pytest.mark.parametrize(
    ("temporal", "said"),
    [(lambda: UnavailableTemporal(), "connection refused"), (unreachable_temporal, "unreachable")],
    ids=["fails-on-start", "unreachable"],
)
def test_upload_is_503_and_leaves_nothing_when_temporal_is_down(
    sessions: sessionmaker[Session],
    kb_id: str,
    tmp_path: Path,
    temporal: Callable[..., object],
    said: str,
) -> None:
    data_dir = tmp_path / "data"
    client = client_with(sessions, data_dir, temporal)
    reply = client.post(
        "/api/v1/documents/upload",
        data={"knowledge_base_id": kb_id},
        files={"file": ("notes.txt", b"Some notes.")},
    )
    assert reply.status_code == 503, reply.text
    assert reply.json()["error"]["code"] == "temporal_unavailable"
    assert said in reply.json()["error"]["message"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
    uploads = data_dir / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []

"""API keys for programs, through the HTTP API: shown once, stored hashed, scoped,
recorded when used, revocable and expiring."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.support.api_errors import assert_error
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import RunningStack
from tests.support.login import login


@pytest.fixture(scope="module")
def user(running_stack: RunningStack, admin: httpx.Client) -> Iterator[httpx.Client]:
    email, password = f"program-{uuid.uuid4().hex[:8]}@example.org", "program-password-1"
    admin.post("/users", json={"email": email, "password": password}).raise_for_status()
    with login(running_stack.api_url, email, password) as client:
        yield client


def key_client(running_stack: RunningStack, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{running_stack.api_url}/api/v1",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )


def new_key(client: httpx.Client, scope: str, **fields: object) -> dict[str, object]:
    reply = client.post("/api-keys", json={"name": f"{scope} key", "scope": scope, **fields})
    assert reply.status_code == 201, reply.text
    created: dict[str, object] = reply.json()
    return created


def test_a_key_is_shown_once_and_stored_only_as_a_hash(
    user: httpx.Client, postgres_url: str
) -> None:
    created = new_key(user, "read")
    key = str(created["key"])
    assert key.startswith(str(created["prefix"]) + "_")
    listed = user.get("/api-keys")
    assert key not in listed.text
    assert created["id"] in {k["id"] for k in listed.json()}
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT * FROM api_keys WHERE id = :id"), {"id": created["id"]}
            ).one()
    finally:
        engine.dispose()
    assert key not in {str(value) for value in row}


def test_a_run_scoped_key_runs_and_reads_but_never_edits_or_manages_the_account(
    running_stack: RunningStack, user: httpx.Client
) -> None:
    wf = user.post("/workflows", json={"name": "api", "graph": direct_llm_graph(model="m")})
    wf_id = wf.json()["id"]
    key = str(new_key(user, "run")["key"])
    with key_client(running_stack, key) as program:
        assert program.get("/workflows").status_code == 200
        ran = program.post(f"/workflows/{wf_id}/execute", json={"query": "from a script"})
        assert ran.status_code == 200, ran.text
        assert program.get(f"/runs/{ran.json()['run_id']}").status_code == 200
        error = assert_error(
            program.put(f"/workflows/{wf_id}", json={"name": "x"}), 403, "forbidden"
        )
        assert error["details"] == {"scope": "run", "needs": "write"}
        for method, path in [
            ("POST", "/api-keys"),
            ("GET", "/api-keys"),
            ("POST", "/auth/logout"),
            ("POST", "/auth/password"),
        ]:
            reply = program.request(method, path, json={})
            assert_error(reply, 403, "forbidden")
    assert user.get(f"/workflows/{wf_id}").json()["name"] == "api"


def test_a_key_acts_only_within_its_owners_reach(
    running_stack: RunningStack, user: httpx.Client, admin: httpx.Client
) -> None:
    theirs = admin.post(
        "/workflows", json={"name": "admin's", "graph": direct_llm_graph(model="m")}
    )
    key = str(new_key(user, "full")["key"])
    with key_client(running_stack, key) as program:
        assert_error(program.get(f"/workflows/{theirs.json()['id']}"), 404, "not_found")
        assert_error(
            program.post("/users", json={"email": "a@b.org", "password": "x" * 12}),
            403,
            "forbidden",
        )
        created = program.post("/workflows", json={"name": "made by a script"})
        assert created.status_code == 201, created.text


def test_use_is_recorded_and_a_revoked_key_stops_at_once(
    running_stack: RunningStack, user: httpx.Client
) -> None:
    created = new_key(user, "read")
    with key_client(running_stack, str(created["key"])) as program:
        for _ in range(3):
            assert program.get("/workflows").status_code == 200
        [seen] = [k for k in user.get("/api-keys").json() if k["id"] == created["id"]]
        assert seen["use_count"] == 3
        assert seen["last_used_address"] == "127.0.0.1"
        assert datetime.fromisoformat(seen["last_used_at"]) > datetime.now(UTC) - timedelta(
            minutes=1
        )
        revoked = user.delete(f"/api-keys/{created['id']}")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        assert_error(program.get("/workflows"), 401, "unauthorized")


def test_an_expired_key_is_refused(
    running_stack: RunningStack, user: httpx.Client, postgres_url: str
) -> None:
    created = new_key(user, "read", expires_in_days=1)
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:  # a day passes
            conn.execute(
                text("UPDATE api_keys SET expires_at = :past WHERE id = :id"),
                {"past": datetime.now(UTC) - timedelta(seconds=1), "id": created["id"]},
            )
    finally:
        engine.dispose()
    with key_client(running_stack, str(created["key"])) as program:
        assert_error(program.get("/workflows"), 401, "unauthorized")


def test_keys_of_other_users_cannot_be_revoked_and_bad_keys_are_401(
    running_stack: RunningStack, user: httpx.Client, admin: httpx.Client
) -> None:
    created = new_key(user, "read")
    assert_error(admin.delete(f"/api-keys/{created['id']}"), 404, "not_found")
    forged = str(created["key"])[:-4] + "AAAA"
    for credential in (forged, "gsk_", "gsk_nothing_here", "gsk_" + "a" * 200):
        with key_client(running_stack, credential) as program:
            assert_error(program.get("/workflows"), 401, "unauthorized")

"""The authorisation table, driven by the running API's OpenAPI document.

Every operation must have a decision in ``api.core.route_access.ROUTE_NEEDS``; then every
operation is probed as: nobody (401 unless public), an API key of each scope (403 when
the scope does not allow the route's need, an account route or an admin route of a
non-admin), an ordinary user on administrators' routes (403), and — for every route that
reaches into a workspace — each role of a shared workspace and an outsider, with real
objects and valid bodies: a role below what the route needs gets 403, an outsider 404,
and a role that may gets neither. Refusals change nothing, so the whole matrix runs on
one set of objects; allowed writes are left to the feature tests.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.core.route_access import ROUTE_NEEDS, SCOPE_ALLOWS, KeyScope, Need
from tests.support.graphs import direct_llm_graph
from tests.support.knowledge_api import create_kb, upload
from tests.support.live_stack import RunningStack
from tests.support.login import login
from tests.support.polling import eventually

ROLES = ("viewer", "runner", "editor", "owner")
MIN_ROLE = {Need.READ: "viewer", Need.RUN: "runner", Need.WRITE: "editor"}
# Routes whose role requirement differs from their need: managing a workspace.
OWNER_ONLY = {
    ("PUT", "/api/v1/workspaces/{workspace_id}"),
    ("POST", "/api/v1/workspaces/{workspace_id}/members"),
    ("PUT", "/api/v1/workspaces/{workspace_id}/members/{user_id}"),
    ("DELETE", "/api/v1/workspaces/{workspace_id}/members/{user_id}"),
}
MISSING = "00000000-0000-0000-0000-000000000000"


@dataclass
class World:
    """A shared workspace with one member per role, an outsider, and objects in it."""

    clients: dict[str, httpx.Client]
    ids: dict[str, str]


@pytest.fixture(scope="module")
def world(running_stack: RunningStack, admin: httpx.Client) -> Iterator[World]:
    suffix = uuid.uuid4().hex[:6]
    clients: dict[str, httpx.Client] = {}
    for who in (*ROLES, "outsider"):
        email, password = f"authz-{who}-{suffix}@example.org", f"{who}-password-1"
        admin.post("/users", json={"email": email, "password": password}).raise_for_status()
        clients[who] = login(running_stack.api_url, email, password)
    owner = clients["owner"]
    workspace = owner.post("/workspaces", json={"name": "authz"}).json()["id"]
    for role in ("viewer", "runner", "editor"):
        email = clients[role].get("/auth/me").json()["email"]
        owner.post(
            f"/workspaces/{workspace}/members", json={"email": email, "role": role}
        ).raise_for_status()
    wf = owner.post(
        "/workflows",
        json={"name": "authz", "workspace_id": workspace, "graph": direct_llm_graph(model="m")},
    ).json()
    owner.post(f"/workflows/{wf['id']}/versions", json={"note": "v1"}).raise_for_status()
    run = owner.post(f"/workflows/{wf['id']}/execute", json={"query": "hi"}).json()["run_id"]
    chat = owner.post("/chat/sessions", json={"workflow_id": wf["id"]}).json()["id"]
    kb = create_kb(owner, workspace_id=workspace)["id"]
    document = upload(owner, kb, "notes.txt", b"Refunds take 30 days.")["id"]
    eventually(
        lambda: owner.get(f"/documents/{document}").json()["status"] == "completed",
        timeout=60,
        interval=0.2,
        message="the document's ingestion did not complete",
    )
    edge = owner.get(f"/workflows/{wf['id']}/edges").json()[0]["id"]
    components = owner.get(f"/workflows/{wf['id']}/components").json()
    component = next(c["component_id"] for c in components if c["id"] == "llm")
    ids = {
        "workspace_id": workspace,
        "workflow_id": wf["id"],
        "run_id": run,
        "other_run_id": run,
        "chat_id": chat,
        "kb_id": kb,
        "document_id": document,
        "edge_id": edge,
        "node_id": "llm",
        "component_id": component,
        "number": "1",
        "user_id": owner.get("/auth/me").json()["id"],  # refused roles may not touch the owner
        "key_id": MISSING,
        "name": "openai",
    }
    yield World(clients, ids)
    for client in clients.values():
        client.close()


def body_for(method: str, path: str, ids: dict[str, str]) -> dict[str, Any]:
    """A valid request for the route (so a refusal comes from authorisation, not validation)."""
    wf = ids["workflow_id"]
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("PUT", "/workflows/{workflow_id}"): {"json": {"description": "changed"}},
        ("GET", "/workflows/{workflow_id}/versions/diff"): {"params": {"base": "1"}},
        ("PUT", "/workflows/{workflow_id}/graph"): {"json": {"nodes": [], "edges": []}},
        ("POST", "/workflows/{workflow_id}/components"): {"json": {"type": "output"}},
        ("PUT", "/workflows/{workflow_id}/components/{node_id}"): {
            "json": {"position": {"x": 1, "y": 2}}
        },
        ("PUT", "/components/{component_id}"): {"json": {"position_x": 1, "position_y": 2}},
        ("POST", "/workflows/{workflow_id}/edges"): {
            "json": {
                "source": "query",
                "source_handle": "query",
                "target": "out",
                "target_handle": "answer",
            }
        },
        ("POST", "/workflows/{workflow_id}/versions"): {"json": {"note": "x"}},
        ("POST", "/workflows/{workflow_id}/execute"): {"json": {"query": "hi"}},
        ("POST", "/workflows/{workflow_id}/runs"): {"json": {"query": "hi"}},
        ("POST", "/runs/{run_id}/replay"): {"json": {"from_node": "llm"}},
        ("POST", "/runs/replay-check"): {"json": {"run_ids": [ids["run_id"]]}},
        ("POST", "/chat/sessions"): {"json": {"workflow_id": wf}},
        ("POST", "/chat/sessions/{chat_id}/messages"): {"json": {"content": "hi"}},
        ("POST", "/chat/messages"): {"json": {"session_id": ids["chat_id"], "message": "hi"}},
        ("POST", "/knowledge-bases"): {"json": {"name": "x", "workspace_id": ids["workspace_id"]}},
        ("PUT", "/knowledge-bases/{kb_id}"): {"json": {"name": "renamed"}},
        ("POST", "/knowledge-bases/{kb_id}/reindex"): {"json": {"embedding_provider": "openai"}},
        ("POST", "/documents/upload"): {
            "data": {"knowledge_base_id": ids["kb_id"]},
            "files": {"file": ("a.txt", b"text", "text/plain")},
        },
        ("POST", "/workflows"): {"json": {"name": "x", "workspace_id": ids["workspace_id"]}},
        ("PUT", "/workspaces/{workspace_id}"): {"json": {"name": "renamed"}},
        ("POST", "/workspaces/{workspace_id}/members"): {
            "json": {"email": "nobody@example.org", "role": "viewer"}
        },
        ("PUT", "/workspaces/{workspace_id}/members/{user_id}"): {"json": {"role": "runner"}},
        ("POST", "/workspaces"): {"json": {"name": "x"}},
        ("POST", "/users"): {"json": {"email": "x@example.org", "password": "long-enough-1"}},
        ("POST", "/users/{user_id}/password"): {"json": {"new_password": "long-enough-2"}},
        ("POST", "/auth/password"): {
            "json": {"current_password": "wrong-password", "new_password": "long-enough-3"}
        },
        ("POST", "/api-keys"): {"json": {"name": "k"}},
        ("POST", "/audit/verify"): {"json": {}},
        ("POST", "/connections"): {"json": {"name": "n", "provider": "openai"}},
        ("PATCH", "/connections/{name}"): {"json": {"description": "x"}},
        ("POST", "/admin/purge"): {"json": {"dry_run": True}},
    }
    return bodies.get((method, path.removeprefix("/api/v1")), {})


def fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


def request(
    client: httpx.Client, method: str, path: str, ids: dict[str, str], **headers: str
) -> httpx.Response:
    url = fill(path, ids).removeprefix("/api/v1")
    if not path.startswith("/api/v1"):
        url = str(client.base_url).removesuffix("/api/v1/").removesuffix("/api/v1") + url
    return client.request(method, url, headers=headers or None, **body_for(method, path, ids))


def operations(running_stack: RunningStack) -> set[tuple[str, str]]:
    schema = httpx.get(f"{running_stack.api_url}/openapi.json").raise_for_status().json()
    return {(m.upper(), p) for p, item in schema["paths"].items() for m in item}


def test_every_operation_has_an_authorisation_decision(running_stack: RunningStack) -> None:
    found = operations(running_stack)
    assert sorted(found - set(ROUTE_NEEDS)) == [], "routes without a decision"
    assert sorted(set(ROUTE_NEEDS) - found) == [], "decisions for routes that do not exist"


def test_nobody_gets_401_everywhere_but_the_public_routes(
    running_stack: RunningStack, world: World
) -> None:
    with httpx.Client(base_url=f"{running_stack.api_url}/api/v1") as anonymous:
        for (method, path), need in ROUTE_NEEDS.items():
            if need is Need.PUBLIC:
                continue
            reply = request(anonymous, method, path, {k: MISSING for k in world.ids})
            assert reply.status_code == 401, f"{method} {path}: {reply.status_code}"
            assert reply.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("scope", list(KeyScope))
def test_api_key_scopes_allow_exactly_their_needs(
    running_stack: RunningStack, world: World, scope: KeyScope
) -> None:
    """Probed with missing ids, so an allowed request fails later (404/422) and changes
    nothing; a refused one is 403 before anything is looked up."""
    owner = world.clients["owner"]
    created = owner.post("/api-keys", json={"name": f"scope {scope}", "scope": scope.value})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    with httpx.Client(
        base_url=f"{running_stack.api_url}/api/v1", headers={"Authorization": f"Bearer {key}"}
    ) as program:
        for (method, path), need in ROUTE_NEEDS.items():
            if need is Need.PUBLIC:
                continue
            reply = request(program, method, path, {k: MISSING for k in world.ids})
            refused = need not in SCOPE_ALLOWS[scope] or need is Need.ADMIN
            where = f"{scope} key, {method} {path}: {reply.status_code} {reply.text[:200]}"
            if refused:
                assert reply.status_code == 403, where
            else:
                assert reply.status_code not in (401, 403), where


def test_ordinary_users_are_refused_the_administrators_routes(
    running_stack: RunningStack, world: World
) -> None:
    owner = world.clients["owner"]
    for (method, path), need in ROUTE_NEEDS.items():
        if need is Need.ADMIN:
            reply = request(owner, method, path, world.ids)
            assert reply.status_code == 403, f"{method} {path}: {reply.status_code}"


def workspace_routes() -> list[tuple[str, str]]:
    """Routes that reach into a workspace through a path or body id."""
    markers = (
        "{workspace_id}",
        "{workflow_id}",
        "{run_id}",
        "{kb_id}",
        "{document_id}",
        "{component_id}",  # a workflow's component, by its id
    )
    bodies_naming = {
        ("POST", "/api/v1/workflows"),
        ("POST", "/api/v1/knowledge-bases"),
        ("POST", "/api/v1/chat/sessions"),
        ("POST", "/api/v1/documents/upload"),
    }
    return sorted(
        (method, path)
        for (method, path), need in ROUTE_NEEDS.items()
        if need in MIN_ROLE or (method, path) in OWNER_ONLY
        if any(m in path for m in markers) or (method, path) in bodies_naming
    )


@pytest.mark.parametrize(("method", "path"), workspace_routes())
def test_each_role_is_refused_what_it_may_not_do(world: World, method: str, path: str) -> None:
    needed = "owner" if (method, path) in OWNER_ONLY else MIN_ROLE[ROUTE_NEEDS[(method, path)]]
    for role in ROLES:
        if ROLES.index(role) >= ROLES.index(needed):
            continue
        reply = request(world.clients[role], method, path, world.ids)
        assert reply.status_code == 403, f"{role}: {reply.status_code} {reply.text[:300]}"
        assert reply.json()["error"]["code"] == "forbidden"
    outsider = request(world.clients["outsider"], method, path, world.ids)
    assert outsider.status_code == 404, f"outsider: {outsider.status_code} {outsider.text[:300]}"


READS: list[tuple[str, str]] = [
    (m, p) for (m, p) in workspace_routes() if m == "GET" and "/events" not in p
]


@pytest.mark.parametrize(("method", "path"), READS)
def test_every_member_reads_what_the_workspace_holds(world: World, method: str, path: str) -> None:
    for role in ROLES:
        reply = request(world.clients[role], method, path, world.ids)
        assert reply.status_code == 200, f"{role}: {reply.status_code} {reply.text[:300]}"

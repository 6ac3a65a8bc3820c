"""Workspaces with roles, through the HTTP API: a team shares workflows, knowledge bases
and runs, and each role does exactly what it may."""

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.api_errors import assert_error
from tests.support.graphs import direct_llm_graph, rag_graph
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import RunningStack
from tests.support.login import login

ROLES = ("viewer", "runner", "editor")


@pytest.fixture(scope="module")
def team(running_stack: RunningStack, admin: httpx.Client) -> Iterator[dict[str, httpx.Client]]:
    """An owner, one member per role and an outsider, each logged in."""
    clients: dict[str, httpx.Client] = {}
    suffix = uuid.uuid4().hex[:6]
    for who in ("owner", *ROLES, "outsider"):
        email, password = f"{who}-{suffix}@example.org", f"{who}-password-1"
        admin.post("/users", json={"email": email, "password": password}).raise_for_status()
        clients[who] = login(running_stack.api_url, email, password)
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture(scope="module")
def workspace(team: dict[str, httpx.Client]) -> str:
    owner = team["owner"]
    created = owner.post("/workspaces", json={"name": "Support team"})
    assert created.status_code == 201, created.text
    workspace_id = str(created.json()["id"])
    for role in ROLES:
        email = team[role].get("/auth/me").json()["email"]
        reply = owner.post(
            f"/workspaces/{workspace_id}/members", json={"email": email, "role": role}
        )
        assert reply.status_code == 201, reply.text
    return workspace_id


@pytest.fixture(scope="module")
def shared_workflow(team: dict[str, httpx.Client], workspace: str) -> str:
    reply = team["editor"].post(
        "/workflows",
        json={"name": "Shared", "workspace_id": workspace, "graph": direct_llm_graph(model="m")},
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def test_every_user_owns_a_workspace_of_their_own(team: dict[str, httpx.Client]) -> None:
    mine = team["outsider"].get("/workspaces").json()
    assert [w["role"] for w in mine] == ["owner"]
    created = team["outsider"].post("/workflows", json={"name": "solo"}).json()
    assert created["workspace_id"] == mine[0]["id"]


def test_members_see_the_workspace_and_outsiders_do_not(
    team: dict[str, httpx.Client], workspace: str, shared_workflow: str
) -> None:
    for role in ("owner", *ROLES):
        listed = team[role].get("/workspaces").json()
        assert {w["id"]: w["role"] for w in listed}[workspace] == role
        assert shared_workflow in {w["id"] for w in team[role].get("/workflows").json()}
        assert team[role].get(f"/workflows/{shared_workflow}/graph").status_code == 200
    outsider = team["outsider"]
    assert_error(outsider.get(f"/workspaces/{workspace}"), 404, "not_found")
    assert_error(outsider.get(f"/workflows/{shared_workflow}"), 404, "not_found")
    assert shared_workflow not in {w["id"] for w in outsider.get("/workflows").json()}


def test_each_role_runs_and_edits_exactly_as_it_may(
    team: dict[str, httpx.Client], shared_workflow: str
) -> None:
    wf = shared_workflow
    for role, may_run, may_edit in [
        ("viewer", False, False),
        ("runner", True, False),
        ("editor", True, True),
        ("owner", True, True),
    ]:
        client = team[role]
        ran = client.post(f"/workflows/{wf}/execute", json={"query": f"hello from {role}"})
        if may_run:
            assert ran.status_code == 200, ran.text
            chat = client.post("/chat/sessions", json={"workflow_id": wf})
            assert chat.status_code == 201, chat.text
        else:
            error = assert_error(ran, 403, "forbidden")
            assert error["details"] == {"role": role, "needs": "run"}
            assert_error(client.post("/chat/sessions", json={"workflow_id": wf}), 403, "forbidden")
        renamed = client.put(f"/workflows/{wf}", json={"description": f"by {role}"})
        published = client.post(f"/workflows/{wf}/versions", json={"note": role})
        if may_edit:
            assert renamed.status_code == 200, renamed.text
            assert published.status_code in (201, 409), published.text
        else:
            assert_error(renamed, 403, "forbidden")
            assert_error(published, 403, "forbidden")
            assert_error(client.delete(f"/workflows/{wf}"), 403, "forbidden")
    assert team["viewer"].get(f"/workflows/{wf}").json()["description"] == "by owner"


def test_runs_are_shared_in_the_workspace_and_reruns_need_the_run_role(
    team: dict[str, httpx.Client], shared_workflow: str
) -> None:
    ran = team["runner"].post(f"/workflows/{shared_workflow}/execute", json={"query": "shared?"})
    run_id = ran.json()["run_id"]
    viewer = team["viewer"]
    assert run_id in {r["id"] for r in viewer.get("/runs").json()["items"]}
    assert viewer.get(f"/runs/{run_id}/timeline").status_code == 200
    assert viewer.get(f"/runs/{run_id}/audit").status_code == 200
    assert_error(viewer.post(f"/runs/{run_id}/rerun"), 403, "forbidden")
    rerun = team["editor"].post(f"/runs/{run_id}/rerun")
    assert rerun.status_code == 200, rerun.text
    assert (
        team["editor"].get(f"/runs/{rerun.json()['run_id']}").json()["user_id"]
        != (team["runner"].get("/auth/me").json()["id"])
    )
    assert_error(team["outsider"].get(f"/runs/{run_id}"), 404, "not_found")


def test_chats_stay_their_authors_own(team: dict[str, httpx.Client], shared_workflow: str) -> None:
    chat = team["runner"].post("/chat/sessions", json={"workflow_id": shared_workflow}).json()
    for other in ("editor", "owner", "viewer"):
        reply = team[other].get(f"/chat/sessions/{chat['id']}/messages")
        assert_error(reply, 404, "not_found")


def test_knowledge_bases_are_shared_within_their_workspace_only(
    running_stack: RunningStack, team: dict[str, httpx.Client], workspace: str
) -> None:
    editor = team["editor"]
    kb_reply = editor.post("/knowledge-bases", json={"name": "team kb", "workspace_id": workspace})
    assert kb_reply.status_code == 201, kb_reply.text
    assert team["viewer"].get(f"/knowledge-bases/{kb_reply.json()['id']}").status_code == 200
    assert_error(
        team["viewer"].put(f"/knowledge-bases/{kb_reply.json()['id']}", json={"name": "x"}),
        403,
        "forbidden",
    )
    assert_error(
        team["viewer"].post("/knowledge-bases", json={"name": "x", "workspace_id": workspace}),
        403,
        "forbidden",
    )
    kb = seeded_knowledge_base(editor, running_stack.env, [("Team fact.", "team.md", 1)])
    # created without a workspace_id: in the editor's own workspace, not the team's
    shared = editor.post(
        "/workflows", json={"name": "rag", "workspace_id": workspace, "graph": rag_graph(kb)}
    ).json()
    error = assert_error(editor.get(f"/workflows/{shared['id']}/validate"), 422, "graph_invalid")
    assert "unknown_knowledge_base" in {p["code"] for p in error["details"]["problems"]}


def test_owners_manage_members_and_a_workspace_keeps_an_owner(
    team: dict[str, httpx.Client], workspace: str, shared_workflow: str
) -> None:
    owner, viewer = team["owner"], team["viewer"]
    viewer_id = viewer.get("/auth/me").json()["id"]
    owner_id = owner.get("/auth/me").json()["id"]
    assert_error(
        team["editor"].put(f"/workspaces/{workspace}/members/{viewer_id}", json={"role": "owner"}),
        403,
        "forbidden",
    )
    assert_error(
        owner.put(f"/workspaces/{workspace}/members/{owner_id}", json={"role": "editor"}),
        409,
        "last_owner",
    )
    assert_error(owner.delete(f"/workspaces/{workspace}/members/{owner_id}"), 409, "last_owner")
    promoted = owner.put(f"/workspaces/{workspace}/members/{viewer_id}", json={"role": "runner"})
    assert promoted.status_code == 200, promoted.text
    assert (
        viewer.post(f"/workflows/{shared_workflow}/execute", json={"query": "now?"}).status_code
        == 200
    )
    assert owner.delete(f"/workspaces/{workspace}/members/{viewer_id}").status_code == 204
    assert_error(viewer.get(f"/workflows/{shared_workflow}"), 404, "not_found")
    assert_error(
        owner.post(
            f"/workspaces/{workspace}/members", json={"email": "nobody@x.org", "role": "viewer"}
        ),
        404,
        "not_found",
    )

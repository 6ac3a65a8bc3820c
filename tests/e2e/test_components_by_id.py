"""The design's component contract through the HTTP API: its body ``{component_type,
position_x, position_y, configuration}`` beside ours, and ``PUT``/``DELETE
/components/{component_id}`` by the component's id, with the workflow-scoped routes'
rules (404 outside your workspaces, 403 below editor, 409 once archived)."""

import uuid
from typing import Any

import httpx
import pytest

from tests.support.api_errors import assert_error
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import RunningStack
from tests.support.login import login


def new_workflow(client: httpx.Client, **extra: Any) -> str:
    reply = client.post(
        "/workflows",
        json={"name": f"components {uuid.uuid4().hex[:6]}", "graph": direct_llm_graph(model="m")}
        | extra,
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def component_ids(client: httpx.Client, workflow_id: str) -> dict[str, str]:
    """node id → component id."""
    reply = client.get(f"/workflows/{workflow_id}/components")
    assert reply.status_code == 200, reply.text
    return {c["id"]: c["component_id"] for c in reply.json()}


def graph(client: httpx.Client, workflow_id: str) -> dict[str, Any]:
    reply = client.get(f"/workflows/{workflow_id}/graph")
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_the_designs_body_creates_a_component(admin: httpx.Client) -> None:
    wf = new_workflow(admin)
    created = admin.post(
        f"/workflows/{wf}/components",
        json={
            "component_type": "llm_engine",
            "position_x": 120,
            "position_y": 80.5,
            "configuration": {"model": "m", "temperature": 0.2},
        },
    )
    assert created.status_code == 201, created.text
    node = created.json()
    assert node["id"] == "llm_engine_1"
    assert node["type"] == "llm_engine"
    assert node["position"] == {"x": 120, "y": 80.5}
    assert node["config"] == {"model": "m", "temperature": 0.2}
    assert component_ids(admin, wf)["llm_engine_1"] == node["component_id"]
    saved = {n["id"]: n for n in graph(admin, wf)["nodes"]}["llm_engine_1"]
    assert saved == {k: v for k, v in node.items() if k != "component_id"}

    # Our own shape still works and answers the component id too.
    ours = admin.post(f"/workflows/{wf}/components", json={"type": "output", "node_id": "out2"})
    assert ours.status_code == 201, ours.text
    assert ours.json()["component_id"] == component_ids(admin, wf)["out2"]


@pytest.mark.parametrize(
    "body",
    [
        {"type": "output", "component_type": "output"},
        {"type": "output", "configuration": {}},
        {"component_type": "output", "position": {"x": 1, "y": 2}},
        {"component_type": "output", "config": {}},
        {"position_x": 1, "position_y": 2},
        {},
        {"component_type": "output", "position_x": True},
        {"component_type": "output", "position_x": "left"},
        {"component_type": "not a type!"},
        {"component_type": "output", "colour": "red"},
    ],
)
def test_mixed_or_invalid_create_bodies_are_422(admin: httpx.Client, body: dict[str, Any]) -> None:
    wf = new_workflow(admin)
    before = graph(admin, wf)
    assert_error(admin.post(f"/workflows/{wf}/components", json=body), 422, "invalid_request")
    assert graph(admin, wf) == before


def test_graph_rules_hold_for_the_designs_body(admin: httpx.Client) -> None:
    wf = new_workflow(admin)
    before = graph(admin, wf)
    refused = admin.post(
        f"/workflows/{wf}/components",
        json={"component_type": "llm_engine", "configuration": {"base_url": "http://x"}},
    )
    assert refused.status_code == 422, refused.text
    llm = component_ids(admin, wf)["llm"]
    refused = admin.put(f"/components/{llm}", json={"configuration": {"base_url": "http://x"}})
    assert refused.status_code == 422, refused.text
    assert graph(admin, wf) == before


def test_put_and_delete_by_component_id_change_the_graph(admin: httpx.Client) -> None:
    wf = new_workflow(admin)
    ids = component_ids(admin, wf)

    moved = admin.put(
        f"/components/{ids['llm']}",
        json={"position_x": 10, "position_y": -4, "configuration": {"model": "m2"}},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json() == {
        "id": "llm",
        "component_id": ids["llm"],
        "type": "llm_engine",
        "position": {"x": 10, "y": -4},
        "config": {"model": "m2"},
        "policy": None,
    }
    ours = admin.put(
        f"/components/{ids['llm']}",
        json={"policy": {"maximum_attempts": 2}, "position": {"x": 5, "y": 6}},
    )
    assert ours.status_code == 200, ours.text
    llm = {n["id"]: n for n in graph(admin, wf)["nodes"]}["llm"]
    assert llm["position"] == {"x": 5, "y": 6}
    assert llm["config"] == {"model": "m2"}
    assert llm["policy"]["maximum_attempts"] == 2

    # The same component through the workflow-scoped route: one implementation.
    scoped = admin.put(f"/workflows/{wf}/components/llm", json={"config": {"model": "m3"}})
    assert scoped.status_code == 200, scoped.text
    assert scoped.json()["component_id"] == ids["llm"]

    # The builder's whole-graph save keeps the ids of the nodes that stay.
    saved = admin.put(f"/workflows/{wf}/graph", json=graph(admin, wf))
    assert saved.status_code == 200, saved.text
    assert component_ids(admin, wf) == ids

    deleted = admin.delete(f"/components/{ids['llm']}")
    assert deleted.status_code == 204, deleted.text
    after = graph(admin, wf)
    assert [n["id"] for n in after["nodes"]] == ["query", "out"]
    assert after["edges"] == []  # both edges touched the LLM
    assert_error(admin.delete(f"/components/{ids['llm']}"), 404, "not_found")
    assert_error(admin.put(f"/components/{ids['llm']}", json={}), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"position": {"x": 1, "y": 2}, "position_x": 1, "position_y": 2},
        {"config": {}, "configuration": {}},
        {"position_x": 1},
        {"position_y": 1},
        {"component_type": "output"},
        {"type": "output"},
        {"configuration": "model"},
    ],
)
def test_mixed_or_invalid_update_bodies_are_422(admin: httpx.Client, body: dict[str, Any]) -> None:
    wf = new_workflow(admin)
    ids = component_ids(admin, wf)
    before = graph(admin, wf)
    assert_error(admin.put(f"/components/{ids['llm']}", json=body), 422, "invalid_request")
    assert_error(admin.put(f"/workflows/{wf}/components/llm", json=body), 422, "invalid_request")
    assert graph(admin, wf) == before


def test_another_users_component_is_not_found_and_unchanged(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    wf = new_workflow(admin)
    ids = component_ids(admin, wf)
    before = graph(admin, wf)
    for reply in (
        other_user.put(f"/components/{ids['llm']}", json={"configuration": {"model": "x"}}),
        other_user.delete(f"/components/{ids['llm']}"),
    ):
        error = assert_error(reply, 404, "not_found")
        assert error["details"] == {"id": ids["llm"]}  # the workflow's id does not leak
        assert wf not in error["message"]
    assert_error(other_user.get(f"/workflows/{wf}/components"), 404, "not_found")
    missing = str(uuid.uuid4())
    assert_error(admin.put(f"/components/{missing}", json={}), 404, "not_found")
    assert_error(admin.delete(f"/components/{missing}"), 404, "not_found")
    assert graph(admin, wf) == before


def test_an_archived_workflows_component_is_409(admin: httpx.Client) -> None:
    wf = new_workflow(admin)
    ids = component_ids(admin, wf)
    assert admin.delete(f"/workflows/{wf}").status_code == 204
    before = graph(admin, wf)
    put = admin.put(f"/components/{ids['llm']}", json={"position_x": 1, "position_y": 1})
    assert assert_error(put, 409, "workflow_archived")["details"]["id"] == wf
    assert_error(admin.delete(f"/components/{ids['llm']}"), 409, "workflow_archived")
    assert graph(admin, wf) == before
    assert component_ids(admin, wf) == ids  # still readable


def test_a_viewer_of_a_shared_workspace_is_refused(
    running_stack: RunningStack, admin: httpx.Client
) -> None:
    suffix = uuid.uuid4().hex[:6]
    clients: dict[str, httpx.Client] = {}
    for who in ("owner", "viewer"):
        email, password = f"components-{who}-{suffix}@example.org", f"{who}-password-1"
        admin.post("/users", json={"email": email, "password": password}).raise_for_status()
        clients[who] = login(running_stack.api_url, email, password)
    try:
        owner, viewer = clients["owner"], clients["viewer"]
        workspace = owner.post("/workspaces", json={"name": "components"}).json()["id"]
        email = viewer.get("/auth/me").json()["email"]
        owner.post(
            f"/workspaces/{workspace}/members", json={"email": email, "role": "viewer"}
        ).raise_for_status()
        wf = new_workflow(owner, workspace_id=workspace)
        ids = component_ids(viewer, wf)  # a viewer reads the ids
        before = graph(owner, wf)
        assert_error(
            viewer.put(f"/components/{ids['llm']}", json={"position_x": 1, "position_y": 1}),
            403,
            "forbidden",
        )
        assert_error(viewer.delete(f"/components/{ids['llm']}"), 403, "forbidden")
        assert graph(owner, wf) == before
        assert owner.delete(f"/components/{ids['out']}").status_code == 204
    finally:
        for client in clients.values():
            client.close()

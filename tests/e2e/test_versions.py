"""Immutable workflow versions over HTTP: publish, list, read, diff and restore."""

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL


def assert_error(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def new_workflow(client: httpx.Client, name: str, **llm_config: Any) -> str:
    graph = direct_llm_graph(model="m", **llm_config)
    reply = client.post("/workflows", json={"name": name, "graph": graph})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def configure_llm(client: httpx.Client, wid: str, **config: Any) -> None:
    reply = client.put(
        f"/workflows/{wid}/components/llm", json={"config": {"model": "m", **config}}
    )
    assert reply.status_code == 200, reply.text


def publish(client: httpx.Client, wid: str, note: str | None = None) -> dict[str, Any]:
    reply = client.post(f"/workflows/{wid}/versions", json={"note": note} if note else None)
    assert reply.status_code == 201, reply.text
    return reply.json()


def changes_of(diff: dict[str, Any], node_id: str) -> dict[str, tuple[Any, Any]]:
    [node] = [n for n in diff["nodes_changed"] if n["id"] == node_id]
    return {c["path"]: (c["before"], c["after"]) for c in node["changes"]}


def test_publish_list_read_diff_and_restore(admin: httpx.Client) -> None:
    wid = new_workflow(admin, "versioned", temperature=0.2, custom_prompt="Be brief.")
    assert admin.get(f"/workflows/{wid}").json()["latest_version"] is None
    first_draft = admin.get(f"/workflows/{wid}/graph").json()

    v1 = publish(admin, wid, note="first cut")
    assert v1["number"] == 1 and v1["workflow_id"] == wid
    assert re.fullmatch(r"[0-9a-f]{64}", v1["content_hash"])
    assert v1["note"] == "first cut"
    assert v1["author_email"] == ADMIN_EMAIL and v1["author_id"]

    unchanged = assert_error(admin.post(f"/workflows/{wid}/versions"), 409, "version_unchanged")
    assert unchanged["details"] == {"number": 1}

    configure_llm(admin, wid, temperature=0.7, custom_prompt="Be thorough.")
    v2 = publish(admin, wid)
    assert v2["number"] == 2 and v2["note"] == ""
    assert v2["content_hash"] != v1["content_hash"]

    listed = admin.get(f"/workflows/{wid}/versions").json()
    assert [v["number"] for v in listed] == [2, 1]
    assert listed[1] == v1 and "graph" not in listed[0]
    mine = [w for w in admin.get("/workflows").json() if w["id"] == wid]
    assert mine[0]["latest_version"] == 2

    got = admin.get(f"/workflows/{wid}/versions/1").json()
    assert got["graph"] == first_draft
    assert {k: v for k, v in got.items() if k != "graph"} == v1

    diff = admin.get(f"/workflows/{wid}/versions/diff", params={"base": 1, "target": 2}).json()
    assert diff["base"] == 1 and diff["target"] == 2 and diff["unchanged"] is False
    assert changes_of(diff, "llm") == {
        "config.temperature": (0.2, 0.7),
        "config.custom_prompt": ("Be brief.", "Be thorough."),
    }
    assert diff["nodes_added"] == diff["nodes_removed"] == []
    assert diff["edges_added"] == diff["edges_removed"] == []

    configure_llm(admin, wid, temperature=1.1, custom_prompt="Be thorough.")
    diff = admin.get(f"/workflows/{wid}/versions/diff", params={"base": 2, "target": "draft"})
    assert diff.status_code == 200, diff.text
    assert diff.json()["target"] == "draft"
    assert changes_of(diff.json(), "llm") == {"config.temperature": (0.7, 1.1)}
    same = admin.get(f"/workflows/{wid}/versions/diff", params={"base": 2, "target": 2}).json()
    assert same["unchanged"] is True and same["nodes_changed"] == []

    restored = admin.post(f"/workflows/{wid}/versions/1/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["graph"] == first_draft
    assert restored.json()["latest_version"] == 2
    assert admin.get(f"/workflows/{wid}/graph").json() == first_draft
    back = admin.get(f"/workflows/{wid}/versions/diff", params={"base": 1}).json()
    assert back["unchanged"] is True and back["target"] == "draft"

    # Versions are immutable: restoring 1 left 2 (and 1) exactly as published.
    v2_now = admin.get(f"/workflows/{wid}/versions/2").json()
    assert v2_now["content_hash"] == v2["content_hash"]
    llm = next(n for n in v2_now["graph"]["nodes"] if n["id"] == "llm")
    assert llm["config"]["temperature"] == 0.7
    assert llm["config"]["custom_prompt"] == "Be thorough."
    assert admin.get(f"/workflows/{wid}/versions").json() == listed

    # The restored draft differs from the latest (2), so it publishes as 3 with 1's content.
    v3 = publish(admin, wid, note="back to 1")
    assert v3["number"] == 3 and v3["content_hash"] == v1["content_hash"]


def test_a_draft_that_does_not_compile_is_not_published(admin: httpx.Client) -> None:
    wid = new_workflow(admin, "broken", temperature=9)
    error = assert_error(admin.post(f"/workflows/{wid}/versions"), 422, "graph_invalid")
    assert any(p["field"] == "config.temperature" for p in error["details"]["problems"])
    assert admin.get(f"/workflows/{wid}/versions").json() == []
    assert admin.get(f"/workflows/{wid}").json()["latest_version"] is None


def test_a_move_alone_is_reported_as_moved_only(admin: httpx.Client) -> None:
    wid = new_workflow(admin, "moved")
    publish(admin, wid)
    reply = admin.put(f"/workflows/{wid}/components/out", json={"position": {"x": 640, "y": 80}})
    assert reply.status_code == 200, reply.text
    diff = admin.get(f"/workflows/{wid}/versions/diff", params={"base": 1}).json()
    [node] = diff["nodes_changed"]
    assert node["id"] == "out" and node["moved_only"] is True
    assert node["changes"] == [
        {"path": "position", "before": {"x": 0.0, "y": 0.0}, "after": {"x": 640.0, "y": 80.0}}
    ]


def test_bad_requests_are_refused_in_the_error_format(admin: httpx.Client) -> None:
    wid = new_workflow(admin, "refs")
    publish(admin, wid)
    diff_path = f"/workflows/{wid}/versions/diff"
    for base in ("latest", "0", "-1", "1.5", "", "Draft", "99999999999"):
        error = assert_error(admin.get(diff_path, params={"base": base}), 422, "invalid_request")
        assert error["details"]["problems"]
    error = assert_error(
        admin.get(diff_path, params={"base": 1, "target": "x"}), 422, "invalid_request"
    )
    assert error["details"]["problems"][0]["field"] == "target"
    assert_error(admin.get(diff_path), 422, "invalid_request")
    assert_error(admin.get(diff_path, params={"base": 7}), 404, "not_found")
    assert_error(admin.get(f"/workflows/{wid}/versions/7"), 404, "not_found")
    assert_error(admin.get(f"/workflows/{wid}/versions/abc"), 422, "invalid_request")
    assert_error(admin.get(f"/workflows/{wid}/versions/0"), 422, "invalid_request")
    assert_error(admin.post(f"/workflows/{wid}/versions/7/restore"), 404, "not_found")
    configure_llm(admin, wid, temperature=0.3)
    versions = f"/workflows/{wid}/versions"
    assert_error(admin.post(versions, json={"note": "n" * 2001}), 422, "invalid_request")
    assert_error(admin.post(versions, json={"note": "x", "number": 5}), 422, "invalid_request")
    assert [v["number"] for v in admin.get(versions).json()] == [1]


def test_another_users_workflow_versions_are_404(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    wid = new_workflow(admin, "private versions", temperature=0.2)
    publish(admin, wid)
    configure_llm(admin, wid, temperature=0.4)
    draft = admin.get(f"/workflows/{wid}/graph").json()
    for method, path in [
        ("GET", f"/workflows/{wid}/versions"),
        ("POST", f"/workflows/{wid}/versions"),
        ("GET", f"/workflows/{wid}/versions/1"),
        ("GET", f"/workflows/{wid}/versions/diff?base=1&target=draft"),
        ("POST", f"/workflows/{wid}/versions/1/restore"),
    ]:
        assert_error(other_user.request(method, path), 404, "not_found")
    assert [v["number"] for v in admin.get(f"/workflows/{wid}/versions").json()] == [1]
    assert admin.get(f"/workflows/{wid}/graph").json() == draft


def test_deleting_a_workflow_keeps_its_versions_and_refuses_new_ones(admin: httpx.Client) -> None:
    wid = new_workflow(admin, "short-lived")
    publish(admin, wid)
    assert admin.delete(f"/workflows/{wid}").status_code == 204
    assert [v["number"] for v in admin.get(f"/workflows/{wid}/versions").json()] == [1]
    assert_error(admin.post(f"/workflows/{wid}/versions"), 409, "workflow_archived")


def test_concurrent_publishes_make_one_version(admin: httpx.Client) -> None:
    wid = new_workflow(admin, "raced")
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: admin.post(f"/workflows/{wid}/versions"), range(8)))
    created = [r for r in replies if r.status_code == 201]
    assert len(created) == 1 and created[0].json()["number"] == 1
    for reply in replies:
        if reply.status_code != 201:
            error = assert_error(reply, 409, reply.json()["error"]["code"])
            assert error["code"] in {"version_unchanged", "conflict"}
            assert error["details"] == {"number": 1}
    assert [v["number"] for v in admin.get(f"/workflows/{wid}/versions").json()] == [1]


def test_workflow_list_shows_the_last_run_and_duplicate_copies_the_graph(
    admin: httpx.Client,
) -> None:
    graph = direct_llm_graph(model="gpt-4o-mini")
    wf = admin.post("/workflows", json={"name": "listed", "graph": graph}).json()
    listed = {w["id"]: w for w in admin.get("/workflows").json()}
    assert listed[wf["id"]]["last_run_status"] is None
    reply = admin.post(f"/workflows/{wf['id']}/execute", json={"query": "hi"})
    assert reply.status_code == 200, reply.text
    listed = {w["id"]: w for w in admin.get("/workflows").json()}
    assert listed[wf["id"]]["last_run_status"] == "completed"
    assert listed[wf["id"]]["last_run_at"] is not None

    copy = admin.post(f"/workflows/{wf['id']}/duplicate")
    assert copy.status_code == 201, copy.text
    assert copy.json()["name"] == "listed (copy)" and copy.json()["id"] != wf["id"]
    assert copy.json()["graph"] == admin.get(f"/workflows/{wf['id']}/graph").json()
    assert admin.post("/workflows/nope/duplicate").status_code == 404

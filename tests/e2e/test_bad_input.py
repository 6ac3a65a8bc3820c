"""Bad input gets a 4xx in the error format, never a 500, and changes nothing."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.api_errors import assert_error
from tests.support.graphs import direct_llm_graph


def test_requests_without_a_token_are_refused(running_stack) -> None:
    reply = httpx.get(f"{running_stack.api_url}/api/v1/workflows")
    assert_error(reply, 401, "unauthorized")
    forged = httpx.get(
        f"{running_stack.api_url}/api/v1/workflows", headers={"Authorization": "Bearer nope"}
    )
    assert_error(forged, 401, "unauthorized")


def test_wrong_password_is_refused(running_stack) -> None:
    reply = httpx.post(
        f"{running_stack.api_url}/api/v1/auth/login",
        json={"email": "admin@example.org", "password": "wrong"},
    )
    assert_error(reply, 401, "invalid_credentials")


def test_health_needs_no_login_and_reports_each_dependency(running_stack) -> None:
    reply = httpx.get(f"{running_stack.api_url}/health")
    assert reply.status_code == 200
    report = reply.json()
    assert set(report["services"]) == {"database", "temporal", "chroma"}
    assert report["services"]["database"]["detail"] == "postgresql"
    assert all(s["status"] == "up" for s in report["services"].values())
    assert all(q["status"] == "served" for q in report["task_queues"].values())


def test_malformed_json_is_a_400_and_creates_nothing(admin: httpx.Client) -> None:
    before = admin.get("/workflows").json()
    reply = admin.post(
        "/workflows", content=b'{"name": "x", ', headers={"Content-Type": "application/json"}
    )
    assert_error(reply, 400, "malformed_json")
    assert admin.get("/workflows").json() == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"name": 42},
        {"name": "ok", "description": "d" * 2001},
        {"name": "ok", "unexpected": True},
        {"name": "ok", "graph": {"nodes": [{"id": "bad id!", "type": "output"}]}},
        {"name": "ok", "graph": {"nodes": "not a list"}},
    ],
)
def test_invalid_workflow_bodies_are_422_and_create_nothing(admin: httpx.Client, body) -> None:
    before = admin.get("/workflows").json()
    error = assert_error(admin.post("/workflows", json=body), 422, "invalid_request")
    assert error["details"]["problems"]
    assert admin.get("/workflows").json() == before


def test_oversized_body_is_413(admin: httpx.Client) -> None:
    reply = admin.post("/workflows", json={"name": "big", "description": "x" * 2_000_000})
    assert_error(reply, 413, "payload_too_large")


def test_oversized_chunked_body_is_413_too(admin: httpx.Client) -> None:
    before = admin.get("/workflows").json()

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body is streamed
        yield b'{"name": "big", "description": "'
        for _ in range(30):
            yield b"x" * 50_000
        yield b'"}'

    reply = admin.post("/workflows", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(reply, 413, "payload_too_large")
    assert admin.get("/workflows").json() == before


def test_draft_with_duplicate_node_ids_or_dangling_edges_is_refused(admin: httpx.Client) -> None:
    wf = admin.post("/workflows", json={"name": "drafts"}).json()
    saved = admin.put(f"/workflows/{wf['id']}/graph", json=direct_llm_graph(model="m")).json()
    dup = direct_llm_graph(model="m")
    dup["nodes"].append({"id": "llm", "type": "output"})
    assert_error(admin.put(f"/workflows/{wf['id']}/graph", json=dup), 422, "invalid_graph")
    dangling = direct_llm_graph(model="m")
    dangling["edges"].append(
        {"source": "ghost", "source_handle": "query", "target": "llm", "target_handle": "query"}
    )
    assert_error(admin.put(f"/workflows/{wf['id']}/graph", json=dangling), 422, "invalid_graph")
    assert admin.get(f"/workflows/{wf['id']}/graph").json() == saved


def test_validate_reports_every_problem_naming_node_and_field(admin: httpx.Client) -> None:
    graph = direct_llm_graph(model="m", temperature=9)
    graph["nodes"].append({"id": "mystery", "type": "teleporter", "config": {}})
    graph["edges"].append(  # out → llm closes a cycle-free but type-mismatched edge
        {"source": "query", "source_handle": "query", "target": "out", "target_handle": "answer"}
    )
    wf = admin.post("/workflows", json={"name": "broken", "graph": graph}).json()
    error = assert_error(admin.get(f"/workflows/{wf['id']}/validate"), 422, "graph_invalid")
    problems = error["details"]["problems"]
    by_node = {(p["node_id"], p["code"]) for p in problems}
    assert ("mystery", "unknown_component") in by_node
    assert any(p["node_id"] == "llm" and p["field"] == "config.temperature" for p in problems)
    assert any(p["node_id"] == "out" for p in problems)
    assert all(p["message"] for p in problems)


def test_a_cycle_is_reported_and_execution_refused(admin: httpx.Client) -> None:
    graph = direct_llm_graph(model="m")
    graph["nodes"].append(
        {"id": "kb", "type": "knowledge_base", "config": {"knowledge_base_id": "abc"}}
    )
    graph["nodes"].append(
        {"id": "kb2", "type": "knowledge_base", "config": {"knowledge_base_id": "abc"}}
    )
    graph["edges"] += [
        {"source": "kb", "source_handle": "context", "target": "kb2", "target_handle": "query"},
        {"source": "kb2", "source_handle": "context", "target": "kb", "target_handle": "query"},
    ]
    wf = admin.post("/workflows", json={"name": "loop", "graph": graph}).json()
    error = assert_error(admin.get(f"/workflows/{wf['id']}/validate"), 422, "graph_invalid")
    assert any(p["code"] == "cycle" for p in error["details"]["problems"])
    reply = admin.post(f"/workflows/{wf['id']}/execute", json={"query": "hi"})
    assert_error(reply, 422, "graph_invalid")
    assert admin.get("/runs", params={"workflow_id": wf["id"]}).json()["items"] == []


def test_query_longer_than_the_entry_node_allows_is_422(admin: httpx.Client) -> None:
    graph = direct_llm_graph(model="m")
    graph["nodes"][0]["config"] = {"max_length": 10}
    wf = admin.post("/workflows", json={"name": "short", "graph": graph}).json()
    reply = admin.post(f"/workflows/{wf['id']}/execute", json={"query": "x" * 11})
    error = assert_error(reply, 422, "query_too_long")
    assert error["details"]["node_id"] == "query"
    assert_error(
        admin.post(f"/workflows/{wf['id']}/execute", json={"query": ""}), 422, "invalid_request"
    )


def test_another_users_objects_are_404_and_untouched(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    wf = admin.post(
        "/workflows", json={"name": "mine", "graph": direct_llm_graph(model="m")}
    ).json()
    chat = admin.post("/chat/sessions", json={"workflow_id": wf["id"]}).json()
    wid = wf["id"]
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/workflows/{wid}", None),
        ("PUT", f"/workflows/{wid}", {"name": "stolen"}),
        ("DELETE", f"/workflows/{wid}", None),
        ("PUT", f"/workflows/{wid}/graph", {"nodes": [], "edges": []}),
        ("POST", f"/workflows/{wid}/components", {"type": "output"}),
        ("DELETE", f"/workflows/{wid}/components/llm", None),
        ("GET", f"/workflows/{wid}/validate", None),
        ("POST", f"/workflows/{wid}/execute", {"query": "hi"}),
        ("POST", "/chat/sessions", {"workflow_id": wid}),
        ("GET", f"/chat/sessions/{chat['id']}/messages", None),
        ("POST", f"/chat/sessions/{chat['id']}/messages", {"content": "hi"}),
    ]
    for method, path, body in requests:
        reply = other_user.request(method, path, json=body)
        assert_error(reply, 404, "not_found")
    assert other_user.get("/workflows").json() == []
    assert admin.get(f"/workflows/{wid}").json()["name"] == "mine"
    assert admin.get(f"/workflows/{wid}/graph").json()["nodes"][1]["id"] == "llm"


def test_only_admins_create_users(other_user: httpx.Client) -> None:
    reply = other_user.post("/users", json={"email": "x@example.org", "password": "long-enough"})
    assert_error(reply, 403, "forbidden")


def test_a_knowledge_base_node_naming_an_unknown_or_foreign_knowledge_base_is_refused(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    foreign = other_user.post("/knowledge-bases", json={"name": "theirs"}).json()
    for kb_id in ("no-such-kb", foreign["id"]):
        graph = direct_llm_graph(model="m")
        graph["nodes"].append(
            {"id": "kb", "type": "knowledge_base", "config": {"knowledge_base_id": kb_id}}
        )
        graph["edges"] += [
            {"source": "query", "source_handle": "query", "target": "kb", "target_handle": "query"},
            {
                "source": "kb",
                "source_handle": "context",
                "target": "llm",
                "target_handle": "context",
            },
        ]
        wf = admin.post("/workflows", json={"name": "kb ref", "graph": graph}).json()
        error = assert_error(admin.get(f"/workflows/{wf['id']}/validate"), 422, "graph_invalid")
        assert {(p["code"], p["node_id"], p["field"]) for p in error["details"]["problems"]} >= {
            ("unknown_knowledge_base", "kb", "config.knowledge_base_id")
        }
        assert foreign["collection"] not in str(error)

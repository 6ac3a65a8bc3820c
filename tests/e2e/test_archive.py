"""Deleting a workflow archives it; purging is a separate administrator action.

An archived workflow's graph, versions, runs, chats, timelines and audit records stay
readable by its owner (and verify), never by another user; it refuses every change and
every new run with 409 ``workflow_archived``; it can be restored. Purging needs an
administrator and the retention period; a record exported before a purge verifies after it.
"""

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack.processes import free_port, start_api, wait_healthy
from tests.support.api_errors import assert_error
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack
from tests.support.login import login

ROOT = Path(__file__).parents[2]
QUERY = "what stays after a delete?"


@pytest.fixture(scope="module")
def owner(running_stack: RunningStack, admin: httpx.Client) -> Iterator[httpx.Client]:
    """An ordinary user who owns the workflows archived here."""
    email, password = f"archivist-{uuid.uuid4().hex[:8]}@example.org", "archivist-password-1"
    admin.post("/users", json={"email": email, "password": password}).raise_for_status()
    with login(running_stack.api_url, email, password) as client:
        yield client


@dataclass
class Used:
    """A workflow with a published version, a run, and a chat with one exchange."""

    id: str
    run_id: str
    chat_id: str
    chat_run_id: str


def ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if reply.content else None


def used_workflow(client: httpx.Client, name: str = "archived") -> Used:
    created = ok(
        client.post("/workflows", json={"name": name, "graph": direct_llm_graph(model="gpt-4o")}),
        201,
    )
    wf_id = str(created["id"])
    ok(client.post(f"/workflows/{wf_id}/versions", json={"note": "v1"}), 201)
    run = ok(client.post(f"/workflows/{wf_id}/execute", json={"query": QUERY}))
    chat = ok(client.post("/chat/sessions", json={"workflow_id": wf_id}), 201)
    reply = ok(client.post(f"/chat/sessions/{chat['id']}/messages", json={"content": QUERY}))
    return Used(wf_id, run["run_id"], chat["id"], reply["run_id"])


def listed(client: httpx.Client, **params: str) -> list[str]:
    return [w["id"] for w in ok(client.get("/workflows", params=params))]


def readable(client: httpx.Client, used: Used) -> dict[str, Any]:
    """Everything about the workflow its owner can read; each must answer 200."""
    wf = used.id
    return {
        "workflow": ok(client.get(f"/workflows/{wf}")),
        "graph": ok(client.get(f"/workflows/{wf}/graph")),
        "edges": ok(client.get(f"/workflows/{wf}/edges")),
        "validate": ok(client.get(f"/workflows/{wf}/validate")),
        "versions": ok(client.get(f"/workflows/{wf}/versions")),
        "version": ok(client.get(f"/workflows/{wf}/versions/1")),
        "diff": ok(client.get(f"/workflows/{wf}/versions/diff", params={"base": "1"})),
        "runs": ok(client.get("/runs", params={"workflow_id": wf}))["items"],
        "run": ok(client.get(f"/runs/{used.run_id}")),
        "timeline": ok(client.get(f"/runs/{used.run_id}/timeline")),
        "chat_timeline": ok(client.get(f"/runs/{used.chat_run_id}/timeline")),
        "compare": ok(client.get(f"/runs/{used.run_id}/compare/{used.chat_run_id}")),
        "chats": ok(client.get("/chat/sessions", params={"workflow_id": wf})),
        "messages": ok(client.get(f"/chat/sessions/{used.chat_id}/messages")),
    }


def test_deleting_archives_and_the_owner_still_reads_everything(
    owner: httpx.Client, other_user: httpx.Client
) -> None:
    used = used_workflow(owner)
    before = readable(owner, used)
    assert before["workflow"]["is_active"] is True and before["workflow"]["archived_at"] is None

    assert owner.delete(f"/workflows/{used.id}").status_code == 204
    after = readable(owner, used)
    archived_at = after["workflow"]["archived_at"]
    assert after["workflow"]["is_active"] is False and archived_at
    assert owner.delete(f"/workflows/{used.id}").status_code == 204  # idempotent
    assert ok(owner.get(f"/workflows/{used.id}"))["archived_at"] == archived_at

    assert after["graph"] == before["graph"] and after["versions"] == before["versions"]
    assert {r["id"] for r in after["runs"]} == {used.run_id, used.chat_run_id}
    assert after["timeline"]["timeline"]["status"] == "completed"
    assert [m["role"] for m in after["messages"]] == ["user", "assistant"]
    assert [c["id"] for c in after["chats"]] == [used.chat_id]
    for run_id in (used.run_id, used.chat_run_id):
        record = ok(owner.get(f"/runs/{run_id}/audit"))
        assert record["workflow"]["id"] == used.id
        verdict = ok(owner.post("/audit/verify", json=record))
        assert verdict["valid"] is True, verdict

    assert used.id not in listed(owner)
    archived = ok(owner.get("/workflows", params={"archived": "true"}))
    mine = next(w for w in archived if w["id"] == used.id)
    assert mine["is_active"] is False and mine["archived_at"] == archived_at
    assert mine["latest_version"] == 1 and mine["last_run_status"] == "completed"
    assert_error(owner.get("/workflows", params={"archived": "maybe"}), 422, "invalid_request")
    copy = ok(owner.post(f"/workflows/{used.id}/duplicate"), 201)  # reading it is allowed
    assert copy["is_active"] is True and copy["graph"] == before["graph"]

    # Another (ordinary) user sees none of it, archived or not.
    assert used.id not in listed(other_user, archived="true")
    for path in (
        f"/workflows/{used.id}",
        f"/workflows/{used.id}/versions",
        f"/runs/{used.run_id}",
        f"/runs/{used.run_id}/timeline",
        f"/runs/{used.run_id}/audit",
        f"/chat/sessions/{used.chat_id}/messages",
    ):
        assert_error(other_user.get(path), 404, "not_found")
    assert_error(other_user.delete(f"/workflows/{used.id}"), 404, "not_found")
    assert_error(other_user.post(f"/workflows/{used.id}/unarchive"), 404, "not_found")
    assert_error(
        other_user.put(f"/workflows/{used.id}/graph", json=before["graph"]), 404, "not_found"
    )
    assert_error(other_user.post(f"/runs/{used.run_id}/rerun"), 404, "not_found")


def change_requests(
    client: httpx.Client, used: Used, graph: dict[str, Any]
) -> dict[str, httpx.Response]:
    """Every request that would change the workflow or start a run of it."""
    wf = used.id
    node = {"type": "output", "node_id": "extra"}
    edge = {"source": "query", "source_handle": "query", "target": "out", "target_handle": "answer"}
    edge_id = ok(client.get(f"/workflows/{wf}/edges"))[0]["id"]
    return {
        "save graph": client.put(f"/workflows/{wf}/graph", json=graph),
        "rename": client.put(f"/workflows/{wf}", json={"name": "renamed"}),
        "add component": client.post(f"/workflows/{wf}/components", json=node),
        "move component": client.put(
            f"/workflows/{wf}/components/llm", json={"position": {"x": 9, "y": 9}}
        ),
        "remove component": client.delete(f"/workflows/{wf}/components/llm"),
        "add edge": client.post(f"/workflows/{wf}/edges", json=edge),
        "remove edge": client.delete(f"/workflows/{wf}/edges/{edge_id}"),
        "publish": client.post(f"/workflows/{wf}/versions", json={"note": "v2"}),
        "restore version": client.post(f"/workflows/{wf}/versions/1/restore"),
        "execute": client.post(f"/workflows/{wf}/execute", json={"query": QUERY}),
        "execute draft": client.post(
            f"/workflows/{wf}/execute", json={"query": QUERY, "version": "draft"}
        ),
        "new chat": client.post("/chat/sessions", json={"workflow_id": wf}),
        "chat": client.post(f"/chat/sessions/{used.chat_id}/messages", json={"content": QUERY}),
        "delete chat": client.delete(f"/chat/sessions/{used.chat_id}"),
        "re-run": client.post(f"/runs/{used.run_id}/rerun"),
        "replay": client.post(f"/runs/{used.run_id}/replay", json={"from_node": "llm"}),
        "replay on the draft": client.post(
            f"/runs/{used.run_id}/replay", json={"from_node": "llm", "version": "draft"}
        ),
    }


def test_an_archived_workflow_refuses_changes_and_runs_and_nothing_changes(
    owner: httpx.Client, admin: httpx.Client
) -> None:
    used = used_workflow(owner)
    ok(owner.delete(f"/workflows/{used.id}"), 204)
    before = readable(owner, used)
    edited = direct_llm_graph(model="gpt-4o-mini", custom_prompt="changed")

    for name, reply in change_requests(owner, used, edited).items():
        error = assert_error(reply, 409, "workflow_archived")
        assert error["details"]["id"] == used.id, name
        assert "archived" in error["message"], name
    # An administrator may read every run but not start one from an archived workflow.
    assert_error(admin.post(f"/runs/{used.run_id}/rerun"), 404, "not_found")

    after = readable(owner, used)
    for part in ("workflow", "graph", "edges", "versions", "runs", "chats", "messages"):
        assert after[part] == before[part], part


def test_restoring_brings_it_back_to_the_list_changeable_and_runnable(
    owner: httpx.Client,
) -> None:
    used = used_workflow(owner)
    ok(owner.delete(f"/workflows/{used.id}"), 204)

    restored = ok(owner.post(f"/workflows/{used.id}/unarchive"))
    assert restored["is_active"] is True and restored["archived_at"] is None
    assert restored["graph"]["nodes"] and restored["latest_version"] == 1
    assert used.id in listed(owner) and used.id not in listed(owner, archived="true")
    again = ok(owner.post(f"/workflows/{used.id}/unarchive"))  # already active: unchanged
    assert again["is_active"] is True

    run = ok(owner.post(f"/workflows/{used.id}/execute", json={"query": QUERY}))
    assert run["version"] == 1
    ok(owner.put(f"/workflows/{used.id}", json={"name": "back again"}))
    ok(owner.post(f"/chat/sessions/{used.chat_id}/messages", json={"content": QUERY}))
    ok(owner.post(f"/runs/{used.run_id}/rerun"))
    assert_error(owner.post("/workflows/no-such-workflow/unarchive"), 404, "not_found")


def test_purging_needs_an_administrator_and_the_retention_period(
    owner: httpx.Client, other_user: httpx.Client, admin: httpx.Client
) -> None:
    used = used_workflow(owner)
    active = used_workflow(owner, "still active")
    ok(owner.delete(f"/workflows/{used.id}"), 204)

    for client in (owner, other_user):
        assert_error(client.post("/admin/purge"), 403, "forbidden")
        assert_error(
            client.post("/admin/purge", json={"workflow_ids": [used.id]}), 403, "forbidden"
        )

    too_soon = assert_error(
        admin.post("/admin/purge", json={"workflow_ids": [used.id]}), 409, "retention_not_elapsed"
    )
    assert too_soon["details"]["purgeable_after"] > too_soon["details"]["archived_at"]
    not_archived = admin.post("/admin/purge", json={"workflow_ids": [active.id]})
    assert_error(not_archived, 409, "workflow_not_archived")
    assert_error(
        admin.post("/admin/purge", json={"workflow_ids": ["no-such-id"]}), 404, "not_found"
    )
    bad_bodies: list[dict[str, Any]] = [
        {"workflow_ids": []},
        {"workflow_ids": ["bad\u0000id"]},
        {"workflow_ids": ["é"]},
        {"workflow_ids": used.id},
        {"dry_run": "yes please"},
        {"everything": True},
    ]
    for bad in bad_bodies:
        assert_error(admin.post("/admin/purge", json=bad), 422, "invalid_request")

    report = ok(admin.post("/admin/purge"))  # everything archived for 30 days: none here
    assert report["retention_days"] == 30 and report["dry_run"] is False
    assert used.id not in [w["id"] for w in report["purged"]]
    readable(owner, used)
    readable(owner, active)


@pytest.fixture
def api_with_no_retention(running_stack: RunningStack, tmp_path: Path) -> Iterator[str]:
    """A second API process of the same deployment, configured by its operator with
    ARCHIVE_RETENTION_DAYS=0 (archived workflows may be purged at once)."""
    env = dict(running_stack.env, ARCHIVE_RETENTION_DAYS="0", API_WORKER_SLOTS="0")
    port = free_port()
    api = start_api(env, "127.0.0.1", port, tmp_path / "logs")
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, 120, [api])
        yield url
    finally:
        api.stop()


def cli_verify(stack: RunningStack, record: Path) -> subprocess.CompletedProcess[str]:
    """``python -m api.cli audit verify FILE`` as the owner's administrator runs it."""
    env = {k: v for k, v in stack.env.items() if k != "GENAI_TOKEN"}
    env.update(GENAI_API_URL=stack.api_url, GENAI_EMAIL=ADMIN_EMAIL, GENAI_PASSWORD=ADMIN_PASSWORD)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "audit", "verify", str(record)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_a_purge_erases_the_workflow_and_its_runs_and_earlier_records_still_verify(
    running_stack: RunningStack,
    api_with_no_retention: str,
    owner: httpx.Client,
    admin: httpx.Client,
    tmp_path: Path,
) -> None:
    used = used_workflow(owner)
    kept = used_workflow(owner, "archived, not purged")
    exported = owner.get(f"/runs/{used.run_id}/audit")
    assert exported.status_code == 200, exported.text
    record_file = tmp_path / "record.json"
    record_file.write_bytes(exported.content)
    ok(owner.delete(f"/workflows/{used.id}"), 204)
    ok(owner.delete(f"/workflows/{kept.id}"), 204)

    with login(api_with_no_retention, ADMIN_EMAIL, ADMIN_PASSWORD) as operator:
        everything = ok(operator.post("/admin/purge", json={"dry_run": True}))
        assert everything["retention_days"] == 0 and everything["dry_run"] is True
        assert {used.id, kept.id} <= {w["id"] for w in everything["purged"]}
        dry = ok(operator.post("/admin/purge", json={"workflow_ids": [used.id], "dry_run": True}))
        assert [(w["id"], w["runs"], w["versions"], w["chat_sessions"]) for w in dry["purged"]] == [
            (used.id, 2, 1, 1)
        ]
        readable(owner, used)  # a dry run erases nothing

        done = ok(operator.post("/admin/purge", json={"workflow_ids": [used.id]}))
        assert [w["id"] for w in done["purged"]] == [used.id] and done["dry_run"] is False
        assert_error(
            operator.post("/admin/purge", json={"workflow_ids": [used.id]}), 404, "not_found"
        )

    for path in (
        f"/workflows/{used.id}",
        f"/workflows/{used.id}/graph",
        f"/workflows/{used.id}/versions",
        f"/runs/{used.run_id}",
        f"/runs/{used.run_id}/timeline",
        f"/runs/{used.run_id}/audit",
        f"/runs/{used.chat_run_id}",
        f"/chat/sessions/{used.chat_id}/messages",
    ):
        assert_error(owner.get(path), 404, "not_found")
    assert_error(admin.get(f"/runs/{used.run_id}"), 404, "not_found")
    assert ok(owner.get("/runs", params={"workflow_id": used.id}))["items"] == []
    assert used.id not in listed(owner, archived="true")
    assert kept.id in listed(owner, archived="true")  # only the one named was purged
    readable(owner, kept)

    record = json.loads(record_file.read_bytes())
    verdict = ok(owner.post("/audit/verify", json=record))
    assert verdict["valid"] is True and verdict["run_id"] == used.run_id, verdict
    verified = cli_verify(running_stack, record_file)
    assert verified.returncode == 0, (verified.stdout, verified.stderr)
    assert "valid: true" in verified.stdout
    record["outputs"]["status"] = "failed"  # the same check still catches an edited record
    tampered = ok(owner.post("/audit/verify", json=record))
    assert tampered["valid"] is False and tampered["digest_matches"] is False

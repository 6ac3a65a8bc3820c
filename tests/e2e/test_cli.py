"""``python -m api.cli runs|audit ...`` and ``replay-check --run`` against the real stack."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack

ROOT = Path(__file__).parents[2]
QUERY = "what does the command line do?"


def cli(stack: RunningStack, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, logged in as the administrator unless ``env`` says otherwise."""
    full_env = {k: v for k, v in stack.env.items() if k != "GENAI_TOKEN"}
    full_env.update(
        GENAI_API_URL=stack.api_url, GENAI_EMAIL=ADMIN_EMAIL, GENAI_PASSWORD=ADMIN_PASSWORD
    )
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result.stdout


def new_run_id(stdout: str) -> str:
    """The ``run_id: <id>`` line of ``runs rerun`` / ``runs replay``."""
    return next(line.split(": ", 1)[1] for line in stdout.splitlines() if line.startswith("run_id"))


def sealed_parts(record: str) -> list[str]:
    """What differs between two exports of one run: the time and the seal over it."""
    found = json.loads(record)
    return [found["exported_at"], found["integrity"]["digest"], found["integrity"]["signature"]]


@pytest.fixture(scope="module")
def executed(admin: httpx.Client) -> dict[str, Any]:
    """A finished run of a one-LLM workflow: its workflow id and execute response."""
    created = admin.post(
        "/workflows", json={"name": "cli", "graph": direct_llm_graph(model="gpt-4o-mini")}
    )
    assert created.status_code == 201, created.text
    wf_id = str(created.json()["id"])
    reply = admin.post(f"/workflows/{wf_id}/execute", json={"query": QUERY})
    assert reply.status_code == 200, reply.text
    return {"workflow_id": wf_id, **reply.json()}


def test_runs_list_shows_the_run(running_stack: RunningStack, executed: dict[str, Any]) -> None:
    out = ok(cli(running_stack, "runs", "list", "--workflow", executed["workflow_id"]))
    header, *rows = out.splitlines()
    assert header.split() == ["RUN", "WORKFLOW", "VERSION", "STATUS", "KIND", "STARTED"]
    assert len(rows) == 1 and rows[0].split()[:5] == [
        executed["run_id"], executed["workflow_id"], "draft", "completed", "run",
    ]  # fmt: skip
    failed = ok(cli(running_stack, "runs", "list", "--workflow", executed["workflow_id"],
                    "--status", "failed"))  # fmt: skip
    assert failed.strip() == "no runs"


def test_rerun_and_replay_make_linked_runs(
    running_stack: RunningStack, executed: dict[str, Any], admin: httpx.Client
) -> None:
    rerun = ok(cli(running_stack, "runs", "rerun", executed["run_id"]))
    rerun_id = new_run_id(rerun)
    assert rerun_id != executed["run_id"] and f"answer: {executed['response']}" in rerun

    replay = ok(cli(running_stack, "runs", "replay", executed["run_id"], "--from-node", "llm"))
    replay_id = new_run_id(replay)
    assert "answer: " in replay

    for run_id, kind in [(rerun_id, "rerun"), (replay_id, "replay")]:
        run = admin.get(f"/runs/{run_id}").json()
        assert run["kind"] == kind and run["parent_run_id"] == executed["run_id"]
    assert admin.get(f"/runs/{replay_id}").json()["replay_from_node"] == "llm"

    listed = ok(cli(running_stack, "runs", "list", "--workflow", executed["workflow_id"]))
    assert {rerun_id, replay_id, executed["run_id"]} <= set(listed.split())


def test_replay_check_over_the_api_and_from_temporal(
    running_stack: RunningStack, executed: dict[str, Any]
) -> None:
    out = ok(cli(running_stack, "runs", "replay-check", executed["run_id"]))
    assert out.splitlines() == [f"ok  {executed['run_id']}", "1 checked, 0 failed"]

    recent = ok(cli(running_stack, "runs", "replay-check", "--recent", "3"))
    assert recent.splitlines()[-1].endswith(" failed") and "FAIL" not in recent

    offline = ok(cli(running_stack, "replay-check", "--run", executed["run_id"]))
    assert offline.splitlines() == [f"ok  {executed['run_id']}", "1 checked, 0 failed"]


def test_an_exported_audit_record_verifies_until_a_byte_changes(
    running_stack: RunningStack, executed: dict[str, Any], admin: httpx.Client, tmp_path: Path
) -> None:
    record = tmp_path / "audit.json"
    ok(cli(running_stack, "audit", "export", executed["run_id"], "-o", str(record)))
    exported = record.read_bytes()
    served = admin.get(f"/runs/{executed['run_id']}/audit").content
    assert sealed_parts(served.decode()) != sealed_parts(exported.decode())  # a later export
    served_parts, exported_parts = sealed_parts(served.decode()), sealed_parts(exported.decode())
    for before, after in zip(served_parts, exported_parts, strict=False):
        served = served.replace(before.encode(), after.encode())
    assert served == exported  # otherwise byte for byte: as sent, not re-serialized

    verified = ok(cli(running_stack, "audit", "verify", str(record)))
    assert "valid: true" in verified.splitlines()
    assert f"run_id: {executed['run_id']}" in verified

    body = bytearray(record.read_bytes())
    at = body.index(b"command line")
    body[at] ^= 0x20  # "c" -> "C": still JSON, no longer what was exported
    record.write_bytes(bytes(body))
    tampered = cli(running_stack, "audit", "verify", str(record))
    assert tampered.returncode == 1, (tampered.stdout, tampered.stderr)
    assert "valid: false" in tampered.stdout and "digest_matches: false" in tampered.stdout


def test_an_unknown_run_is_an_api_error(running_stack: RunningStack) -> None:
    for args in (["runs", "rerun", "no-such-run"], ["audit", "export", "no-such-run"]):
        result = cli(running_stack, *args)
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert result.stderr.startswith("error: ") and "(not_found)" in result.stderr
        assert "Traceback" not in result.stderr


def test_bad_credentials_and_an_unreachable_api(running_stack: RunningStack) -> None:
    explicit = cli(running_stack, "runs", "list", "--api-url", running_stack.api_url,
                   GENAI_API_URL="http://127.0.0.1:9")  # fmt: skip
    assert explicit.returncode == 0, explicit.stderr  # --api-url wins over GENAI_API_URL

    wrong = cli(running_stack, "runs", "list", GENAI_PASSWORD="not-the-password")
    assert wrong.returncode == 1 and "(invalid_credentials)" in wrong.stderr

    token = cli(running_stack, "runs", "list", GENAI_TOKEN="not-a-token")
    assert token.returncode == 1 and "(unauthorized)" in token.stderr

    unreachable = cli(running_stack, "runs", "list", GENAI_API_URL="http://127.0.0.1:9")
    assert unreachable.returncode == 1 and "Traceback" not in unreachable.stderr
    assert "cannot connect to the API at http://127.0.0.1:9" in unreachable.stderr

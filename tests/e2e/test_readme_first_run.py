"""The README's "A first run over HTTP" block, run as written (bash, curl, jq) against the
running stack: only the host, the email and the password are this stack's."""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx

from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack

ROOT = Path(__file__).parents[2]


def first_run_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## A first run over HTTP", 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match, "the README has no bash block under 'A first run over HTTP'"
    return match.group(1)


def json_documents(text: str) -> list[dict[str, Any]]:
    """The JSON documents curl printed one after another (without newlines)."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text):
        document, at = decoder.raw_decode(text, at)
        found.append(document)
        while at < len(text) and text[at].isspace():
            at += 1
    return found


def test_the_readmes_first_run_works_as_written(
    running_stack: RunningStack, admin: httpx.Client
) -> None:
    host = running_stack.api_url.removeprefix("http://")
    script = (
        first_run_block()
        .replace("localhost:8000", host)
        .replace("you@example.org", ADMIN_EMAIL)
        .replace('"password":"..."', f'"password":"{ADMIN_PASSWORD}"')
    )
    assert host in script and ADMIN_PASSWORD in script
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script + '\necho "KB=$KB DOC=$DOC ID=$ID"\n'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    output, _, names = done.stdout.rstrip().rpartition("KB=")
    validate, execute = json_documents(output)
    ids = dict(pair.split("=", 1) for pair in f"KB={names}".split())
    assert admin.get(f"/documents/{ids['DOC']}").json()["knowledge_base_id"] == ids["KB"]
    assert validate["valid"] is True
    assert execute["success"] is True and execute["model"] == "gpt-4o-mini", execute
    assert execute["context_used"] is True
    assert {c["document"] for c in execute["citations"]} == {"shared-mime-info-notes.pdf"}
    assert admin.get(f"/runs/{execute['run_id']}").json()["workflow_id"] == ids["ID"]

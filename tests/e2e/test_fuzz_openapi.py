"""Schemathesis over the running API's own OpenAPI document, as an ordinary user.

Every operation the document lists is called with generated requests: the examples, the
coverage phase (boundary values, wrong types, missing and extra fields) and up to
``MAX_EXAMPLES`` random ones each, seeded so a run is reproducible. The test fails on any
5xx and on any response that does not match the schema the document declares for it.

Most generated ids would only ever reach a 404, so three requests in four of an
operation with path parameters have them replaced by ids of real objects of the fuzzing
user (a workflow with nodes, edges and a published version, a run, a chat, a knowledge base
with a document, its workspace with a second member, an API key). A ``DELETE`` gets objects
made for it, so the ones the other operations use stay. Excluded, because it would end the
fuzzing user's own session: ``POST /api/v1/auth/logout`` (it revokes the token the fuzzer
sends).

The session stack has rate limits and log-in throttling loose enough that the fuzzer is
never throttled (tests/support/live_stack.py); the figures (operations, requests, 5xx,
violations, seconds) are printed at the end and written to ``fuzz-summary.json`` in the
stack's log folder.
"""

import json
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
import schemathesis.engine
from schemathesis.engine import Status
from schemathesis.engine.events import FatalError, NonFatalError, ScenarioFinished
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from tests.support.graphs import direct_llm_graph
from tests.support.knowledge_api import create_kb, upload
from tests.support.live_stack import RunningStack
from tests.support.login import login

MAX_EXAMPLES = 20
SEED = 20_261_110
REQUEST_TIMEOUT_SECONDS = 30
EXCLUDED_PATHS = ["/api/v1/auth/logout"]
EMAIL, PASSWORD = "fuzzer@example.org", "fuzzer-password-1"
MEMBER_EMAIL = "fuzzer-colleague@example.org"


@dataclass
class Tally:
    """What the fuzzing did, for the summary."""

    started: float = field(default_factory=time.monotonic)
    operations: set[str] = field(default_factory=set)
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "operations": len(self.operations),
            "requests": self.requests,
            "5xx": len(self.server_errors),
            "failed_checks": len(self.failures),
            "engine_errors": len(self.errors),
            "seconds": round(time.monotonic() - self.started, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "server_errors": self.server_errors[:20],
            "failures": self.failures[:20],
            "errors": self.errors[:20],
        }


@dataclass
class Objects:
    """Ids of the fuzzing user's objects, by the path parameter names that take them."""

    client: httpx.Client
    ids: dict[str, str]

    def workflow(self) -> dict[str, str]:
        wf = self.client.post(
            "/workflows", json={"name": "fuzz", "graph": direct_llm_graph(model="gpt-4o-mini")}
        ).raise_for_status()
        workflow_id = wf.json()["id"]
        edges = self.client.get(f"/workflows/{workflow_id}/edges").raise_for_status().json()
        return {"workflow_id": workflow_id, "node_id": "llm", "edge_id": edges[0]["id"]}

    def chat(self, workflow_id: str | None = None) -> dict[str, str]:
        """A chat on ``workflow_id``, or on a new workflow: the fuzzer may have archived the
        shared one by the time a ``DELETE`` needs a fresh chat."""
        workflow_id = workflow_id or self.workflow()["workflow_id"]
        chat = self.client.post("/chat/sessions", json={"workflow_id": workflow_id})
        return {"chat_id": chat.raise_for_status().json()["id"]}

    def knowledge_base(self) -> dict[str, str]:
        return {"kb_id": create_kb(self.client, embedding_provider="openai")["id"]}

    def document(self, kb_id: str | None = None) -> dict[str, str]:
        kb_id = kb_id or self.ids["kb_id"]
        document = upload(self.client, kb_id, "notes.txt", b"Refunds take 5 days.")
        return {"document_id": document["id"]}

    def workspace(self, workspace_id: str | None = None) -> dict[str, str]:
        """A workspace of the fuzzing user (a new one unless given) with a second member."""
        if workspace_id is None:
            made = self.client.post("/workspaces", json={"name": "fuzz"}).raise_for_status()
            workspace_id = made.json()["id"]
        detail = self.client.post(
            f"/workspaces/{workspace_id}/members", json={"email": MEMBER_EMAIL, "role": "viewer"}
        ).raise_for_status()
        members = detail.json()["members"]
        member_id = next(m["user_id"] for m in members if m["email"] == MEMBER_EMAIL)
        return {"workspace_id": workspace_id, "user_id": member_id}

    def api_key(self) -> dict[str, str]:
        key = self.client.post("/api-keys", json={"name": "fuzz"}).raise_for_status()
        return {"key_id": key.json()["id"]}

    def fresh(self, path: str) -> dict[str, str]:
        """New objects for a DELETE of ``path``, so the shared ones survive it."""
        if "/workspaces/" in path:
            return self.workspace()
        if "/api-keys/" in path:
            return self.api_key()
        if "/documents/" in path:
            return self.document(self.knowledge_base()["kb_id"])
        if "/knowledge-bases/" in path:
            return self.knowledge_base()
        if "/chat/" in path:
            return self.chat()
        if "/workflows/" in path:
            return self.workflow()
        return {}


@pytest.fixture(scope="module")
def objects(running_stack: RunningStack, admin: httpx.Client) -> Iterator[Objects]:
    admin.post("/users", json={"email": EMAIL, "password": PASSWORD}).raise_for_status()
    admin.post("/users", json={"email": MEMBER_EMAIL, "password": PASSWORD}).raise_for_status()
    with login(running_stack.api_url, EMAIL, PASSWORD) as client:
        made = Objects(client, {})
        made.ids.update(
            made.workspace(client.get("/workspaces").raise_for_status().json()[0]["id"])
        )
        made.ids.update(made.api_key())
        made.ids.update(made.workflow())
        wid = made.ids["workflow_id"]
        client.post(f"/workflows/{wid}/versions", json={"note": "v1"}).raise_for_status()
        run = client.post(f"/workflows/{wid}/execute", json={"query": "hello"}).raise_for_status()
        made.ids["run_id"] = made.ids["other_run_id"] = run.json()["run_id"]
        made.ids["number"] = "1"
        made.ids.update(made.chat(wid))
        made.ids.update(made.knowledge_base())
        made.ids.update(made.document())
        yield made


def use_real_ids(case: Any, objects: Objects) -> None:
    """Three cases in four (chosen from the generated values, so reproducibly) get ids of
    real objects in place of the generated ones; a DELETE gets objects made for it."""
    params = case.path_parameters
    if not params or zlib.crc32(repr(sorted(params.items())).encode()) % 4 == 0:
        return
    ids = objects.fresh(case.path) if case.method.upper() == "DELETE" else objects.ids
    for name in params:
        if name in ids:
            params[name] = ids[name]


@contextmanager
def global_hooks(objects: Objects, tally: Tally) -> Iterator[None]:
    """Schemathesis calls ``before_call`` and ``after_call`` hooks of its global dispatcher
    around every request; they are registered for the fuzzing only."""

    def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
        use_real_ids(case, objects)

    def after_call(context: Any, case: Any, response: Any) -> None:
        label = f"{case.method.upper()} {case.path}"
        tally.operations.add(case.operation.label)
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.server_errors.append(f"{label} → {response.status_code}: {response.text[:300]}")

    registered = [
        GLOBAL_HOOK_DISPATCHER.register_hook_with_name(before_call, "before_call"),
        GLOBAL_HOOK_DISPATCHER.register_hook_with_name(after_call, "after_call"),
    ]
    try:
        yield
    finally:
        for hook in registered:
            GLOBAL_HOOK_DISPATCHER.unregister(hook)


def test_no_5xx_and_every_response_matches_its_schema(
    request: pytest.FixtureRequest, running_stack: RunningStack, objects: Objects
) -> None:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": running_stack.api_url,
            "headers": {"Authorization": objects.client.headers["Authorization"]},
            "request-timeout": REQUEST_TIMEOUT_SECONDS,
            "continue-on-failure": True,
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "checks": {
                "enabled": False,
                "not_a_server_error": {"enabled": True},
                "response_schema_conformance": {"enabled": True},
            },
        }
    )
    schema = schemathesis.openapi.from_url(
        f"{running_stack.api_url}/openapi.json", config=config
    ).exclude(path=EXCLUDED_PATHS)
    tally = Tally()
    with global_hooks(objects, tally):
        for event in schemathesis.engine.from_schema(schema).execute():
            if isinstance(event, ScenarioFinished):
                for checks in event.recorder.checks.values():
                    tally.failures += [
                        f"{event.label} [{c.name}]: {c.failure_info.failure.title}: "
                        f"{c.failure_info.failure.message[:300]}"
                        for c in checks
                        if c.status == Status.FAILURE and c.failure_info is not None
                    ]
            elif isinstance(event, NonFatalError):
                tally.errors.append(f"{event.label}: {event.value!r}"[:300])
            elif isinstance(event, FatalError):
                tally.errors.append(f"fatal: {event.exception!r}"[:300])

    figures = tally.summary()
    (running_stack.log_dir / "fuzz-summary.json").write_text(json.dumps(figures, indent=2))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"schemathesis: {json.dumps(figures)}")
    assert tally.operations, "nothing was fuzzed"
    assert tally.server_errors == [], figures
    assert tally.failures == [], figures
    assert tally.errors == [], figures

"""The authorisation decision of every route, in one table.

Each operation of the API needs one of:

- ``public``: nobody needs to log in (logging in, health);
- ``account``: the user's own account — logging out, the password, API keys, a
  workspace's members — with a login only, never with an API key, so a leaked key can
  neither mint keys nor let anyone in;
- ``read`` / ``run`` / ``write``: reading, running (execute, chat, re-run, replay), or
  building and changing; within a workspace the member's role decides (``api.core.access``),
  and an API key's scope must allow it too;
- ``admin``: administrators only (users, connections, purge).

``create_app`` refuses to start when a route has no entry here, and the authorisation
table test probes every entry, so no route can ship without a decision.
"""

import re
from enum import StrEnum

from fastapi import FastAPI


class Need(StrEnum):
    PUBLIC = "public"
    ACCOUNT = "account"
    READ = "read"
    RUN = "run"
    WRITE = "write"
    ADMIN = "admin"


class KeyScope(StrEnum):
    """What an API key may do, within what its owner may do."""

    READ = "read"
    RUN = "run"
    FULL = "full"


SCOPE_ALLOWS: dict[KeyScope, frozenset[Need]] = {
    KeyScope.READ: frozenset({Need.READ}),
    KeyScope.RUN: frozenset({Need.READ, Need.RUN}),
    KeyScope.FULL: frozenset({Need.READ, Need.RUN, Need.WRITE, Need.ADMIN}),
}

_V1 = "/api/v1"
_P, _A, _R, _X, _W, _ADM = Need.PUBLIC, Need.ACCOUNT, Need.READ, Need.RUN, Need.WRITE, Need.ADMIN

ROUTE_NEEDS: dict[tuple[str, str], Need] = {
    ("GET", "/health"): _P,
    ("GET", "/health/live"): _P,
    ("GET", "/health/ready"): _P,
    ("POST", f"{_V1}/auth/login"): _P,
    ("POST", f"{_V1}/auth/logout"): _A,
    ("POST", f"{_V1}/auth/password"): _A,
    ("GET", f"{_V1}/auth/me"): _R,
    ("POST", f"{_V1}/users"): _ADM,
    ("POST", f"{_V1}/users/{{user_id}}/password"): _ADM,
    ("GET", f"{_V1}/api-keys"): _A,
    ("POST", f"{_V1}/api-keys"): _A,
    ("DELETE", f"{_V1}/api-keys/{{key_id}}"): _A,
    ("GET", f"{_V1}/components"): _R,
    ("PUT", f"{_V1}/components/{{component_id}}"): _W,
    ("DELETE", f"{_V1}/components/{{component_id}}"): _W,
    # workspaces
    ("GET", f"{_V1}/workspaces"): _R,
    ("POST", f"{_V1}/workspaces"): _W,
    ("GET", f"{_V1}/workspaces/{{workspace_id}}"): _R,
    ("PUT", f"{_V1}/workspaces/{{workspace_id}}"): _W,
    ("POST", f"{_V1}/workspaces/{{workspace_id}}/members"): _A,
    ("PUT", f"{_V1}/workspaces/{{workspace_id}}/members/{{user_id}}"): _A,
    ("DELETE", f"{_V1}/workspaces/{{workspace_id}}/members/{{user_id}}"): _A,
    # workflows and their graphs
    ("POST", f"{_V1}/workflows"): _W,
    ("GET", f"{_V1}/workflows"): _R,
    ("POST", f"{_V1}/workflows/{{workflow_id}}/duplicate"): _W,
    ("GET", f"{_V1}/workflows/{{workflow_id}}"): _R,
    ("PUT", f"{_V1}/workflows/{{workflow_id}}"): _W,
    ("DELETE", f"{_V1}/workflows/{{workflow_id}}"): _W,
    ("POST", f"{_V1}/workflows/{{workflow_id}}/unarchive"): _W,
    ("GET", f"{_V1}/workflows/{{workflow_id}}/graph"): _R,
    ("PUT", f"{_V1}/workflows/{{workflow_id}}/graph"): _W,
    ("GET", f"{_V1}/workflows/{{workflow_id}}/components"): _R,
    ("POST", f"{_V1}/workflows/{{workflow_id}}/components"): _W,
    ("PUT", f"{_V1}/workflows/{{workflow_id}}/components/{{node_id}}"): _W,
    ("DELETE", f"{_V1}/workflows/{{workflow_id}}/components/{{node_id}}"): _W,
    ("GET", f"{_V1}/workflows/{{workflow_id}}/edges"): _R,
    ("POST", f"{_V1}/workflows/{{workflow_id}}/edges"): _W,
    ("DELETE", f"{_V1}/workflows/{{workflow_id}}/edges/{{edge_id}}"): _W,
    ("GET", f"{_V1}/workflows/{{workflow_id}}/validate"): _R,
    ("POST", f"{_V1}/workflows/{{workflow_id}}/execute"): _X,
    ("POST", f"{_V1}/workflows/{{workflow_id}}/runs"): _X,
    # versions
    ("POST", f"{_V1}/workflows/{{workflow_id}}/versions"): _W,
    ("GET", f"{_V1}/workflows/{{workflow_id}}/versions"): _R,
    ("GET", f"{_V1}/workflows/{{workflow_id}}/versions/diff"): _R,
    ("GET", f"{_V1}/workflows/{{workflow_id}}/versions/{{number}}"): _R,
    ("POST", f"{_V1}/workflows/{{workflow_id}}/versions/{{number}}/restore"): _W,
    # runs
    ("GET", f"{_V1}/runs"): _R,
    ("POST", f"{_V1}/runs/replay-check"): _X,
    ("POST", f"{_V1}/audit/verify"): _R,
    ("GET", f"{_V1}/runs/{{run_id}}"): _R,
    ("GET", f"{_V1}/runs/{{run_id}}/timeline"): _R,
    ("GET", f"{_V1}/runs/{{run_id}}/events"): _R,
    ("GET", f"{_V1}/runs/{{run_id}}/audit"): _R,
    ("POST", f"{_V1}/runs/{{run_id}}/rerun"): _X,
    ("POST", f"{_V1}/runs/{{run_id}}/replay"): _X,
    ("GET", f"{_V1}/runs/{{run_id}}/compare/{{other_run_id}}"): _R,
    # chat
    ("POST", f"{_V1}/chat/sessions"): _X,
    ("GET", f"{_V1}/chat/sessions"): _R,
    ("DELETE", f"{_V1}/chat/sessions/{{chat_id}}"): _X,
    ("GET", f"{_V1}/chat/sessions/{{chat_id}}/messages"): _R,
    ("POST", f"{_V1}/chat/sessions/{{chat_id}}/messages"): _X,
    ("POST", f"{_V1}/chat/messages"): _X,
    # knowledge
    ("POST", f"{_V1}/knowledge-bases"): _W,
    ("GET", f"{_V1}/knowledge-bases"): _R,
    ("GET", f"{_V1}/knowledge-bases/{{kb_id}}"): _R,
    ("PUT", f"{_V1}/knowledge-bases/{{kb_id}}"): _W,
    ("DELETE", f"{_V1}/knowledge-bases/{{kb_id}}"): _W,
    ("POST", f"{_V1}/knowledge-bases/{{kb_id}}/reindex"): _W,
    ("GET", f"{_V1}/knowledge-bases/{{kb_id}}/documents"): _R,
    ("POST", f"{_V1}/documents/upload"): _W,
    ("GET", f"{_V1}/documents/{{document_id}}"): _R,
    ("DELETE", f"{_V1}/documents/{{document_id}}"): _W,
    ("GET", f"{_V1}/documents/{{document_id}}/events"): _R,
    ("POST", f"{_V1}/documents/{{document_id}}/cancel"): _W,
    ("POST", f"{_V1}/documents/{{document_id}}/retry"): _W,
    # usage and estimated cost
    ("GET", f"{_V1}/usage"): _R,
    ("GET", f"{_V1}/usage/prices"): _R,
    # administration
    ("POST", f"{_V1}/admin/purge"): _ADM,
    ("GET", f"{_V1}/connections"): _R,
    ("POST", f"{_V1}/connections"): _ADM,
    ("POST", f"{_V1}/connections/rotate-keys"): _ADM,
    ("GET", f"{_V1}/connections/{{name}}"): _R,
    ("PATCH", f"{_V1}/connections/{{name}}"): _ADM,
    ("DELETE", f"{_V1}/connections/{{name}}"): _ADM,
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile(
        "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts if p) + "$"
    )


# Templates with more literal segments first: /runs/replay-check before /runs/{run_id}.
_MATCHERS = sorted(
    ((method, _pattern(path), need, path) for (method, path), need in ROUTE_NEEDS.items()),
    key=lambda m: -sum(1 for seg in m[3].split("/") if seg and not seg.startswith("{")),
)


def need_for(method: str, path: str) -> Need | None:
    """The decision for a request's method and path, None if no route decides it."""
    method = "GET" if method == "HEAD" else method
    return next(
        (need for m, pattern, need, _ in _MATCHERS if m == method and pattern.match(path)), None
    )


def undecided_routes(app: FastAPI) -> list[str]:
    """Operations of the app's OpenAPI document without a decision in ``ROUTE_NEEDS``."""
    schema = app.openapi()
    return [
        f"{method.upper()} {path}"
        for path, operations in schema.get("paths", {}).items()
        for method in operations
        if (method.upper(), path) not in ROUTE_NEEDS
    ]

"""The front door holds: input no route can store is a 422 (never a 500) and changes
nothing; every timestamp carries its offset on PostgreSQL and SQLite; every response
carries the security headers; CORS, the docs and the metrics follow their settings.

Besides the session stack (PostgreSQL, default settings), a second API process runs on
SQLite against the same Temporal, Chroma and worker, with the restrictive settings:
``CORS_ALLOWED_ORIGINS``, ``API_DOCS_ENABLED=false`` and ``METRICS_TOKEN``.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from stack.processes import migrate
from tests.support.api_errors import assert_error
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack
from tests.support.login import login

ALLOWED_ORIGIN = "https://builder.example"
METRICS_TOKEN = "metrics-token-for-tests"
SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


@pytest.fixture(scope="module")
def sqlite_api(
    running_stack: RunningStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An API process on SQLite with the restrictive settings; the URL it serves."""
    root = tmp_path_factory.mktemp("sqlite-api")
    settings = {
        "DATABASE_URL": f"sqlite:///{root / 'api.db'}",
        "CORS_ALLOWED_ORIGINS": f"{ALLOWED_ORIGIN}, https://other.example",
        "API_DOCS_ENABLED": "false",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    migrate(dict(running_stack.env, **settings))
    with running_stack.extra_api(settings, name="sqlite-api") as url:
        yield url


@pytest.fixture(scope="module")
def door_user(running_stack: RunningStack, admin: httpx.Client) -> Iterator[httpx.Client]:
    """An ordinary user of the PostgreSQL stack whose objects only this module touches."""
    email, password = "front-door@example.org", "front-door-password-1"
    admin.post("/users", json={"email": email, "password": password}).raise_for_status()
    with login(running_stack.api_url, email, password) as client:
        yield client


@pytest.fixture
def workflow(door_user: httpx.Client) -> dict[str, Any]:
    created = door_user.post(
        "/workflows", json={"name": "front door", "graph": direct_llm_graph(model="gpt-4o-mini")}
    )
    created.raise_for_status()
    workflow: dict[str, Any] = created.json()
    return workflow


def post_raw(client: httpx.Client, path: str, body: bytes) -> httpx.Response:
    return client.post(path, content=body, headers={"Content-Type": "application/json"})


# ---------------------------------------------------------------------------------------
# 422, never 500, and nothing written


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"type": "output", "position": {"x": NaN, "y": 0}}', "body"),
        (b'{"type": "output", "position": {"x": Infinity, "y": 0}}', "body"),
        (b'{"type": "output", "position": {"x": 1, "y": -Infinity}}', "body"),
        (b'{"type": "output", "position": {"x": 1e999, "y": 0}}', "body"),
        (b'{"type": "output", "config": {"weights": [1, NaN]}}', "body"),
        (b'{"type": "output", "config": {"note": "a\\u0000b"}}', "config.note"),
        (b'{"type": "output", "config": {"a\\u0000": 1}}', "config.a\x00"),
        (b'{"type": "output", "config": {"note": "\\ud800"}}', "config.note"),
        (b'{"type": "\\u00e9t\\u00e9"}', "type"),
        (b'{"type": "llm engine"}', "type"),
        (b'{"type": "output", "node_id": "n\\u00f8de"}', "node_id"),
        (b'{"type": "output", "position": {"x": true, "y": 0}}', "position.x"),
        (b'{"type": "output", "policy": {"maximum_attempts": true}}', "policy.maximum_attempts"),
        (
            b'{"type": "output", "policy": {"backoff_coefficient": false}}',
            "policy.backoff_coefficient",
        ),
        (b'{"type": "output", "position": {"x": ' + b"9" * 5000 + b', "y": 0}}', "body"),
        (b'{"type": "output", "config": {"n": 9007199254740992}}', "body"),
        (b'{"type": "output", "config": {"n": [-30365330213862910197760]}}', "body"),
    ],
)
def test_unstorable_component_bodies_are_422_and_add_nothing(
    door_user: httpx.Client, workflow: dict[str, Any], body: bytes, field: str
) -> None:
    path = f"/workflows/{workflow['id']}"
    before = door_user.get(f"{path}/graph").json()
    error = assert_error(post_raw(door_user, f"{path}/components", body), 422, "invalid_request")
    assert [p["field"] for p in error["details"]["problems"]] == [field]
    assert door_user.get(f"{path}/graph").json() == before


def test_an_odd_but_ascii_component_type_gets_an_id_that_is_an_identifier(
    door_user: httpx.Client, workflow: dict[str, Any]
) -> None:
    """Unknown types are allowed in a draft (validate names them); the generated id must
    still be a node id, which the 143 × 500 on non-ASCII types were not."""
    reply = door_user.post(f"/workflows/{workflow['id']}/components", json={"type": "a.b-c"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["id"] == "a_b-c_1"
    problems = assert_error(
        door_user.get(f"/workflows/{workflow['id']}/validate"), 422, "graph_invalid"
    )
    assert ("a_b-c_1", "unknown_component") in {
        (p["node_id"], p["code"]) for p in problems["details"]["problems"]
    }


def test_integers_within_the_json_range_and_large_floats_are_kept(
    door_user: httpx.Client, workflow: dict[str, Any]
) -> None:
    """±(2^53 - 1) is the range canonical JSON (RFC 8785) writes; audit records of runs of
    a graph holding a larger integer could not be exported (a 500 the fuzzing found)."""
    body = b'{"type": "output", "config": {"n": -9007199254740991, "f": 1e300}}'
    reply = post_raw(door_user, f"/workflows/{workflow['id']}/components", body)
    assert reply.status_code == 201, reply.text
    assert reply.json()["config"] == {"n": -9007199254740991, "f": 1e300}


@pytest.mark.parametrize(
    "node",
    [
        b'"position": {"x": NaN, "y": 1}',
        b'"position": {"x": 1, "y": Infinity}',
        b'"position": {"x": false, "y": 1}',
        b'"config": {"x": "\\u0000"}',
    ],
)
def test_a_graph_with_non_finite_positions_booleans_or_null_bytes_is_refused(
    door_user: httpx.Client, workflow: dict[str, Any], node: bytes
) -> None:
    graph_path = f"/workflows/{workflow['id']}/graph"
    before = door_user.get(graph_path).json()
    body = b'{"nodes": [{"id": "q", "type": "user_query", ' + node + b'}], "edges": []}'
    reply = door_user.put(graph_path, content=body, headers={"Content-Type": "application/json"})
    assert_error(reply, 422, "invalid_request")
    assert door_user.get(graph_path).json() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/workflows", b'{"name": "n\\u0000ame"}'),
        ("POST", "/workflows", b'{"name": "nan", "description": NaN}'),
        ("POST", "/knowledge-bases", b'{"name": "kb\\u0000"}'),
        ("POST", "/chat/sessions", b'{"workflow_id": "caf\\u00e9"}'),
        ("POST", "/runs/replay-check", b'{"run_ids": ["r\\u00fcn"]}'),
        ("POST", "/auth/login", b'{"email": "a\\u0000@example.org", "password": "x"}'),
        ("POST", "/audit/verify", b'{"digest": NaN}'),
    ],
)
def test_null_bytes_non_finite_numbers_and_non_ascii_ids_in_any_body_are_422(
    door_user: httpx.Client, method: str, path: str, body: bytes
) -> None:
    workflows_before = door_user.get("/workflows").json()
    reply = door_user.request(
        method, path, content=body, headers={"Content-Type": "application/json"}
    )
    assert_error(reply, 422, "invalid_request")
    assert door_user.get("/workflows").json() == workflows_before


@pytest.mark.parametrize("kb_id", ["kb\x00", "k\u00e9", "kb\x1b[0m"])
def test_an_upload_naming_a_knowledge_base_with_odd_characters_is_refused(
    door_user: httpx.Client, kb_id: str
) -> None:
    """The streamed upload is not JSON, so its form fields are checked where they are read."""
    reply = door_user.post(
        "/documents/upload",
        data={"knowledge_base_id": kb_id},
        files={"file": ("notes\x00.txt", b"Refunds take 5 days.", "text/plain")},
    )
    error = assert_error(reply, 422, "invalid_request")
    assert "knowledge_base_id" in error["message"]


def test_booleans_are_not_version_numbers_and_strings_still_parse(
    door_user: httpx.Client, workflow: dict[str, Any]
) -> None:
    wid = workflow["id"]
    refused = door_user.post(f"/workflows/{wid}/execute", json={"query": "hi", "version": True})
    error = assert_error(refused, 422, "invalid_request")
    assert error["details"]["problems"][0]["field"] == "version"
    assert door_user.get("/runs", params={"workflow_id": wid}).json()["items"] == []
    # A JSON string still becomes an enum (the embedding provider) and a literal ("draft").
    kb = door_user.post("/knowledge-bases", json={"name": "enum", "embedding_provider": "openai"})
    assert kb.status_code == 201, kb.text
    assert kb.json()["embedding_provider"] == "openai"
    chat = door_user.post("/chat/sessions", json={"workflow_id": wid}).json()
    draft = door_user.post(
        f"/chat/sessions/{chat['id']}/messages", json={"content": "hi", "version": "draft"}
    )
    assert draft.status_code == 200, draft.text


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/%00", "path"),
        ("/api/v1/workflows/%00", "path"),
        ("/api/v1/workflows/abc%0Adef", "path"),
        ("/api/v1/workflows/%C3%A9t%C3%A9", "path"),
        ("/api/v1/runs/%E2%80%8B", "path"),
        ("/api/v1/knowledge-bases/\u043a\u0431", "path"),
        ("/api/v1/runs?workflow_id=%00", "query"),
        ("/api/v1/runs?cursor=a%0Db", "query"),
        ("/api/v1/runs?workflow_id=caf%C3%A9", "query"),
        ("/api/v1/chat/sessions?workflow_id=\u00e9", "query"),
    ],
)
def test_control_characters_and_non_ascii_ids_in_the_target_are_422(
    running_stack: RunningStack, door_user: httpx.Client, path: str, field: str
) -> None:
    token = door_user.headers["Authorization"]
    reply = httpx.get(running_stack.api_url + path, headers={"Authorization": token})
    error = assert_error(reply, 422, "invalid_request")
    assert error["details"]["problems"][0]["field"] == field


def test_a_foreign_id_that_is_ascii_is_still_a_plain_404(door_user: httpx.Client) -> None:
    assert_error(door_user.get("/workflows/not-a-workflow"), 404, "not_found")


# ---------------------------------------------------------------------------------------
# Every timestamp carries its offset, on both databases


def timestamps(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, value) of a ``*_at`` field in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}"
            if key.endswith("_at") and isinstance(item, str):
                yield here, item
            else:
                yield from timestamps(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from timestamps(item, f"{path}.{index}")


def exercise(client: httpx.Client) -> list[Any]:
    """Creates, reads and lists one of each object; every answer, in order."""
    answers: list[Any] = []

    def keep(reply: httpx.Response) -> Any:
        assert reply.status_code < 300, (reply.request.url, reply.text)
        answers.append(reply.json())
        return answers[-1]

    wf = keep(
        client.post(
            "/workflows", json={"name": "tz", "graph": direct_llm_graph(model="gpt-4o-mini")}
        )
    )
    keep(client.get(f"/workflows/{wf['id']}"))
    keep(client.put(f"/workflows/{wf['id']}", json={"description": "changed"}))
    keep(client.get("/workflows"))
    keep(client.post(f"/workflows/{wf['id']}/versions", json={"note": "first"}))
    keep(client.get(f"/workflows/{wf['id']}/versions"))
    keep(client.get(f"/workflows/{wf['id']}/versions/1"))
    chat = keep(client.post("/chat/sessions", json={"workflow_id": wf["id"]}))
    keep(client.get("/chat/sessions"))
    keep(client.post(f"/chat/sessions/{chat['id']}/messages", json={"content": "hello"}))
    keep(client.get(f"/chat/sessions/{chat['id']}/messages"))
    kb = keep(client.post("/knowledge-bases", json={"name": "tz kb"}))
    keep(client.get(f"/knowledge-bases/{kb['id']}"))
    keep(client.get("/knowledge-bases"))
    run = keep(client.post(f"/workflows/{wf['id']}/execute", json={"query": "what time is it"}))
    keep(client.get(f"/runs/{run['run_id']}"))
    keep(client.get("/runs", params={"workflow_id": wf["id"]}))
    return answers


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_every_timestamp_created_or_read_carries_its_offset(
    request: pytest.FixtureRequest, running_stack: RunningStack, database: str
) -> None:
    api_url = (
        running_stack.api_url if database == "postgresql" else request.getfixturevalue("sqlite_api")
    )
    with login(api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as client:
        found = [t for answer in exercise(client) for t in timestamps(answer)]
    fields = {path.rsplit(".", 1)[1] for path, _ in found}
    assert {"created_at", "updated_at", "started_at", "finished_at"} <= fields, fields
    naive = [(path, text) for path, text in found if datetime.fromisoformat(text).tzinfo is None]
    assert naive == [], f"{database}: timestamps without an offset: {naive[:5]}"


# ---------------------------------------------------------------------------------------
# Headers, CORS, docs and metrics


def assert_security_headers(reply: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert reply.headers.get(name) == value, (reply.request.url, name, reply.headers)
    policy = reply.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]


def test_the_builder_page_its_assets_and_the_api_carry_the_security_headers(
    running_stack: RunningStack, door_user: httpx.Client
) -> None:
    base = running_stack.api_url
    page = httpx.get(base + "/workflows/some-id")
    assert page.status_code == 200 and '<div id="root">' in page.text
    assert_security_headers(page)
    assert page.headers["content-security-policy"].startswith(
        "default-src 'self'; script-src 'self';"
    )
    script = page.text.split('src="', 1)[1].split('"', 1)[0]
    assert_security_headers(httpx.get(base + script))
    assert_security_headers(door_user.get("/workflows"))
    assert_security_headers(httpx.get(base + "/api/v1/workflows"))  # a 401
    assert_security_headers(httpx.get(base + "/health"))
    assert_security_headers(httpx.get(base + "/docs"))
    assert "strict-transport-security" not in page.headers  # plain HTTP


def test_hsts_only_when_the_request_arrived_over_tls(running_stack: RunningStack) -> None:
    """uvicorn trusts X-Forwarded-Proto from its forwarded-allow-ips (127.0.0.1 by default):
    how a TLS-terminating proxy in front tells the API the scheme."""
    over_tls = httpx.get(running_stack.api_url + "/health", headers={"X-Forwarded-Proto": "https"})
    assert over_tls.headers["strict-transport-security"].startswith("max-age=")
    plain = httpx.get(running_stack.api_url + "/health")
    assert "strict-transport-security" not in plain.headers


def preflight(api_url: str, origin: str, path: str = "/api/v1/workflows") -> httpx.Response:
    return httpx.options(
        api_url + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_by_default_only_the_same_origin_and_a_preflight_is_never_405(
    running_stack: RunningStack, door_user: httpx.Client
) -> None:
    for path in ("/api/v1/workflows", "/api/v1/workflows/x/components", "/api/v1/auth/login"):
        reply = preflight(running_stack.api_url, ALLOWED_ORIGIN, path)
        assert reply.status_code == 204, reply.text
        assert not [h for h in reply.headers if h.startswith("access-control-")]
    listed = httpx.get(
        running_stack.api_url + "/api/v1/workflows",
        headers={"Origin": ALLOWED_ORIGIN, "Authorization": door_user.headers["Authorization"]},
    )
    assert listed.status_code == 200
    assert "access-control-allow-origin" not in listed.headers


def test_allowed_origins_get_cors_answers_and_others_get_none(sqlite_api: str) -> None:
    allowed = preflight(sqlite_api, ALLOWED_ORIGIN, "/api/v1/workflows/abc/components")
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    allowed_headers = allowed.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "access-control-allow-credentials" not in allowed.headers
    assert "origin" in allowed.headers["vary"].lower()

    refused = preflight(sqlite_api, "https://evil.example")
    assert refused.status_code == 204
    assert not [h for h in refused.headers if h.startswith("access-control-")]
    assert not [h for h in preflight(sqlite_api, "null").headers if h.startswith("access-control-")]

    with login(sqlite_api, ADMIN_EMAIL, ADMIN_PASSWORD) as client:
        token = client.headers["Authorization"]
    actual = httpx.get(
        sqlite_api + "/api/v1/workflows", headers={"Origin": ALLOWED_ORIGIN, "Authorization": token}
    )
    assert actual.status_code == 200
    assert actual.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    other = httpx.get(
        sqlite_api + "/api/v1/workflows",
        headers={"Origin": "https://evil.example", "Authorization": token},
    )
    assert other.status_code == 200  # the browser, not the server, withholds the answer
    assert not [h for h in other.headers if h.startswith("access-control-")]


def test_docs_and_metrics_are_open_by_default(running_stack: RunningStack) -> None:
    base = running_stack.api_url
    assert httpx.get(base + "/openapi.json").json()["info"]["title"] == "GenAI Stack"
    for page in ("/docs", "/redoc"):
        reply = httpx.get(base + page)
        assert reply.status_code == 200 and "/openapi.json" in reply.text
        script_src = reply.headers["content-security-policy"].split("script-src ", 1)[1]
        assert "'unsafe-inline'" not in script_src.split(";")[0]
    metrics = httpx.get(base + "/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")


def test_docs_can_be_turned_off_and_metrics_put_behind_a_token(sqlite_api: str) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert_error(httpx.get(sqlite_api + path), 404, "not_found")
    assert_error(httpx.get(sqlite_api + "/metrics"), 401, "unauthorized")
    wrong = httpx.get(sqlite_api + "/metrics", headers={"Authorization": "Bearer nope"})
    assert_error(wrong, 401, "unauthorized")
    good = httpx.get(sqlite_api + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert good.status_code == 200 and good.headers["content-type"].startswith("text/plain")

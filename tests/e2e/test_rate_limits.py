"""Quotas and log-in throttling against real API processes started with small limits.

The limits are kept where every API process sees them: in the database (PostgreSQL or the
embedded SQLite file) or in Redis. Two API processes sharing one database count together,
whichever process a call reaches.
"""

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from stack.processes import migrate
from tests.support.api_errors import assert_error
from tests.support.graphs import direct_llm_graph
from tests.support.knowledge import EMBEDDING_MODEL
from tests.support.knowledge_api import create_kb, post_file
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack
from tests.support.login import login
from tests.support.postgres import temporary_database

REDIS_URL = "redis://127.0.0.1:6379/0"
API_CALLS_PER_HOUR = 40
ACCOUNT_FAILURES = 3
FIRST_DELAY, MAX_DELAY = 2, 4


@contextmanager
def limits_store(store: str, root: Path) -> Iterator[dict[str, str]]:
    """Settings of a fresh, migrated database (and, for ``redis``, a fresh Redis prefix)."""
    with ExitStack() as stack:
        if store == "sqlite":
            url = f"sqlite:///{root / f'limits-{uuid.uuid4().hex[:8]}.db'}"
        else:
            url = stack.enter_context(temporary_database("genai_limits"))
        settings = {"DATABASE_URL": url}
        if store == "redis":
            prefix = f"genai-test-{uuid.uuid4().hex}:"
            settings |= {"RATE_LIMIT_REDIS_URL": REDIS_URL, "RATE_LIMIT_REDIS_PREFIX": prefix}
            server = redis.Redis.from_url(REDIS_URL)
            stack.callback(lambda: [server.delete(k) for k in server.scan_iter(f"{prefix}*")])
        yield settings


@contextmanager
def api_processes(
    running_stack: RunningStack, settings: dict[str, str], count: int
) -> Iterator[list[str]]:
    """``count`` API processes with ``settings`` (on their database, migrated first)."""
    migrate(dict(running_stack.env) | settings)
    with ExitStack() as stack:
        # One after the other: each creates the first administrator if it is missing.
        yield [stack.enter_context(running_stack.extra_api(settings)) for _ in range(count)]


@dataclass
class Pair:
    store: str
    urls: list[str]


@pytest.fixture(scope="module", params=["postgresql", "sqlite", "redis"])
def pair(
    request: pytest.FixtureRequest,
    running_stack: RunningStack,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Pair]:
    """Two API processes sharing one database (and, for ``redis``, one Redis)."""
    small = {
        "RATE_LIMIT_API_CALLS_PER_HOUR": str(API_CALLS_PER_HOUR),
        "LOGIN_ACCOUNT_FAILURE_LIMIT": str(ACCOUNT_FAILURES),
        "LOGIN_DELAY_SECONDS": str(FIRST_DELAY),
        "LOGIN_MAX_DELAY_SECONDS": str(MAX_DELAY),
    }
    with (
        limits_store(request.param, tmp_path_factory.mktemp("limits")) as store,
        api_processes(running_stack, store | small, 2) as urls,
    ):
        yield Pair(request.param, urls)


def new_user(admin: httpx.Client) -> tuple[str, str, str]:
    email, password = f"limited-{uuid.uuid4().hex[:10]}@example.org", "limited-password-1"
    reply = admin.post("/users", json={"email": email, "password": password})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"], email, password


def log_in(api_url: str, email: str, password: str) -> httpx.Response:
    body = {"email": email, "password": password}
    return httpx.post(f"{api_url}/api/v1/auth/login", json=body, timeout=60)


def retry_after(reply: httpx.Response) -> int:
    """The reply's ``Retry-After``: whole seconds, at least 1."""
    value = reply.headers["Retry-After"]
    assert value.isdigit() and int(value) >= 1, value
    return int(value)


def test_the_api_limit_holds_across_two_api_processes(pair: Pair) -> None:
    """80 concurrent calls of one user spread over both processes: exactly the quota is
    answered, the rest get 429 with Retry-After, and a refused execute runs nothing."""
    first, second = pair.urls
    with login(first, ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
        user_id, email, password = new_user(admin)
        with login(second, email, password) as user:
            workflow = user.post("/workflows", json={"name": "limited"})
            assert workflow.status_code == 201, workflow.text  # one call of the quota
        token = log_in(first, email, password).json()["access_token"]  # log-ins are not calls

        def call(index: int) -> httpx.Response:
            url = pair.urls[index % 2]
            headers = {"Authorization": f"Bearer {token}"}
            return httpx.get(f"{url}/api/v1/auth/me", headers=headers, timeout=60)

        with ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(call, range(2 * API_CALLS_PER_HOUR)))
        answered = [r for r in replies if r.status_code == 200]
        refused = [r for r in replies if r.status_code != 200]
        assert len(answered) == API_CALLS_PER_HOUR - 1, [r.status_code for r in replies]
        assert {r.request.url.port for r in answered} == {
            httpx.URL(u).port for u in pair.urls
        }  # both processes answered some
        interval = 3600 / API_CALLS_PER_HOUR
        for reply in refused:
            error = assert_error(reply, 429, "rate_limited")
            assert error["details"]["quota"] == "api"
            assert 1 <= retry_after(reply) <= interval + 1
            assert error["details"]["retry_after_seconds"] == retry_after(reply)

        headers = {"Authorization": f"Bearer {token}"}
        execute = httpx.post(
            f"{second}/api/v1/workflows/{workflow.json()['id']}/execute",
            json={"query": "refused"},
            headers=headers,
            timeout=60,
        )
        assert_error(execute, 429, "rate_limited")
        runs = admin.get("/runs", params={"user_id": user_id})
        assert runs.status_code == 200 and runs.json()["items"] == []


def test_log_in_throttling_holds_across_two_api_processes(pair: Pair) -> None:
    """Failures on either process count for the account; the delay grows, a success resets
    it, and an unknown email is throttled exactly like a known one."""
    first, second = pair.urls
    with login(first, ADMIN_EMAIL, ADMIN_PASSWORD) as admin:
        _, email, password = new_user(admin)

    def fail(times: int) -> None:
        for attempt in range(times):
            reply = log_in(pair.urls[attempt % 2], email, "wrong-password")
            assert_error(reply, 401, "invalid_credentials")

    fail(ACCOUNT_FAILURES)
    blocked = log_in(second, email, password)  # even the right password waits
    error = assert_error(blocked, 429, "too_many_attempts")
    assert retry_after(blocked) <= FIRST_DELAY and error["details"]["retry_after_seconds"] >= 1
    time.sleep(retry_after(blocked))
    assert log_in(first, email, password).status_code == 200

    # The success reset the count: the same number of failures again, the same delay.
    fail(ACCOUNT_FAILURES)
    blocked = log_in(first, email, password)
    assert_error(blocked, 429, "too_many_attempts")
    assert retry_after(blocked) <= FIRST_DELAY
    time.sleep(retry_after(blocked))
    # One more failure doubles it (to the cap here).
    fail(1)
    blocked = log_in(second, email, password)
    assert_error(blocked, 429, "too_many_attempts")
    assert FIRST_DELAY < retry_after(blocked) <= MAX_DELAY
    time.sleep(retry_after(blocked))
    assert log_in(second, email, password).status_code == 200

    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    for attempt in range(ACCOUNT_FAILURES):
        assert_error(log_in(pair.urls[attempt % 2], unknown, "x"), 401, "invalid_credentials")
    assert_error(log_in(first, unknown, "x"), 429, "too_many_attempts")


def test_log_ins_are_throttled_per_client_address(
    running_stack: RunningStack, tmp_path: Path
) -> None:
    """Failures for many accounts from one address block that address, for any account."""
    settings = {"LOGIN_ADDRESS_FAILURE_LIMIT": "4", "LOGIN_DELAY_SECONDS": str(FIRST_DELAY)}
    with (
        limits_store("postgresql", tmp_path) as store,
        api_processes(running_stack, store | settings, 1) as (api,),
    ):
        for attempt in range(4):
            reply = log_in(api, f"guess-{attempt}@example.org", "guess")
            assert_error(reply, 401, "invalid_credentials")
        blocked = log_in(api, ADMIN_EMAIL, ADMIN_PASSWORD)
        assert_error(blocked, 429, "too_many_attempts")
        time.sleep(retry_after(blocked))
        assert log_in(api, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200


@pytest.fixture(scope="module")
def small_quotas(running_stack: RunningStack) -> Iterator[str]:
    """An API process on the stack's own database allowing 2 executions and 2 uploads an
    hour (its keys are per user, so the new users of these tests start afresh)."""
    settings = {"RATE_LIMIT_EXECUTIONS_PER_HOUR": "2", "RATE_LIMIT_UPLOADS_PER_HOUR": "2"}
    with running_stack.extra_api(settings, name="api-small-quotas") as url:
        yield url


def test_executions_chats_reruns_and_replays_share_one_quota(
    small_quotas: str, admin: httpx.Client
) -> None:
    _, email, password = new_user(admin)
    with login(small_quotas, email, password) as user:
        graph = direct_llm_graph(model="gpt-4o-mini")
        wf_id = user.post("/workflows", json={"name": "quota", "graph": graph}).json()["id"]
        # Refused requests are not counted.
        assert_error(user.post(f"/workflows/{wf_id}/execute", json={}), 422, "invalid_request")
        missing = user.post(f"/workflows/{uuid.uuid4()}/execute", json={"query": "q"})
        assert_error(missing, 404, "not_found")

        run = user.post(f"/workflows/{wf_id}/execute", json={"query": "one"})
        assert run.status_code == 200, run.text
        chat = user.post("/chat/sessions", json={"workflow_id": wf_id}).json()
        message = user.post(f"/chat/sessions/{chat['id']}/messages", json={"content": "two"})
        assert message.status_code == 200, message.text

        run_id = run.json()["run_id"]
        refused = [
            user.post(f"/workflows/{wf_id}/execute", json={"query": "three"}),
            user.post(f"/chat/sessions/{chat['id']}/messages", json={"content": "three"}),
            user.post(f"/runs/{run_id}/rerun"),
            user.post(f"/runs/{run_id}/replay", json={"from_node": "llm"}),
        ]
        for reply in refused:
            error = assert_error(reply, 429, "rate_limited")
            assert error["details"] == {
                "quota": "execution",
                "per_hour": 2,
                "retry_after_seconds": retry_after(reply),
            }
            assert 1700 < retry_after(reply) <= 1800  # one execution every 30 minutes

        assert len(user.get("/runs").json()["items"]) == 2
        assert len(user.get(f"/chat/sessions/{chat['id']}/messages").json()) == 2


def test_uploads_have_their_own_quota(small_quotas: str, admin: httpx.Client) -> None:
    _, email, password = new_user(admin)
    with login(small_quotas, email, password) as user:
        kb = create_kb(user, embedding_provider="openai", embedding_model=EMBEDDING_MODEL)
        assert_error(post_file(user, kb["id"], "empty.txt", b""), 422, "empty_file")
        for index in range(2):
            reply = post_file(user, kb["id"], f"notes-{index}.txt", b"Some notes.")
            assert reply.status_code == 202, reply.text
        refused = post_file(user, kb["id"], "third.txt", b"More notes.")
        error = assert_error(refused, 429, "rate_limited")
        assert error["details"]["quota"] == "upload"
        assert retry_after(refused) > 1700
        documents = user.get(f"/knowledge-bases/{kb['id']}/documents").json()
        assert sorted(d["filename"] for d in documents) == ["notes-0.txt", "notes-1.txt"]
        # Executions are a separate quota: this user still has both.
        graph = direct_llm_graph(model="gpt-4o-mini")
        wf_id = user.post("/workflows", json={"name": "q", "graph": graph}).json()["id"]
        assert user.post(f"/workflows/{wf_id}/execute", json={"query": "q"}).status_code == 200

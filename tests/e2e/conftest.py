"""The real stack for end-to-end tests, started once per session.

PostgreSQL (a fresh database on 127.0.0.1:5432), a Temporal dev server, a Chroma
server, the worker and the API run as real processes; OpenAI, Gemini and SerpAPI are
loopback fakes speaking their wire formats, so the real SDKs run end to end.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from stack.processes import (
    ManagedProcess,
    Stack,
    free_port,
    migrate,
    start_api,
    start_chroma,
    start_temporal,
    start_worker,
    wait_healthy,
)
from tests.fakes.gemini_fake import FakeGemini
from tests.fakes.openai_fake import FakeOpenAI
from tests.fakes.serpapi_fake import FakeSerpApi

POSTGRES_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES_ADMIN_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres"
)
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "admin-password-1"
OPENAI_KEY = "sk-test-openai"
GEMINI_KEY = "test-gemini-key"
SERPAPI_KEY = "test-serpapi-key"


@dataclass
class Fakes:
    openai: FakeOpenAI
    gemini: FakeGemini
    serpapi: FakeSerpApi


@dataclass
class RunningStack:
    """What tests need to reach the processes."""

    api_url: str
    env: dict[str, str]
    log_dir: Path
    worker: ManagedProcess
    stack: Stack

    def restart_worker(self) -> None:
        self.worker.kill()
        self.stack.processes.remove(self.worker)
        self.worker = self.stack.add(start_worker(self.env, self.log_dir))


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    with (
        FakeOpenAI(api_key=OPENAI_KEY) as openai,
        FakeGemini(api_key=GEMINI_KEY) as gemini,
        FakeSerpApi(api_key=SERPAPI_KEY) as serpapi,
    ):
        yield Fakes(openai, gemini, serpapi)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty database on the machine's PostgreSQL, dropped afterwards."""
    name = f"genai_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN_DSN)
    yield (
        f"postgresql+psycopg://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}"
        f":{params.get('port', 5432)}/{name}"
    )
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def running_stack(
    fakes: Fakes, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    root = tmp_path_factory.mktemp("stack")
    log_dir = Path(os.environ.get("TEST_LOG_DIR", root / "logs"))
    stack = Stack()
    try:
        temporal_port, chroma_port, api_port = free_port(), free_port(), free_port()
        stack.add(start_temporal(root, temporal_port, free_port(), log_dir, persistent=False))
        stack.add(start_chroma(root / "chroma", chroma_port, log_dir))
        env = dict(
            os.environ,
            DATA_DIR=str(root / "data"),
            DATABASE_URL=postgres_url,
            TEMPORAL_ADDRESS=f"127.0.0.1:{temporal_port}",
            CHROMA_URL=f"http://127.0.0.1:{chroma_port}",
            OPENAI_API_KEY=OPENAI_KEY,
            OPENAI_BASE_URL=f"{fakes.openai.url}/v1",
            GEMINI_API_KEY=GEMINI_KEY,
            GEMINI_BASE_URL=fakes.gemini.url,
            SERPAPI_API_KEY=SERPAPI_KEY,
            SERPAPI_BASE_URL=fakes.serpapi.url,
            JWT_SECRET="test-jwt-secret-" + uuid.uuid4().hex,
            ADMIN_EMAIL=ADMIN_EMAIL,
            ADMIN_PASSWORD=ADMIN_PASSWORD,
            WORKER_METRICS_PORT=str(free_port()),
            PROVIDER_TIMEOUT_SECONDS="5",
        )
        migrate(env)
        worker = stack.add(start_worker(env, log_dir))
        stack.add(start_api(env, "127.0.0.1", api_port, log_dir))
        api_url = f"http://127.0.0.1:{api_port}"
        wait_healthy(api_url, 120, stack.processes)
        yield RunningStack(api_url, env, log_dir, worker, stack)
    finally:
        stack.stop()


def login(api_url: str, email: str, password: str) -> httpx.Client:
    token = httpx.post(
        f"{api_url}/api/v1/auth/login", json={"email": email, "password": password}
    ).raise_for_status().json()["access_token"]
    return httpx.Client(
        base_url=f"{api_url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


@pytest.fixture(scope="session")
def admin(running_stack: RunningStack) -> Iterator[httpx.Client]:
    with login(running_stack.api_url, ADMIN_EMAIL, ADMIN_PASSWORD) as client:
        yield client


@pytest.fixture(scope="session")
def other_user(running_stack: RunningStack, admin: httpx.Client) -> Iterator[httpx.Client]:
    """A second, ordinary user."""
    email, password = "other@example.org", "other-password-1"
    admin.post("/users", json={"email": email, "password": password}).raise_for_status()
    with login(running_stack.api_url, email, password) as client:
        yield client

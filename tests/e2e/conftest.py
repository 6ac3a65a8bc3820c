"""The real stack for end-to-end tests, started once per session.

PostgreSQL (a fresh database on 127.0.0.1:5432), a Temporal dev server, a Chroma
server, the worker and the API run as real processes; OpenAI, Gemini and SerpAPI are
loopback fakes speaking their wire formats, so the real SDKs run end to end.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.fakes.otlp_receiver import OtlpReceiver
from tests.support.fakes.running import Fakes, running_fakes
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack, launch_stack
from tests.support.login import login
from tests.support.postgres import temporary_database


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    with running_fakes() as started:
        yield started


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with temporary_database("genai_test") as url:
        yield url


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    """Where the stack's API and worker export their spans (as to Jaeger)."""
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def running_stack(
    fakes: Fakes, postgres_url: str, otlp: OtlpReceiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    root = tmp_path_factory.mktemp("stack")
    log_dir = Path(os.environ.get("TEST_LOG_DIR", root / "logs"))
    # Spans leave each process within half a second (the SDK's default is 5 s).
    tracing = {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp.url, "OTEL_BSP_SCHEDULE_DELAY": "500"}
    with launch_stack(fakes.urls, postgres_url, root, log_dir, tracing) as running:
        yield running


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

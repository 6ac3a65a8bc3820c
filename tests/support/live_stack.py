"""Launches the real stack against the provider fakes; shared by the e2e tests and bench/."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

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
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.running import FakeUrls
from workflows.connection import connect_temporal

ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "admin-password-1"
TEMPORAL_NAMESPACE = "default"

# A test session spends far more than the product's limits (docs/configuration.md) allow
# one user an hour; the tests of the limits start API processes with small ones instead.
GENEROUS_LIMITS = {
    "RATE_LIMIT_API_CALLS_PER_HOUR": "10000000",
    "RATE_LIMIT_EXECUTIONS_PER_HOUR": "10000000",
    "RATE_LIMIT_UPLOADS_PER_HOUR": "10000000",
    "LOGIN_ACCOUNT_FAILURE_LIMIT": "10000000",
    "LOGIN_ADDRESS_FAILURE_LIMIT": "10000000",
}


@dataclass
class RunningStack:
    """What tests need to reach the processes."""

    api_url: str
    env: dict[str, str]
    log_dir: Path
    worker: ManagedProcess
    stack: Stack

    def kill_worker(self) -> None:
        """SIGKILL the worker, as a crash would."""
        self.worker.kill()
        self.stack.processes.remove(self.worker)

    def start_worker(self) -> None:
        self.worker = self.stack.add(start_worker(self.env, self.log_dir))

    @contextmanager
    def extra_api(self, settings: dict[str, str] | None = None, name: str = "api") -> Iterator[str]:
        """Another API process on this stack's Temporal, Chroma and (unless ``settings`` name
        another ``DATABASE_URL``) database, with ``settings`` overriding the stack's; yields
        its URL and stops it on exit. It hosts no GraphRun worker (``API_WORKER_SLOTS=0``)."""
        port = free_port()
        env = dict(self.env, API_WORKER_SLOTS="0") | (settings or {})
        process = start_api(env, "127.0.0.1", port, self.log_dir, name=f"{name}-{port}")
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, 120, [process], path="/health/ready")
            yield url
        finally:
            process.stop()

    async def temporal(self) -> Client:
        """A client of the stack's Temporal server, connected the way the processes connect."""
        return await connect_temporal(self.env["TEMPORAL_ADDRESS"], self.env["TEMPORAL_NAMESPACE"])


def stack_env(
    fakes: FakeUrls, database_url: str, root: Path, temporal: str, chroma: str
) -> dict[str, str]:
    return dict(
        os.environ,
        DATA_DIR=str(root / "data"),
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=temporal,
        TEMPORAL_NAMESPACE=TEMPORAL_NAMESPACE,
        CHROMA_URL=chroma,
        OPENAI_API_KEY=OPENAI_KEY,
        OPENAI_BASE_URL=f"{fakes.openai}/v1",
        GEMINI_API_KEY=GEMINI_KEY,
        GEMINI_BASE_URL=fakes.gemini,
        SERPAPI_API_KEY=SERPAPI_KEY,
        SERPAPI_BASE_URL=fakes.serpapi,
        JWT_SECRET="test-jwt-secret-" + uuid.uuid4().hex,
        ADMIN_EMAIL=ADMIN_EMAIL,
        ADMIN_PASSWORD=ADMIN_PASSWORD,
        WORKER_METRICS_PORT=str(free_port()),
        TEMPORAL_SDK_METRICS_PORT="0",
        PROVIDER_TIMEOUT_SECONDS="5",
        RUNS_RECONCILE_INTERVAL_SECONDS="2",
        **GENEROUS_LIMITS,
    )


@contextmanager
def launch_stack(
    fakes: FakeUrls,
    database_url: str,
    root: Path,
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
) -> Iterator[RunningStack]:
    """Temporal dev server, Chroma server, migrations, worker and API; stopped on exit.

    ``extra_env`` overrides settings of the worker and API (e.g. ``API_WORKER_SLOTS``).
    """
    stack = Stack()
    try:
        temporal_port, chroma_port, api_port = free_port(), free_port(), free_port()
        stack.add(start_temporal(root, temporal_port, free_port(), log_dir, persistent=False))
        stack.add(start_chroma(root / "chroma", chroma_port, log_dir))
        env = stack_env(
            fakes,
            database_url,
            root,
            f"127.0.0.1:{temporal_port}",
            f"http://127.0.0.1:{chroma_port}",
        )
        env.update(extra_env or {})
        migrate(env)
        worker = stack.add(start_worker(env, log_dir))
        stack.add(start_api(env, "127.0.0.1", api_port, log_dir))
        api_url = f"http://127.0.0.1:{api_port}"
        wait_healthy(api_url, 120, stack.processes)
        yield RunningStack(api_url, env, log_dir, worker, stack)
    finally:
        stack.stop()

"""``python -m stack`` (the README's first command, after setup) starts the whole
product on embedded defaults, keeps its data in one folder across restarts, and stops
every process on Ctrl-C."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from stack.processes import ManagedProcess, free_port, wait_for_port, wait_healthy

ADMIN_EMAIL = "owner@example.org"
ADMIN_PASSWORD = "owner-password-1"


@pytest.fixture
def product_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHROMA_URL")}
    return env | {
        "DATA_DIR": str(tmp_path / "data"),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "TEMPORAL_UI_URL": f"http://127.0.0.1:{free_port()}",
        "API_PORT": str(free_port()),
        "WORKER_METRICS_PORT": str(free_port()),
    }


@contextmanager
def running_product(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    proc = subprocess.Popen([sys.executable, "-m", "stack"], env=env)
    api = f"http://127.0.0.1:{env['API_PORT']}"
    try:
        launcher = ManagedProcess("python -m stack", proc, Path(env["DATA_DIR"]) / "logs")
        wait_healthy(api, 180, [launcher])
        yield proc, api
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop_with_ctrl_c(proc: subprocess.Popen[bytes], env: dict[str, str]) -> None:
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 0
    for port in (env["API_PORT"], env["TEMPORAL_ADDRESS"].rsplit(":", 1)[1]):
        with pytest.raises(OSError):
            wait_for_port(int(port), 0.5)


def login(api: str) -> httpx.Client:
    token = (
        httpx.post(
            f"{api}/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        .raise_for_status()
        .json()["access_token"]
    )
    return httpx.Client(base_url=f"{api}/api/v1", headers={"Authorization": f"Bearer {token}"})


def test_product_starts_keeps_data_across_restarts_and_stops_on_ctrl_c(
    product_env: dict[str, str],
) -> None:
    with running_product(product_env) as (proc, api):
        health = httpx.get(f"{api}/health").json()
        assert health["services"]["database"]["detail"] == "sqlite"
        assert {q["status"] for q in health["task_queues"].values()} == {"served"}
        created = subprocess.run(
            [sys.executable, "-m", "api.cli", "create-admin", "--email", ADMIN_EMAIL],
            env=product_env | {"ADMIN_PASSWORD": ADMIN_PASSWORD},
            capture_output=True,
            text=True,
        )
        assert created.returncode == 0, created.stderr
        with login(api) as client:
            wf = client.post("/workflows", json={"name": "kept"}).raise_for_status().json()
        stop_with_ctrl_c(proc, product_env)

    data = Path(product_env["DATA_DIR"])
    assert (data / "genai_stack.db").exists() and (data / "temporal.db").exists()
    assert (data / "chroma").is_dir()

    with running_product(product_env) as (proc, api):
        with login(api) as client:
            assert [w["id"] for w in client.get("/workflows").json()] == [wf["id"]]
        stop_with_ctrl_c(proc, product_env)


def test_cli_refuses_a_short_password(product_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "create-admin", "--email", ADMIN_EMAIL],
        env=product_env | {"ADMIN_PASSWORD": "short"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "at least 8 characters" in result.stderr

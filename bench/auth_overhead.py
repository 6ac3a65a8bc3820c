"""Latency that authentication and rate limiting add to a cheap GET, side by side in one run.

The real stack (PostgreSQL, Temporal dev server, Chroma, worker) plus one API process per
arm, every one started the same way (``API_WORKER_SLOTS=0``) and called in turn, request by
request, from one keep-alive client, so that the machine's load falls on all arms alike:

- baseline: an unauthenticated ``GET /api/v1/no-such-route`` (404: routing, middleware,
  the error format; no database);
- ``GET /api/v1/auth/me`` with ``RATE_LIMITS_ENABLED=false``: authentication only (the token
  checked, one query for the user and its login session);
- the same with rate limiting on, its state in PostgreSQL, in Redis, and on an embedded
  SQLite database (with its own authentication-only arm, since its sessions live there too).

    .venv/bin/python -m bench.auth_overhead [--requests 2000]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx

from tests.support.fakes.serve import fakes_in_another_process
from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD, launch_stack
from tests.support.postgres import temporary_database

REDIS_URL = "redis://127.0.0.1:6379/0"
ME, MISSING = "/api/v1/auth/me", "/api/v1/no-such-route"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def token(api_url: str) -> str:
    reply = httpx.post(
        f"{api_url}/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=60,
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000, help="per arm")
    args = parser.parse_args()

    prefix = f"genai-bench-{uuid.uuid4().hex}:"
    with (
        fakes_in_another_process() as fakes,
        temporary_database("genai_bench") as database_url,
        tempfile.TemporaryDirectory() as tmp,
        launch_stack(fakes.urls, database_url, Path(tmp), Path(tmp) / "logs") as stack,
        ExitStack() as apis,
    ):
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench-sqlite.db'}"
        migrate_env = dict(stack.env, DATABASE_URL=sqlite_url)
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], env=migrate_env)
        off = {"RATE_LIMITS_ENABLED": "false"}
        redis = {"RATE_LIMIT_REDIS_URL": REDIS_URL, "RATE_LIMIT_REDIS_PREFIX": prefix}
        sqlite = {"DATABASE_URL": sqlite_url}
        processes = {
            "off (PostgreSQL)": off,
            "on, database store (PostgreSQL)": {},
            "on, Redis store (PostgreSQL sessions)": redis,
            "off (SQLite)": sqlite | off,
            "on, database store (SQLite)": sqlite,
        }
        urls = {
            label: apis.enter_context(stack.extra_api(settings, name="api-bench"))
            for label, settings in processes.items()
        }
        arms: dict[str, tuple[httpx.Client, str]] = {}
        for label, url in urls.items():
            headers = {"Authorization": f"Bearer {token(url)}"}
            client = apis.enter_context(httpx.Client(base_url=url, headers=headers, timeout=60))
            arms[f"GET auth/me, limits {label}"] = (client, ME)
        baseline = apis.enter_context(httpx.Client(base_url=urls["off (PostgreSQL)"]))
        arms = {"baseline: unauthenticated 404 (no database)": (baseline, MISSING)} | arms

        samples: dict[str, list[float]] = {label: [] for label in arms}
        for round_ in range(args.requests + 100):
            for label, (client, path) in arms.items():
                start = time.perf_counter()
                reply = client.get(path)
                elapsed = (time.perf_counter() - start) * 1000
                expected = 404 if path == MISSING else 200
                assert reply.status_code == expected, (label, reply.status_code, reply.text)
                if round_ >= 100:  # warm-up
                    samples[label].append(elapsed)

    print(f"\n{args.requests} requests per arm, interleaved, one keep-alive client each (ms)")
    print(f"{'arm':<62}{'p50':>8}{'p95':>8}{'mean':>8}")
    for label, values in samples.items():
        print(
            f"{label:<62}{percentile(values, 0.5):>8.3f}{percentile(values, 0.95):>8.3f}"
            f"{statistics.mean(values):>8.3f}"
        )
    base = samples["baseline: unauthenticated 404 (no database)"]
    comparisons = {
        "on, database store (PostgreSQL)": "off (PostgreSQL)",
        "on, Redis store (PostgreSQL sessions)": "off (PostgreSQL)",
        "on, database store (SQLite)": "off (SQLite)",
    }
    for on_label, off_label in comparisons.items():
        limited = samples[f"GET auth/me, limits {on_label}"]
        unlimited = samples[f"GET auth/me, limits {off_label}"]
        print(
            f"{on_label}: rate limiting adds "
            f"p50 {percentile(limited, 0.5) - percentile(unlimited, 0.5):+.3f} ms, "
            f"p95 {percentile(limited, 0.95) - percentile(unlimited, 0.95):+.3f} ms; "
            f"authentication + rate limiting add "
            f"p50 {percentile(limited, 0.5) - percentile(base, 0.5):+.3f} ms over the baseline"
        )


if __name__ == "__main__":
    main()

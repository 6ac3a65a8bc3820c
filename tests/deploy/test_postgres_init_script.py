"""deploy/postgres/init-databases.sh against the real PostgreSQL on 127.0.0.1:5432."""

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "init-databases.sh"
SUPERUSER = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "POSTGRES_USER": "postgres"}

pytestmark = pytest.mark.skipif(shutil.which("psql") is None, reason="needs the psql client")


def _psql(sql: str, *, user: str = "postgres", database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-AtU", user, "-d", database, "-c", sql],
        env={**os.environ, **SUPERUSER},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return result.stdout.strip()


@pytest.fixture
def names() -> Iterator[dict[str, str]]:
    """Unique role and database names, dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    wanted = {
        "APP_DB_NAME": f"deploytest_app_{suffix}",
        "APP_DB_USER": f"deploytest_app_{suffix}",
        "TEMPORAL_DB_USER": f"deploytest_temporal_{suffix}",
        "TEMPORAL_DB_NAME": f"deploytest_temporal_{suffix}",
        "TEMPORAL_VISIBILITY_DB_NAME": f"deploytest_visibility_{suffix}",
    }
    yield wanted
    for key in ("APP_DB_NAME", "TEMPORAL_DB_NAME", "TEMPORAL_VISIBILITY_DB_NAME"):
        _psql(f'DROP DATABASE IF EXISTS "{wanted[key]}"')
    for key in ("APP_DB_USER", "TEMPORAL_DB_USER"):
        _psql(f'DROP ROLE IF EXISTS "{wanted[key]}"')


def _run_script(names: dict[str, str]) -> None:
    # A quote in a password must arrive as data, not as SQL.
    passwords = {"APP_DB_PASSWORD": 'it\'s "app"', "TEMPORAL_DB_PASSWORD": "t'emporal"}
    subprocess.run(
        ["bash", str(SCRIPT)],
        env={**os.environ, **SUPERUSER, **names, **passwords},
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_init_script_creates_each_database_owned_by_its_own_role(names: dict[str, str]) -> None:
    _run_script(names)
    _run_script(names)  # a second run (a restart, a manual re-run) changes nothing

    owners = dict(
        line.split("|")
        for line in _psql(
            "SELECT datname, pg_get_userbyid(datdba) FROM pg_database "
            f"WHERE datname LIKE 'deploytest_%{names['APP_DB_NAME'][-8:]}'"
        ).splitlines()
    )
    assert owners == {
        names["APP_DB_NAME"]: names["APP_DB_USER"],
        names["TEMPORAL_DB_NAME"]: names["TEMPORAL_DB_USER"],
        names["TEMPORAL_VISIBILITY_DB_NAME"]: names["TEMPORAL_DB_USER"],
    }


def test_app_role_cannot_open_temporals_databases(names: dict[str, str]) -> None:
    _run_script(names)

    assert _psql("SELECT current_user", user=names["APP_DB_USER"], database=names["APP_DB_NAME"])
    with pytest.raises(RuntimeError, match="CONNECT"):
        _psql("SELECT 1", user=names["APP_DB_USER"], database=names["TEMPORAL_DB_NAME"])
    with pytest.raises(RuntimeError, match="CONNECT"):
        _psql("SELECT 1", user=names["TEMPORAL_DB_USER"], database=names["APP_DB_NAME"])

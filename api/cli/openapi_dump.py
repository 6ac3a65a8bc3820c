"""Writes what the web builder takes from the API at build time: the OpenAPI schema its
typed client is generated from, and the component catalogue its unit tests use.

    .venv/bin/python -m api.cli.openapi_dump
    # writes frontend/openapi.json and frontend/src/builder/fixtures/components.json

``tests/api/test_openapi_snapshot.py`` fails when a committed file differs from the
API, so the front end cannot drift from the routes.
"""

import json
import sys
from pathlib import Path

from api.main import create_app
from api.workflows.catalogue import component_catalogue

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
TARGET = FRONTEND / "openapi.json"
CATALOGUE_FIXTURE = FRONTEND / "src" / "builder" / "fixtures" / "components.json"


def schema_text() -> str:
    return json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"


def catalogue_json() -> list[dict[str, object]]:
    return [c.model_dump(mode="json") for c in component_catalogue()]


def main() -> int:
    TARGET.write_text(schema_text())
    CATALOGUE_FIXTURE.write_text(json.dumps(catalogue_json(), indent=1) + "\n")
    print(f"wrote {TARGET} and {CATALOGUE_FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

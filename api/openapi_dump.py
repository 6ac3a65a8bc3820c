"""Writes the API's OpenAPI schema, from which the web builder's typed client is generated.

    .venv/bin/python -m api.openapi_dump            # writes frontend/openapi.json

``tests/api/test_openapi_snapshot.py`` fails when the committed file differs from the
API, so the front end's types cannot drift from the routes.
"""

import json
import sys
from pathlib import Path

from api.main import create_app

TARGET = Path(__file__).resolve().parents[1] / "frontend" / "openapi.json"


def schema_text() -> str:
    return json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    TARGET.write_text(schema_text())
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

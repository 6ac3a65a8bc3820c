"""The web builder's typed client is generated from frontend/openapi.json: keep it current."""

import json

from api.cli.openapi_dump import CATALOGUE_FIXTURE, TARGET, catalogue_json, schema_text


def test_committed_openapi_schema_matches_the_api() -> None:
    assert TARGET.read_text() == schema_text(), (
        "frontend/openapi.json is stale: run `.venv/bin/python -m api.cli.openapi_dump`"
    )


def test_the_builders_catalogue_fixture_matches_the_api() -> None:
    assert json.loads(CATALOGUE_FIXTURE.read_text()) == catalogue_json(), (
        "the builder's components.json is stale: run `.venv/bin/python -m api.cli.openapi_dump`"
    )

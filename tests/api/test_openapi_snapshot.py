"""The web builder's typed client is generated from frontend/openapi.json: keep it current."""

from api.openapi_dump import TARGET, schema_text


def test_committed_openapi_schema_matches_the_api() -> None:
    assert TARGET.read_text() == schema_text(), (
        "frontend/openapi.json is stale: run `.venv/bin/python -m api.openapi_dump`"
    )

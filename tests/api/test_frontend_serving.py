"""The API serves the built builder: files as they are, other paths get index.html."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.core.errors import install_error_handlers
from api.core.frontend import mount_frontend


def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<div id=root></div>")
    (tmp_path / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def client_for(dist: Path) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/v1/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    assert mount_frontend(app, dist)
    return TestClient(app)


def test_pages_assets_and_api_paths(tmp_path: Path) -> None:
    client = client_for(built(tmp_path))
    assert client.get("/").text == "<div id=root></div>"
    assert client.get("/workflows/abc").text == "<div id=root></div>"  # a browser route
    assert client.get("/assets/app.js").text == "console.log(1)"
    assert client.get("/favicon.svg").text == "<svg/>"
    assert client.get("/api/v1/ping").json() == {"ok": True}
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    for escape in (
        "/assets/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc/passwd",
    ):
        assert "root:" not in client.get(escape).text  # never a file outside dist


def test_nothing_is_mounted_before_the_builder_is_built(tmp_path: Path) -> None:
    assert mount_frontend(FastAPI(), tmp_path) is False

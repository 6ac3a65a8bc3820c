"""Serves the built web builder (``frontend/dist``) from the API, so one port is the product.

Files under ``dist`` are served as they are; any other path that is not the API's gets
``index.html`` (the builder routes in the browser). Paths under ``/api/`` never fall
through to the page: an unknown one is a 404 in the API's error format.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.core.errors import not_found

DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"


def mount_frontend(app: FastAPI, dist: Path = DIST) -> bool:
    """Adds the builder's routes last; False (and nothing added) when it is not built."""
    index = dist / "index.html"
    if not index.is_file():
        return False
    root = dist.resolve()
    app.mount("/assets", StaticFiles(directory=root / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def page(path: str) -> FileResponse:
        if path == "api" or path.startswith("api/"):
            raise not_found("endpoint", "/" + path)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return True

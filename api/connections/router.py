"""Provider connections: every user lists them (to choose one in a graph); administrators
add, change, delete them and rotate the encryption of their keys."""

from fastapi import APIRouter, Response

from api.connections import service
from api.connections.schemas import (
    ConnectionCreate,
    ConnectionOut,
    ConnectionUpdate,
    KeyRotationOut,
)
from api.core.deps import AdminUser, CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/connections", tags=["connections"])


@router.get("")
def list_connections(
    session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> list[ConnectionOut]:
    """Every connection a graph can name; keys are never shown, URLs only to administrators."""
    return service.list_connections(session, user=user, settings=settings)


@router.post("", status_code=201)
def create_connection(
    body: ConnectionCreate, session: SessionDep, settings: SettingsDep, user: AdminUser
) -> ConnectionOut:
    """Adds a connection (administrators only); its URL must pass the SSRF guard."""
    return service.create_connection(session, user=user, settings=settings, body=body)


@router.post("/rotate-keys")
def rotate_keys(session: SessionDep, settings: SettingsDep, _: AdminUser) -> KeyRotationOut:
    """Re-encrypts every stored key under the first configured encryption key."""
    return service.rotate_keys(session, settings=settings)


@router.get("/{name}")
def get_connection(
    name: str, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> ConnectionOut:
    """One connection by name."""
    return service.get_connection(session, user=user, settings=settings, name=name)


@router.patch("/{name}")
def update_connection(
    name: str, body: ConnectionUpdate, session: SessionDep, settings: SettingsDep, user: AdminUser
) -> ConnectionOut:
    """Changes a connection (administrators only); a new URL is checked again."""
    return service.update_connection(session, user=user, settings=settings, name=name, body=body)


@router.delete("/{name}", status_code=204)
def delete_connection(
    name: str, session: SessionDep, settings: SettingsDep, _: AdminUser
) -> Response:
    """Deletes a connection (administrators only)."""
    service.delete_connection(session, settings=settings, name=name)
    return Response(status_code=204)

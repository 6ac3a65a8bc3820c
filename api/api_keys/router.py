"""API keys for programs: their owner creates (sees the secret once), lists and revokes them.

Managing keys needs a login: an API key cannot create or revoke keys."""

from fastapi import APIRouter

from api.api_keys import service
from api.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from api.core.deps import CurrentUser, SessionDep

router = APIRouter(prefix="/api-keys", tags=["api keys"])


@router.post("", status_code=201)
def create_key(body: ApiKeyCreate, session: SessionDep, user: CurrentUser) -> ApiKeyCreated:
    """Creates a key; its secret is in this response only."""
    return service.create_key(session, user=user, body=body)


@router.get("")
def list_keys(session: SessionDep, user: CurrentUser) -> list[ApiKeyOut]:
    """Your keys with their scope, expiry and last use; never their secrets."""
    return service.list_keys(session, user=user)


@router.delete("/{key_id}")
def revoke_key(key_id: str, session: SessionDep, user: CurrentUser) -> ApiKeyOut:
    """Revokes a key at once; requests with it then get 401."""
    return service.revoke_key(session, user=user, key_id=key_id)

"""Request and response bodies of API keys."""

from datetime import datetime

from pydantic import BaseModel, Field

from api.core.route_access import KeyScope
from api.core.schemas import RequestBody


class ApiKeyCreate(RequestBody):
    name: str = Field(min_length=1, max_length=100)
    scope: KeyScope = KeyScope.RUN
    expires_in_days: int | None = Field(
        default=90, ge=1, le=3650, description="null: never expires."
    )


class ApiKeyOut(BaseModel):
    """A key as its owner sees it later: never the secret."""

    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it.")
    scope: KeyScope
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    last_used_address: str | None
    use_count: int
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """The new key, with its secret: shown this once, stored only as a hash."""

    key: str

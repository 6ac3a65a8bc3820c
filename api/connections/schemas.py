"""Request and response bodies of provider connections."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr

from activities.providers.connections import ConnectionSource
from api.core.schemas import RequestBody
from workflows.components import CONNECTION_NAME_PATTERN, LlmProvider

ModelName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")]
ApiKey = Annotated[SecretStr, Field(min_length=1, max_length=4096)]


class ConnectionCreate(RequestBody):
    """A connection an administrator adds; the key is stored encrypted, never returned."""

    name: str = Field(pattern=CONNECTION_NAME_PATTERN, description="How graphs name it.")
    provider: LlmProvider
    base_url: str | None = Field(
        default=None,
        max_length=500,
        description="Required for openai-compatible; optional for openai and gemini.",
    )
    api_key: ApiKey | None = None
    models: list[ModelName] = Field(
        default_factory=list, max_length=200, description="Allowed models; empty allows any."
    )
    allow_private_network: bool = Field(
        default=False,
        description="Allow loopback and private addresses (a local Ollama or vLLM).",
    )
    description: str = Field(default="", max_length=1000)


class ConnectionUpdate(RequestBody):
    """Changes to a connection; an absent field stays, ``api_key: null`` removes the key."""

    base_url: str | None = Field(default=None, max_length=500)
    api_key: ApiKey | None = None
    models: list[ModelName] | None = Field(default=None, max_length=200)
    allow_private_network: bool | None = None
    description: str | None = Field(default=None, max_length=1000)


class ConnectionOut(BaseModel):
    """A connection as users see it: never its key; its URL only to administrators."""

    name: str
    provider: LlmProvider
    source: ConnectionSource
    base_url: str | None = Field(description="Shown to administrators only.")
    has_key: bool
    models: list[str]
    allow_private_network: bool
    description: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


class KeyRotationOut(BaseModel):
    """How many stored keys were re-encrypted under the first configured key."""

    rotated: int

"""What every feature's request bodies share."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from workflows.graph import VersionNumber

MAX_QUERY_CHARS = 20_000

# Which graph a run executes: a published version's number, "draft", or None for the
# latest published version (the draft when nothing is published).
RunVersion = VersionNumber | Literal["draft"] | None


class RequestBody(BaseModel):
    """A request body: unknown fields are refused (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid")

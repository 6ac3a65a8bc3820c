"""What every feature's request bodies share."""

import re
import types
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from workflows.graph import VersionNumber

MAX_QUERY_CHARS = 20_000

# Which graph a run executes: a published version's number, "draft", or None for the
# latest published version (the draft when nothing is published).
RunVersion = VersionNumber | Literal["draft"] | None

# An id of one of our objects (UUIDs, node ids): ASCII, so a non-ASCII one is a 422.
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


def is_identifier(value: str) -> bool:
    """Whether ``value`` could be an ``Identifier`` (for ids read outside a request body)."""
    return 1 <= len(value) <= 64 and re.fullmatch(r"[A-Za-z0-9_.:-]+", value) is not None


def _takes_numbers_not_booleans(annotation: Any) -> bool:
    """Whether a field of this type accepts a number (directly or in a union) but no bool."""
    kinds: set[type] = set()

    def walk(tp: Any) -> None:
        origin = get_origin(tp)
        if origin is Annotated:
            walk(get_args(tp)[0])
        elif origin is Union or origin is types.UnionType:
            for arg in get_args(tp):
                walk(arg)
        elif tp in (bool, int, float):
            kinds.add(tp)

    walk(annotation)
    return bool(kinds & {int, float}) and bool not in kinds


@cache
def _refuses_booleans(model: type[BaseModel], field_name: str) -> bool:
    return _takes_numbers_not_booleans(model.model_fields[field_name].annotation)


class RequestBody(BaseModel):
    """A request body: unknown fields are refused (422), never silently dropped.

    Numeric fields refuse booleans: pydantic's lax mode would read ``true`` as ``1`` (a
    version number, a page size). Everything else stays lax, so JSON strings still parse
    into enums and datetimes.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_as_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if (
            isinstance(value, bool)
            and info.field_name is not None
            and _refuses_booleans(cls, info.field_name)
        ):
            raise PydanticCustomError("bool_not_number", "Input should be a number, not a boolean")
        return value

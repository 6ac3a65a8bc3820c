"""Search attributes every run carries, so the Temporal UI and CLI can filter runs too.

    temporal workflow list --query "GenaiWorkflowId = '<id>' AND GenaiVersion = 2"

The dev server registers them at start (``stack.processes.start_temporal``); against
another server the API registers them on its first connection (idempotent).
"""

import logging
from typing import cast

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

log = logging.getLogger("api")

WORKFLOW_ID = SearchAttributeKey.for_keyword("GenaiWorkflowId")
VERSION = SearchAttributeKey.for_int("GenaiVersion")
USER_ID = SearchAttributeKey.for_keyword("GenaiUserId")
RUN_KIND = SearchAttributeKey.for_keyword("GenaiRunKind")

DRAFT_VERSION = 0  # GenaiVersion of a run of the draft
ALL_KEYS = (WORKFLOW_ID, VERSION, USER_ID, RUN_KIND)


def dev_server_flags() -> list[str]:
    """``--search-attribute Name=Type`` flags for ``temporal server start-dev``."""
    flags: list[str] = []
    for key in ALL_KEYS:
        flags += ["--search-attribute", f"{key.name}={key.indexed_value_type.name.title()}"]
    return flags


def run_search_attributes(
    workflow_id: str, version: int | None, user_id: str, kind: str
) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(WORKFLOW_ID, workflow_id),
            SearchAttributePair(VERSION, DRAFT_VERSION if version is None else version),
            SearchAttributePair(USER_ID, user_id),
            SearchAttributePair(RUN_KIND, kind),
        ]
    )


async def ensure_search_attributes(client: Client) -> None:
    """Registers any missing attribute on the client's namespace."""
    known = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    registered = set(known.custom_attributes) | set(known.system_attributes)
    missing = {
        key.name: cast("IndexedValueType.ValueType", key.indexed_value_type.value)
        for key in ALL_KEYS
        if key.name not in registered
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
        log.warning("registered search attributes %s", sorted(missing))

"""Fixtures for activity tests: activities wired to the provider fakes (tests/conftest.py)."""

from collections.abc import AsyncIterator

import pytest

from activities.graph.answer import AnswerActivities
from activities.providers.clients import ProviderClients
from activities.providers.embeddings import Embedder
from settings import Settings


@pytest.fixture
async def provider_clients(fake_provider_settings: Settings) -> AsyncIterator[ProviderClients]:
    """SDK clients configured for the fakes, closed after the test."""
    clients = ProviderClients(fake_provider_settings)
    yield clients
    await clients.aclose()


@pytest.fixture
def answer_activities(
    fake_provider_settings: Settings, provider_clients: ProviderClients
) -> AnswerActivities:
    """``generate_answer`` against the fakes."""
    return AnswerActivities(fake_provider_settings, clients=provider_clients)


@pytest.fixture
def embedder(fake_provider_settings: Settings, provider_clients: ProviderClients) -> Embedder:
    """Embeddings against the fakes (and the local model)."""
    return Embedder(fake_provider_settings, provider_clients)

"""embed_texts through the real SDKs against the fakes, and the local model's guard rails."""

import pytest
from pydantic import SecretStr
from temporalio.exceptions import ApplicationError

from activities.providers.clients import ProviderClients
from activities.providers.embeddings import Embedder
from settings import Settings
from tests.support.fakes import FakeGemini, FakeOpenAI
from tests.support.fakes.embedding_vectors import hashed_embedding
from workflows.components import EmbeddingProvider

TEXTS = ["Refunds take 14 days.", "Orders ship in two days."]


async def test_openai_embeddings_come_back_in_input_order(
    embedder: Embedder, fake_openai: FakeOpenAI
) -> None:
    vectors = await embedder.embed_texts(EmbeddingProvider.OPENAI, "text-embedding-3-small", TEXTS)

    assert len(vectors) == len(TEXTS)
    for vector, text in zip(vectors, TEXTS, strict=True):  # float32 on the wire (base64)
        assert vector == pytest.approx(hashed_embedding(text, 64), abs=1e-6)
    [request] = fake_openai.embedding_requests
    assert request["model"] == "text-embedding-3-small"
    assert request["input"] == TEXTS
    assert request["encoding_format"] == "base64"  # the SDK's default, decoded by the SDK


async def test_gemini_embeddings_use_batch_embed_contents(
    embedder: Embedder, fake_gemini: FakeGemini
) -> None:
    vectors = await embedder.embed_texts(EmbeddingProvider.GEMINI, "text-embedding-004", TEXTS)

    assert vectors == [hashed_embedding(t, 64) for t in TEXTS]
    [request] = fake_gemini.requests
    assert request.path.endswith("/models/text-embedding-004:batchEmbedContents")
    assert [r["content"]["parts"][0]["text"] for r in request.body["requests"]] == TEXTS


async def test_rejected_embedding_key_fails_at_once(fake_provider_settings: Settings) -> None:
    settings = fake_provider_settings.model_copy(update={"openai_api_key": SecretStr("sk-bad")})
    clients = ProviderClients(settings)
    try:
        with pytest.raises(ApplicationError) as caught:
            await Embedder(settings, clients).embed_texts(
                EmbeddingProvider.OPENAI, "text-embedding-3-small", TEXTS
            )
    finally:
        await clients.aclose()

    assert caught.value.non_retryable is True
    assert caught.value.message.startswith("openai rejected the API key (401)")


async def test_unknown_local_model_fails_at_once_without_loading_anything(
    embedder: Embedder,
) -> None:
    with pytest.raises(ApplicationError, match="'bge-large' is not installed") as caught:
        await embedder.embed_texts(EmbeddingProvider.LOCAL, "bge-large", TEXTS)

    assert caught.value.non_retryable is True


async def test_no_texts_means_no_request(embedder: Embedder, fake_openai: FakeOpenAI) -> None:
    assert await embedder.embed_texts(EmbeddingProvider.OPENAI, "text-embedding-3-small", []) == []
    assert fake_openai.requests == []

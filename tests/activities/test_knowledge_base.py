"""search_knowledge_base over an embedded Chroma seeded through activities.storage.vector_store."""

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.knowledge_base import KnowledgeBaseActivities
from activities.providers.embeddings import LOCAL_MODEL_DIMENSION, Embedder
from activities.storage.vector_store import VectorStore
from settings import Settings
from tests.support.activity_inputs import knowledge_search_input
from tests.support.fakes import FakeOpenAI
from tests.support.knowledge import CHUNKS, EMBEDDING_MODEL, seed
from workflows.components import EmbeddingProvider


async def test_search_returns_the_closest_passages_first_with_their_sources(
    fake_provider_settings: Settings, embedder: Embedder, fake_openai: FakeOpenAI
) -> None:
    await seed(fake_provider_settings, embedder)
    activities = KnowledgeBaseActivities(fake_provider_settings, embedder=embedder)

    output = await ActivityEnvironment().run(
        activities.search_knowledge_base,
        knowledge_search_input(query="When are refunds for a returned item paid?"),
    )

    assert isinstance(output.passages, list)
    best = output.passages[0]
    assert (best.chunk_id, best.document, best.page) == (
        "returns-policy:0",
        "returns-policy.pdf",
        2,
    )
    assert best.text == CHUNKS["returns-policy:0"][0]
    assert 0.3 < best.score <= 1.0
    scores = [p.score for p in output.passages]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3
    assert fake_openai.embedding_requests[-1]["input"] == [
        "When are refunds for a returned item paid?"
    ]


async def test_search_drops_passages_below_the_threshold_and_keeps_top_k(
    fake_provider_settings: Settings, embedder: Embedder
) -> None:
    await seed(fake_provider_settings, embedder)
    activities = KnowledgeBaseActivities(fake_provider_settings, embedder=embedder)
    env = ActivityEnvironment()
    query = "When are refunds for a returned item paid?"

    above = await env.run(
        activities.search_knowledge_base,
        knowledge_search_input(query=query, similarity_threshold=0.3),
    )
    top_one = await env.run(
        activities.search_knowledge_base, knowledge_search_input(query=query, top_k=1)
    )

    assert isinstance(above.passages, list) and isinstance(top_one.passages, list)
    assert [p.chunk_id for p in above.passages] == ["returns-policy:0"]
    assert [p.chunk_id for p in top_one.passages] == ["returns-policy:0"]


async def test_upserting_the_same_chunk_ids_again_overwrites_instead_of_duplicating(
    fake_provider_settings: Settings, embedder: Embedder
) -> None:
    await seed(fake_provider_settings, embedder)
    await seed(fake_provider_settings, embedder)

    assert VectorStore(fake_provider_settings).get_collection("policies").count() == len(CHUNKS)


async def test_search_with_another_embedding_model_fails_naming_both_models(
    fake_provider_settings: Settings, embedder: Embedder, fake_openai: FakeOpenAI
) -> None:
    await seed(fake_provider_settings, embedder)
    requests_before = len(fake_openai.requests)
    activities = KnowledgeBaseActivities(fake_provider_settings, embedder=embedder)

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(
            activities.search_knowledge_base,
            knowledge_search_input(
                embedding_provider=EmbeddingProvider.LOCAL, embedding_model="all-MiniLM-L6-v2"
            ),
        )

    assert caught.value.non_retryable is True
    assert caught.value.type == "EmbeddingModelMismatch"
    assert "openai/text-embedding-3-small" in caught.value.message
    assert "local/all-MiniLM-L6-v2" in caught.value.message
    assert len(fake_openai.requests) == requests_before  # failed before embedding the query


async def test_creating_an_existing_knowledge_base_with_another_model_fails(
    fake_provider_settings: Settings, embedder: Embedder
) -> None:
    await seed(fake_provider_settings, embedder)

    with pytest.raises(ApplicationError, match="text-embedding-3-small") as caught:
        VectorStore(fake_provider_settings).get_or_create_collection(
            "policies", EmbeddingProvider.GEMINI, "text-embedding-004", 768
        )

    assert caught.value.non_retryable is True


async def test_search_of_an_empty_knowledge_base_returns_no_passages(
    fake_provider_settings: Settings, embedder: Embedder
) -> None:
    VectorStore(fake_provider_settings).get_or_create_collection(
        "policies", EmbeddingProvider.OPENAI, EMBEDDING_MODEL, 64
    )
    activities = KnowledgeBaseActivities(fake_provider_settings, embedder=embedder)

    output = await ActivityEnvironment().run(
        activities.search_knowledge_base, knowledge_search_input()
    )

    assert output.passages == []


async def test_search_of_a_missing_knowledge_base_fails_at_once(
    fake_provider_settings: Settings, embedder: Embedder
) -> None:
    activities = KnowledgeBaseActivities(fake_provider_settings, embedder=embedder)

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(
            activities.search_knowledge_base, knowledge_search_input(collection="no-such-kb")
        )

    assert caught.value.message == "knowledge base 'no-such-kb' does not exist"
    assert caught.value.non_retryable is True
    assert caught.value.type == "KnowledgeBaseNotFound"


async def test_local_minilm_ranks_the_semantically_closest_passage_first(
    fake_provider_settings: Settings, embedder: Embedder
) -> None:
    await seed(
        fake_provider_settings,
        embedder,
        EmbeddingProvider.LOCAL,
        "all-MiniLM-L6-v2",
        LOCAL_MODEL_DIMENSION,
    )
    activities = KnowledgeBaseActivities(fake_provider_settings, embedder=embedder)

    output = await ActivityEnvironment().run(
        activities.search_knowledge_base,
        knowledge_search_input(
            # No word in common with the warranty passage: only meaning links them.
            query="Is my broken teapot still guaranteed?",
            embedding_provider=EmbeddingProvider.LOCAL,
            embedding_model="all-MiniLM-L6-v2",
        ),
    )

    assert isinstance(output.passages, list)
    assert next(p.chunk_id for p in output.passages) == "warranty:0"
    assert output.passages[0].score > output.passages[1].score

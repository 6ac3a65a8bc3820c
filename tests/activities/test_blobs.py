"""Large lists travel between steps as BlobRefs and come back intact."""

import hashlib
from pathlib import Path

import pytest
from pydantic import BaseModel
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.answer import AnswerActivities
from activities.graph.knowledge_base import KnowledgeBaseActivities
from activities.providers.clients import ProviderClients
from activities.providers.embeddings import Embedder
from activities.storage.blobs import PASSAGE_LIST, BlobStore
from settings import Settings
from tests.support.activity_inputs import answer_input, knowledge_search_input
from tests.support.fakes import FakeOpenAI
from tests.support.knowledge import seed
from workflows.step_io import BlobRef, KnowledgeSearchOutput, Passage

PASSAGES = [
    Passage(
        text=f"Passage number {i}. " * 20,
        document="big.pdf",
        page=i,
        chunk_id=f"big:{i}",
        score=0.5,
    )
    for i in range(10)
]


def test_small_lists_stay_inline_and_large_ones_become_content_addressed_files(
    tmp_path: Path,
) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, inline_payload_limit_bytes=1000)
    blobs = BlobStore(settings)

    small = blobs.inline_or_store(PASSAGES[:1], PASSAGE_LIST)
    large = blobs.inline_or_store(PASSAGES, PASSAGE_LIST)

    assert small == PASSAGES[:1]
    assert isinstance(large, BlobRef)
    data = PASSAGE_LIST.dump_json(PASSAGES)
    assert large.blob_sha256 == hashlib.sha256(data).hexdigest()
    assert large.size_bytes == len(data)
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert [f.name for f in files] == [f"{large.blob_sha256}.json"]  # no temporary files left
    assert blobs.load(large, PASSAGE_LIST) == PASSAGES
    assert blobs.inline_or_store(PASSAGES, PASSAGE_LIST) == large  # same content, same blob


def test_a_corrupt_or_missing_blob_fails_without_retry(tmp_path: Path) -> None:
    blobs = BlobStore(Settings(_env_file=None, data_dir=tmp_path, inline_payload_limit_bytes=10))
    ref = blobs.put(b"[]")
    path = next(p for p in (tmp_path / "blobs").rglob("*.json"))
    path.write_bytes(b'[{"tampered": true}]')
    missing = BlobRef(blob_sha256="0" * 64, size_bytes=2)

    with pytest.raises(ApplicationError, match="corrupt") as corrupt:
        blobs.load(ref, PASSAGE_LIST)
    with pytest.raises(ApplicationError, match="missing") as gone:
        blobs.load(missing, PASSAGE_LIST)

    assert corrupt.value.non_retryable and gone.value.non_retryable


async def test_search_results_over_the_limit_reach_the_llm_through_a_blob_ref(
    fake_provider_settings: Settings,
    provider_clients: ProviderClients,
    embedder: Embedder,
    fake_openai: FakeOpenAI,
) -> None:
    settings = fake_provider_settings.model_copy(update={"inline_payload_limit_bytes": 200})
    await seed(settings, embedder)
    env = ActivityEnvironment()
    search = KnowledgeBaseActivities(settings, embedder=embedder)
    answer = AnswerActivities(settings, clients=provider_clients)

    found = await env.run(search.search_knowledge_base, knowledge_search_input())
    output = await env.run(answer.generate_answer, answer_input(passages=found.passages))

    assert isinstance(found.passages, BlobRef)
    assert len(output.citations) == 3
    prompt = fake_openai.chat_requests[-1]["messages"][-1]["content"]
    assert "Refunds are paid within 14 days" in prompt
    assert "(returns-policy.pdf, page 2)" in prompt


@pytest.mark.parametrize(
    "value",
    [
        KnowledgeSearchOutput(passages=PASSAGES[:2]),
        KnowledgeSearchOutput(passages=BlobRef(blob_sha256="ab" * 32, size_bytes=123)),
        answer_input(passages=BlobRef(blob_sha256="cd" * 32, size_bytes=45)),
    ],
)
def test_lists_and_blob_refs_survive_the_pydantic_data_converter(value: BaseModel) -> None:
    converter = pydantic_data_converter.payload_converter

    [back] = converter.from_payloads(converter.to_payloads([value]), [type(value)])

    assert back == value

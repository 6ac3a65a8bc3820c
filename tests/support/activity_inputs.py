"""Activity inputs for tests: valid defaults, few changes."""

from tests.support.knowledge import EMBEDDING_MODEL
from workflows.components import EmbeddingProvider, LlmProvider
from workflows.step_io import AnswerInput, KnowledgeSearchInput


def answer_input(**changes: object) -> AnswerInput:
    """An OpenAI ``gpt-4o-mini`` answer request for a refunds question, with ``changes``."""
    values: dict[str, object] = {
        "provider": LlmProvider.OPENAI,
        "model": "gpt-4o-mini",
        "temperature": 0.2,
        "max_tokens": 300,
        "query": "How long do refunds take?",
    }
    return AnswerInput.model_validate({**values, **changes})


def knowledge_search_input(**changes: object) -> KnowledgeSearchInput:
    """A top-3 search of knowledge base ``policies`` embedded with the fake OpenAI model."""
    values: dict[str, object] = {
        "query": "How long do refunds take?",
        "collection": "policies",
        "embedding_provider": EmbeddingProvider.OPENAI,
        "embedding_model": EMBEDDING_MODEL,
        "top_k": 3,
        "similarity_threshold": 0.0,
    }
    return KnowledgeSearchInput.model_validate({**values, **changes})

"""The ``generate_answer`` activity: one LLM call with the retrieved context and web results."""

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.graph.llm_gemini import complete_with_gemini
from activities.graph.llm_openai import complete_with_openai
from activities.graph.prompt import Completion, Prompt, build_prompt
from activities.providers.clients import ProviderClients
from activities.providers.errors import REQUEST_ERROR
from activities.storage.blobs import PASSAGE_LIST, WEB_RESULT_LIST, BlobStore
from settings import Settings
from workflows.components import LlmProvider
from workflows.step_io import AnswerInput, AnswerOutput, Citation

SNIPPET_CHARS = 200


class AnswerActivities:
    """Answer generation with OpenAI, Gemini or an OpenAI-compatible server."""

    def __init__(
        self,
        settings: Settings,
        *,
        clients: ProviderClients | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        self._clients = clients or ProviderClients(settings)
        self._blobs = blobs or BlobStore(settings)

    @activity.defn(name="generate_answer")
    async def generate_answer(self, input: AnswerInput) -> AnswerOutput:
        """Ask the configured model; passages and web results may arrive as ``BlobRef``s.

        Raises:
            ApplicationError: Non-retryable for a missing or rejected key or a bad request;
                retryable for rate limits, outages and timeouts.
        """
        passages = self._blobs.load(input.passages, PASSAGE_LIST)
        web_results = self._blobs.load(input.web_results, WEB_RESULT_LIST)
        prompt = build_prompt(
            query=input.query,
            custom_prompt=input.custom_prompt,
            history=input.history,
            passages=passages,
            web_results=web_results,
        )
        completion = await self._complete(input, prompt)
        activity.logger.info(
            "%s/%s answered using %d tokens",
            input.provider.value,
            input.model,
            completion.usage.total_tokens,
        )
        return AnswerOutput(
            text=completion.text,
            model=completion.model,
            usage=completion.usage,
            context_used=bool(passages or web_results),
            citations=[
                Citation(
                    document=p.document,
                    page=p.page,
                    chunk_id=p.chunk_id,
                    score=p.score,
                    snippet=p.text[:SNIPPET_CHARS],
                )
                for p in passages
            ],
            web_sources=web_results,
        )

    async def _complete(self, input: AnswerInput, prompt: Prompt) -> Completion:
        if input.provider == LlmProvider.GEMINI:
            return await complete_with_gemini(
                self._clients.gemini(),
                prompt,
                model=input.model,
                temperature=input.temperature,
                max_tokens=input.max_tokens,
            )
        if input.provider == LlmProvider.OPENAI_COMPATIBLE:
            if not input.base_url:
                raise ApplicationError(
                    "an openai-compatible LLM needs a base_url (e.g. http://localhost:11434/v1)",
                    type=REQUEST_ERROR,
                    non_retryable=True,
                )
            client = self._clients.openai_compatible(input.base_url)
        else:
            client = self._clients.openai()
        return await complete_with_openai(
            client,
            prompt,
            provider=input.provider.value,
            model=input.model,
            temperature=input.temperature,
            max_tokens=input.max_tokens,
        )

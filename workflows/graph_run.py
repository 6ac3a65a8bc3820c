"""``GraphRun``: the deterministic interpreter of a compiled plan.

Like the ``dsl`` sample of temporalio/samples-python, it walks the plan and calls
activities by name, so this module imports nothing that does I/O. Every step starts as
soon as the steps it depends on are done, so independent branches run concurrently.

Since the ``attempts-in-history`` patch the interpreter retries a failed step itself:
each attempt is its own activity (one attempt each) and the backoff is a timer, so the
event history holds every attempt's error, not only the last one's. Steps whose outputs
the input carries in ``reuse`` are not executed again (replay from a node).
"""

import asyncio
import json
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, FailureError

with workflow.unsafe.imports_passed_through():
    from workflows.components import (
        ExecutionMode,
        KnowledgeBaseConfig,
        LlmEngineConfig,
        OutputConfig,
        WebSearchConfig,
    )
    from workflows.plan import (
        GraphRunInput,
        GraphRunResult,
        PlanStep,
        RunOutput,
        RunProgress,
        StepPolicy,
        StepProgress,
    )
    from workflows.step_io import (
        AnswerInput,
        AnswerOutput,
        KnowledgeSearchInput,
        KnowledgeSearchOutput,
        WebSearchInput,
        WebSearchOutput,
    )

# What one step produced, by output port name.
StepValues = dict[str, Any]

ATTEMPTS_IN_HISTORY = "attempts-in-history"


@workflow.defn(name="GraphRun")
class GraphRun:
    """Runs one compiled plan for one query."""

    def __init__(self) -> None:
        self._progress: dict[str, StepProgress] = {}
        self._plan_hash = ""

    @workflow.query(name="progress")
    def progress(self) -> RunProgress:
        """Each step's status so far."""
        return RunProgress(plan_hash=self._plan_hash, steps=list(self._progress.values()))

    @workflow.run
    async def run(self, run_input: GraphRunInput) -> GraphRunResult:
        plan = run_input.plan
        self._plan_hash = plan.plan_hash
        self._progress = {s.node_id: StepProgress(node_id=s.node_id) for s in plan.steps}

        tasks: dict[str, asyncio.Task[StepValues]] = {}
        for step in plan.steps:  # topological order: every dependency already has a task
            tasks[step.node_id] = asyncio.create_task(self._run_step(step, tasks, run_input))
        try:
            await asyncio.gather(*tasks.values())
        except BaseException:
            for task in tasks.values():
                task.cancel()
            raise

        outputs = [tasks[node_id].result()["output"] for node_id in plan.output_steps]
        return GraphRunResult(outputs=outputs)

    async def _run_step(
        self,
        step: PlanStep,
        tasks: dict[str, "asyncio.Task[StepValues]"],
        run_input: GraphRunInput,
    ) -> StepValues:
        upstream = {dep: await tasks[dep] for dep in step.depends_on}
        inputs = {b.port: upstream[b.source_step][b.source_port] for b in step.inputs}
        progress = self._progress[step.node_id]
        if step.node_id in run_input.reuse:
            progress.status = "reused"
            return reused_values(step, run_input.reuse[step.node_id])
        progress.status = "running"
        try:
            values = await self._execute(step, inputs, run_input)
        except CancelledError:
            raise
        except FailureError as err:
            # A regular activity's failure arrives wrapped in ActivityError; a local
            # activity's arrives as the activity's own error.
            reason = err.cause if isinstance(err, ActivityError) and err.cause else err
            cause = reason.message if isinstance(reason, FailureError) else str(reason)
            progress.status = "failed"
            progress.error = cause
            raise ApplicationError(
                f"step '{step.node_id}' ({step.component}) failed: {cause}",
                {"node_id": step.node_id, "component": step.component},
                type="StepFailed",
                non_retryable=True,
            ) from err
        progress.status = "completed"
        return values

    async def _execute(
        self, step: PlanStep, inputs: dict[str, Any], run_input: GraphRunInput
    ) -> StepValues:
        config = step.config
        if step.component == "user_query":
            return {"query": run_input.query}
        if isinstance(config, KnowledgeBaseConfig):
            found = await self._call(
                step,
                KnowledgeSearchInput(
                    query=inputs["query"],
                    collection=_collection(step.node_id, config),
                    embedding_provider=config.embedding_provider,
                    embedding_model=config.embedding_model,
                    top_k=config.top_k,
                    similarity_threshold=config.similarity_threshold,
                ),
                KnowledgeSearchOutput,
            )
            return {"context": found.passages}
        if isinstance(config, WebSearchConfig):
            searched = await self._call(
                step,
                WebSearchInput(
                    query=inputs["query"], engine=config.engine, num_results=config.num_results
                ),
                WebSearchOutput,
            )
            return {"results": searched.results}
        if isinstance(config, LlmEngineConfig):
            answer = await self._call(
                step,
                AnswerInput(
                    provider=config.provider,
                    model=config.model,
                    connection=config.connection,
                    base_url=str(config.base_url) if config.base_url else None,
                    temperature=config.temperature,
                    max_tokens=config.max_tokens,
                    custom_prompt=config.custom_prompt,
                    query=inputs["query"],
                    history=run_input.history,
                    passages=inputs.get("context", []),
                    web_results=inputs.get("web_results", []),
                    node_id=step.node_id,
                ),
                AnswerOutput,
            )
            return {"answer": answer}
        if isinstance(config, OutputConfig):
            return {"output": shape_output(step.node_id, config, inputs["answer"])}
        raise ApplicationError(
            f"no interpreter for component '{step.component}'", non_retryable=True
        )

    async def _call(self, step: PlanStep, arg: Any, result_type: type[Any]) -> Any:
        """Calls the step's activity by name with its own retry policy and timeout."""
        policy = step.policy
        progress = self._progress[step.node_id]
        if not workflow.patched(ATTEMPTS_IN_HISTORY):
            progress.attempts = 1
            return await self._dispatch(step, arg, result_type, server_retry_policy(policy))
        attempt = 1
        while True:
            progress.attempts = attempt
            try:
                return await self._dispatch(step, arg, result_type, RetryPolicy(maximum_attempts=1))
            except FailureError as err:
                if attempt >= policy.maximum_attempts or not is_retryable(err):
                    raise
            await workflow.sleep(backoff_seconds(policy, attempt), summary=step.node_id)
            attempt += 1

    async def _dispatch(
        self, step: PlanStep, arg: Any, result_type: type[Any], retry: RetryPolicy
    ) -> Any:
        """Schedules the step's activity once; its summary is the node id."""
        timeout = timedelta(seconds=step.policy.start_to_close_seconds)
        assert step.activity is not None
        if step.policy.execution == ExecutionMode.LOCAL:
            return await workflow.execute_local_activity(
                step.activity,
                arg,
                result_type=result_type,
                start_to_close_timeout=timeout,
                retry_policy=retry,
                summary=step.node_id,
            )
        return await workflow.execute_activity(
            step.activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=timeout,
            retry_policy=retry,
            summary=step.node_id,
        )


def server_retry_policy(policy: StepPolicy) -> RetryPolicy:
    """The step's policy as Temporal's own retries (runs started before the patch)."""
    return RetryPolicy(
        maximum_attempts=policy.maximum_attempts,
        initial_interval=timedelta(seconds=policy.initial_interval_seconds),
        backoff_coefficient=policy.backoff_coefficient,
        maximum_interval=timedelta(seconds=policy.maximum_interval_seconds),
    )


def backoff_seconds(policy: StepPolicy, failed_attempt: int) -> float:
    """The wait after attempt ``failed_attempt``, as Temporal's retry policy computes it."""
    delay = policy.initial_interval_seconds * policy.backoff_coefficient ** (failed_attempt - 1)
    return min(delay, policy.maximum_interval_seconds)


def is_retryable(err: FailureError) -> bool:
    """False for errors the activity marked non-retryable, and for cancellation."""
    reason = err.cause if isinstance(err, ActivityError) and err.cause else err
    if isinstance(reason, CancelledError):
        return False
    return not (isinstance(reason, ApplicationError) and reason.non_retryable)


def reused_values(step: PlanStep, recorded: dict[str, Any]) -> StepValues:
    """A step's recorded outputs (JSON) as the typed values its successors expect."""
    if step.component == "knowledge_base":
        return {
            "context": KnowledgeSearchOutput.model_validate(
                {"passages": recorded["context"]}
            ).passages
        }
    if step.component == "web_search":
        return {"results": WebSearchOutput.model_validate({"results": recorded["results"]}).results}
    if step.component == "llm_engine":
        return {"answer": AnswerOutput.model_validate(recorded["answer"])}
    if step.component == "output":
        return {"output": RunOutput.model_validate(recorded["output"])}
    return dict(recorded)


def _collection(node_id: str, config: KnowledgeBaseConfig) -> str:
    """The collection the API filled in (graph checks refuse a node without one)."""
    if config.collection is None:
        raise ApplicationError(
            f"node '{node_id}' names no knowledge base", {"node_id": node_id}, non_retryable=True
        )
    return config.collection


def shape_output(node_id: str, config: OutputConfig, answer: AnswerOutput) -> RunOutput:
    """Formats the answer as the output node is configured to."""
    response = answer.text
    if config.response_format == "json":
        response = json.dumps(
            {
                "answer": answer.text,
                "citations": [c.model_dump() for c in answer.citations],
                "web_sources": [w.model_dump() for w in answer.web_sources],
            }
        )
    output = RunOutput(
        node_id=node_id,
        response=response,
        response_format=config.response_format,
        model=answer.model,
        usage=answer.usage,
        context_used=answer.context_used,
    )
    if config.include_metadata:
        output.citations = answer.citations
        output.web_sources = answer.web_sources
    return output

"""The compiled plan: what ``GraphRun`` executes, and its workflow input and result."""

from pydantic import BaseModel, Field, JsonValue

from workflows.components import ComponentConfig, ExecutionMode
from workflows.step_io import ChatTurn, Citation, TokenUsage, WebResult


class StepPolicy(BaseModel):
    """Retry policy, timeout and execution mode of one step (always finite)."""

    maximum_attempts: int = Field(ge=1, le=20)
    initial_interval_seconds: float
    backoff_coefficient: float
    maximum_interval_seconds: float
    start_to_close_seconds: float
    execution: ExecutionMode


class InputBinding(BaseModel):
    """Feeds input ``port`` of a step from ``source_port`` of an earlier step."""

    port: str
    source_step: str
    source_port: str


class PlanStep(BaseModel):
    """One node of the graph, resolved: typed config, inputs, policy and activity."""

    node_id: str
    component: str
    config: ComponentConfig
    inputs: list[InputBinding] = Field(default_factory=list)
    depends_on: list[str] = Field(default_factory=list)
    activity: str | None = None
    policy: StepPolicy
    implicit: bool = Field(
        default=False, description="Added by the compiler (e.g. an LLM's own web search)."
    )


class Plan(BaseModel):
    """Topologically ordered steps plus the hash that identifies this exact plan."""

    plan_hash: str
    entry_step: str
    output_steps: list[str]
    steps: list[PlanStep]

    def step(self, node_id: str) -> PlanStep:
        return next(s for s in self.steps if s.node_id == node_id)


class GraphRunInput(BaseModel):
    """The workflow input: the plan travels with the run so its history explains it."""

    plan: Plan
    query: str
    history: list[ChatTurn] = Field(default_factory=list)
    reuse: dict[str, dict[str, JsonValue]] = Field(
        default_factory=dict,
        description="Recorded outputs by node id, by output port: these steps are not "
        "executed again (replay from a node).",
    )


class RunOutput(BaseModel):
    """What an output node returns."""

    node_id: str
    response: str
    response_format: str
    model: str | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)
    context_used: bool = False
    citations: list[Citation] = Field(default_factory=list)
    web_sources: list[WebResult] = Field(default_factory=list)


class GraphRunResult(BaseModel):
    """The run's outputs, first output node first."""

    outputs: list[RunOutput]


class StepProgress(BaseModel):
    node_id: str
    status: str = "pending"  # pending | running | completed | failed | reused
    error: str | None = None
    attempts: int = 0


class RunProgress(BaseModel):
    """Answer of the ``progress`` query."""

    plan_hash: str
    steps: list[StepProgress]

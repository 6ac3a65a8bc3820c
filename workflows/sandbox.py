"""The workflow sandbox every worker and replayer of our workflows uses."""

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox, with modules passed through instead of re-imported for every run.

    The sandbox still guards the workflow code against non-deterministic calls (time,
    random, I/O); passing modules through only skips re-importing pydantic, our models
    and their dependencies for each new workflow instance.
    """
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_all_modules()
    )

"""``replay-check``: recorded histories (files, or runs fetched from Temporal) replayed
against the workflow code installed here, offline.
"""

import argparse
import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli.errors import USAGE_ERROR, CliError

if TYPE_CHECKING:
    from temporalio.client import WorkflowHistory


@dataclass
class Checked:
    """One history's verdict, named by workflow (file stem) or run id."""

    name: str
    replays: bool
    error: str | None = None


def history_files(paths: Sequence[Path]) -> list[Path]:
    """The ``*.json`` files named, or found directly in the directories named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.glob("*.json"))
        elif path.is_file():
            found.append(path)
        else:
            raise CliError(f"no such file or directory: {path}", USAGE_ERROR)
    return found


def load_histories(files: Iterable[Path]) -> list["WorkflowHistory | Checked"]:
    """Each file's history, or a failure for a file that is not a readable history."""
    from api.runs.replay_check import load_history_file

    loaded: list[WorkflowHistory | Checked] = []
    for path in files:
        try:
            loaded.append(load_history_file(path))
        except Exception as exc:  # not JSON, not a history, unreadable...
            loaded.append(Checked(path.stem, False, f"unreadable history: {exc}"))
    return loaded


async def fetch_run_histories(run_ids: Sequence[str]) -> list["WorkflowHistory | Checked"]:
    """The runs' histories from Temporal (``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``), or a
    failure for each run whose history Temporal does not give."""
    from temporalio.service import RPCError

    from settings import get_settings
    from workflows.connection import connect_temporal

    settings = get_settings()
    try:
        client = await connect_temporal(settings.temporal_address, settings.temporal_namespace)
    except Exception as exc:  # connection refused, DNS, TLS...
        raise CliError(f"cannot reach Temporal at {settings.temporal_address}: {exc}") from exc
    fetched: list[WorkflowHistory | Checked] = []
    for run_id in run_ids:
        try:
            fetched.append(await client.get_workflow_handle(run_id).fetch_history())
        except RPCError as err:
            fetched.append(Checked(run_id, False, f"history unavailable: {err.message}"))
    return fetched


async def check_histories(files: Sequence[Path], run_ids: Sequence[str]) -> list[Checked]:
    """One verdict per history named, in order: files first, then runs."""
    from api.runs.replay_check import replay_histories

    loaded = load_histories(files)
    if run_ids:
        loaded += await fetch_run_histories(run_ids)
    histories = [h for h in loaded if not isinstance(h, Checked)]
    outcomes = iter(await replay_histories(histories))
    results = []
    for item in loaded:
        if isinstance(item, Checked):
            results.append(item)
        else:
            outcome = next(outcomes)
            results.append(Checked(outcome.workflow_id, outcome.replays, outcome.error))
    return results


def report(results: Sequence[Checked]) -> int:
    """Prints ``ok  <name>`` / ``FAIL <name>: <error>`` lines and a summary; the exit code."""
    for result in results:
        if result.replays:
            print(f"ok  {result.name}")
        else:
            print(f"FAIL {result.name}: {result.error}")
    failures = sum(1 for r in results if not r.replays)
    print(f"{len(results)} checked, {failures} failed")
    return 1 if failures else 0


def replay_check(args: argparse.Namespace) -> int:
    """``replay-check [PATH ...] [--run RUN_ID]``: histories replay against this code?"""
    run_ids: list[str] = args.run or []
    paths: list[Path] = args.paths or []
    if not paths and not run_ids:
        raise CliError("name history files or directories, or --run RUN_ID", USAGE_ERROR)
    files = history_files(paths)
    if not files and not run_ids:
        raise CliError(f"no history files in {', '.join(map(str, paths))}", USAGE_ERROR)
    return report(asyncio.run(check_histories(files, run_ids)))


def add_replay_check(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    command = commands.add_parser(
        "replay-check",
        help="replay recorded histories against this code (determinism check)",
        description="Exit 0 if every history replays, 1 if any fails, 2 on bad usage.",
    )
    command.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="history JSON files or directories of them (the repository's own are in "
        "tests/workflows/histories)",
    )
    command.add_argument(
        "--run",
        action="append",
        metavar="RUN_ID",
        help="also fetch this run's history from Temporal (TEMPORAL_ADDRESS); repeatable",
    )
    command.set_defaults(handler=replay_check)

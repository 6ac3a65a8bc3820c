"""Command line for run replays and audit records.

``replay-check`` replays recorded histories (files, or runs fetched from Temporal) against
the workflow code installed here, offline. ``runs ...`` and ``audit ...`` are a thin HTTP
client over the API, which is the one place rules are enforced: credentials come from
``GENAI_TOKEN`` or ``GENAI_EMAIL`` / ``GENAI_PASSWORD``, the API from ``--api-url`` or
``GENAI_API_URL``.
"""

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from temporalio.client import WorkflowHistory

DEFAULT_API_URL = "http://127.0.0.1:8000"
USAGE_ERROR = 2

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A failure reported as ``error: <message>`` on stderr, ending with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def run_handler(handler: Handler, args: argparse.Namespace) -> int:
    """Runs a command, turning a ``CliError`` into its message and exit code."""
    try:
        return handler(args)
    except CliError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return err.exit_code


# --- replay-check: offline determinism check --------------------------------------------


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


# --- HTTP client ----------------------------------------------------------------------------


class ApiClient:
    """Authenticated requests to ``/api/v1``; API errors and unreachability as ``CliError``.

    Logs in on the first request: ``GENAI_TOKEN``, or ``GENAI_EMAIL`` / ``GENAI_PASSWORD``.
    """

    def __init__(self, api_url: str, timeout: float) -> None:
        self.api_url = api_url.rstrip("/")
        self.http = httpx.Client(base_url=f"{self.api_url}/api/v1", timeout=timeout)
        self.authenticated = False

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The response if 2xx; otherwise the API's error as a ``CliError``."""
        if not self.authenticated:
            self.http.headers["Authorization"] = f"Bearer {self.token()}"
            self.authenticated = True
        return self.send(method, path, **kwargs)

    def token(self) -> str:
        """``GENAI_TOKEN``, or a token from logging in with ``GENAI_EMAIL`` / ``GENAI_PASSWORD``."""
        token = os.environ.get("GENAI_TOKEN")
        if token:
            return token
        email, password = os.environ.get("GENAI_EMAIL"), os.environ.get("GENAI_PASSWORD")
        if not email or not password:
            raise CliError("set GENAI_TOKEN, or GENAI_EMAIL and GENAI_PASSWORD", USAGE_ERROR)
        reply = self.send("POST", "/auth/login", json={"email": email, "password": password})
        return str(reply.json()["access_token"])

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request as it is; transport failures and non-2xx replies as ``CliError``."""
        try:
            reply = self.http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            raise CliError(f"cannot connect to the API at {self.api_url}: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise CliError(f"the API at {self.api_url} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise CliError(f"request to {self.api_url} failed: {exc}") from exc
        if reply.is_success:
            return reply
        raise CliError(api_error_message(reply))

    def close(self) -> None:
        self.http.close()


def api_error_message(reply: httpx.Response) -> str:
    """``<message> (<code>)`` from the API's error shape, or the status and body."""
    try:
        error = reply.json()["error"]
        return f"{error['message']} ({error['code']})"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {reply.status_code}: {reply.text[:300]}"


def with_api(command: Callable[[ApiClient, argparse.Namespace], int]) -> Handler:
    """A handler that runs ``command`` with a client and closes the connection."""

    def handler(args: argparse.Namespace) -> int:
        client = ApiClient(args.api_url, args.timeout)
        try:
            return command(client, args)
        finally:
            client.close()

    return handler


def version_arg(value: str) -> int | str:
    """A version number or ``draft``."""
    if value == "draft":
        return value
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError("a version number (1, 2, ...) or 'draft'")
    return number


def print_table(rows: Sequence[Sequence[str]]) -> None:
    """Columns padded to their widest cell."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def runs_list(client: ApiClient, args: argparse.Namespace) -> int:
    """``runs list``: your runs, newest first."""
    params = {"workflow_id": args.workflow, "status": args.status, "limit": args.limit}
    page = client.request(
        "GET", "/runs", params={k: v for k, v in params.items() if v is not None}
    ).json()
    header = ["RUN", "WORKFLOW", "VERSION", "STATUS", "KIND", "STARTED"]
    rows = [
        [
            str(run["id"]),
            str(run["workflow_id"]),
            "draft" if run.get("version") is None else str(run["version"]),
            str(run["status"]),
            str(run["kind"]),
            str(run["started_at"]),
        ]
        for run in page["items"]
    ]
    if not rows:
        print("no runs")
        return 0
    print_table([header, *rows])
    if page.get("next_cursor"):
        print(f"(more: raise --limit; next cursor {page['next_cursor']})")
    return 0


def print_execution(result: dict[str, Any]) -> None:
    """The new run's id and its answer."""
    print(f"run_id: {result['run_id']}")
    print(f"answer: {result['response']}")


def runs_rerun(client: ApiClient, args: argparse.Namespace) -> int:
    """``runs rerun RUN_ID``: the same plan and inputs again, as a new run."""
    print_execution(client.request("POST", f"/runs/{args.run_id}/rerun").json())
    return 0


def runs_replay(client: ApiClient, args: argparse.Namespace) -> int:
    """``runs replay RUN_ID --from-node NODE``: re-executes from a node, reusing the rest."""
    body: dict[str, Any] = {"from_node": args.from_node}
    if args.version is not None:
        body["version"] = args.version
    print_execution(client.request("POST", f"/runs/{args.run_id}/replay", json=body).json())
    return 0


def runs_replay_check(client: ApiClient, args: argparse.Namespace) -> int:
    """``runs replay-check``: the server replays runs' histories against its code."""
    recent = args.recent if args.recent is not None else (0 if args.run_ids else 20)
    body = {"run_ids": args.run_ids, "recent": recent}
    found = client.request("POST", "/runs/replay-check", json=body).json()
    return report([Checked(r["run_id"], r["replays"], r.get("error")) for r in found["results"]])


def audit_export(client: ApiClient, args: argparse.Namespace) -> int:
    """``audit export RUN_ID``: the record's bytes exactly as sent (the digest covers them)."""
    body = client.request("GET", f"/runs/{args.run_id}/audit").content
    if args.output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        args.output.write_bytes(body)
        print(f"wrote {args.output} ({len(body)} bytes)", file=sys.stderr)
    return 0


def read_record(path: Path) -> Any:
    """The exported record's JSON; a missing file is a usage error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", USAGE_ERROR) from exc
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise CliError(f"{path} is not a JSON document: {exc}") from exc


def audit_verify(client: ApiClient, args: argparse.Namespace) -> int:
    """``audit verify FILE``: is the record exactly as the server exported it?"""
    record = read_record(args.file)
    found = client.request("POST", "/audit/verify", json=record).json()
    for key in ("valid", "digest_matches", "signature_matches"):
        print(f"{key}: {str(found[key]).lower()}")
    print(f"computed_digest: {found.get('computed_digest')}")
    print(f"run_id: {found.get('run_id')}")
    for problem in found.get("problems", []):
        print(f"problem: {problem}")
    return 0 if found["valid"] else 1


# --- argument parsing -----------------------------------------------------------------------


def api_options() -> argparse.ArgumentParser:
    """Options shared by the HTTP commands."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--api-url",
        default=os.environ.get("GENAI_API_URL", DEFAULT_API_URL),
        help="the API's base URL (env GENAI_API_URL; default %(default)s)",
    )
    options.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for the API (%(default)s)"
    )
    return options


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


def add_runs(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
    options: argparse.ArgumentParser,
) -> None:
    runs = commands.add_parser("runs", help="list, re-run, replay and check runs (via the API)")
    actions = runs.add_subparsers(dest="action", required=True)

    listing = actions.add_parser("list", parents=[options], help="your runs, newest first")
    listing.add_argument("--workflow", metavar="ID", help="only this workflow's runs")
    listing.add_argument("--status", choices=["running", "completed", "failed"])
    listing.add_argument("--limit", type=int, default=20, metavar="N", help="(default 20)")
    listing.set_defaults(handler=with_api(runs_list))

    rerun = actions.add_parser("rerun", parents=[options], help="run the same plan again")
    rerun.add_argument("run_id", metavar="RUN_ID")
    rerun.set_defaults(handler=with_api(runs_rerun))

    replay = actions.add_parser(
        "replay", parents=[options], help="re-execute from a node, reusing recorded outputs"
    )
    replay.add_argument("run_id", metavar="RUN_ID")
    replay.add_argument("--from-node", required=True, metavar="NODE")
    replay.add_argument(
        "--version", type=version_arg, metavar="N|draft", help="run this version's graph"
    )
    replay.set_defaults(handler=with_api(runs_replay))

    check = actions.add_parser(
        "replay-check", parents=[options], help="the server replays runs' histories"
    )
    check.add_argument("run_ids", nargs="*", metavar="RUN_ID")
    check.add_argument(
        "--recent",
        type=int,
        metavar="N",
        help="also your N most recent runs (default: 20 without RUN_IDs, else 0)",
    )
    check.set_defaults(handler=with_api(runs_replay_check))


def add_audit(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
    options: argparse.ArgumentParser,
) -> None:
    audit = commands.add_parser("audit", help="export and verify audit records (via the API)")
    actions = audit.add_subparsers(dest="action", required=True)

    export = actions.add_parser("export", parents=[options], help="a finished run's record")
    export.add_argument("run_id", metavar="RUN_ID")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")
    export.set_defaults(handler=with_api(audit_export))

    verify = actions.add_parser("verify", parents=[options], help="check an exported record")
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.set_defaults(handler=with_api(audit_verify))


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Registers ``replay-check``, ``runs ...`` and ``audit ...``; each sets ``handler``."""
    add_replay_check(commands)
    options = api_options()
    add_runs(commands, options)
    add_audit(commands, options)

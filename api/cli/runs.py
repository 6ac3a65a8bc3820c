"""``runs list|rerun|replay|replay-check``: run history through the API."""

import argparse
from collections.abc import Sequence
from typing import Any

from api.cli.api_client import ApiClient, with_api
from api.cli.replay_check import Checked, report


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

"""``audit export|verify``: audit records through the API."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from api.cli.api_client import ApiClient, with_api
from api.cli.errors import USAGE_ERROR, CliError


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

"""Command line: ``python -m api.cli <command>``.

* ``create-admin`` / ``create-user --email you@example.com``: the password is read from the
  ADMIN_PASSWORD environment variable or asked for; there is no built-in default password.
* ``replay-check [PATH ...] [--run RUN_ID]``: do recorded histories replay against this code?
* ``runs list|rerun|replay|replay-check`` and ``audit export|verify``: a client of the HTTP
  API (``--api-url`` / GENAI_API_URL; GENAI_TOKEN or GENAI_EMAIL and GENAI_PASSWORD).

See the "Command line" section of docs/api.md.
"""

import argparse
import getpass
import os
import sys

from api.cli.api_client import api_options
from api.cli.audit import add_audit
from api.cli.errors import run_handler
from api.cli.replay_check import add_replay_check
from api.cli.runs import add_runs


def create_account(args: argparse.Namespace) -> int:
    """``create-admin`` / ``create-user``: a user in the database this process is configured for."""
    from api.auth.service import create_user
    from api.core.errors import ApiError
    from api.db.session import get_sessionmaker

    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 8:
        print("error: the password needs at least 8 characters", file=sys.stderr)
        return 2
    with get_sessionmaker()() as session:
        try:
            user = create_user(
                session, args.email, password, is_admin=args.command == "create-admin"
            )
        except ApiError as err:
            print(f"error: {err.message}", file=sys.stderr)
            return 1
        session.commit()
        print(f"created {'admin' if user.is_admin else 'user'} {user.email}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand; each sets ``handler`` to the function that runs it."""
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("create-admin", "create-user"):
        command = commands.add_parser(name, help=f"{name.replace('-', ' ')} (password asked)")
        command.add_argument("--email", required=True)
        command.set_defaults(handler=create_account)
    add_replay_check(commands)
    options = api_options()
    add_runs(commands, options)
    add_audit(commands, options)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parses ``argv`` and runs the command; the process exit code."""
    args = build_parser().parse_args(argv)
    return run_handler(args.handler, args)


if __name__ == "__main__":
    sys.exit(main())

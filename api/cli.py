"""Command line: ``python -m api.cli create-admin --email you@example.com``.

The password is read from the ADMIN_PASSWORD environment variable or asked for; there
is no built-in default password.
"""

import argparse
import getpass
import os
import sys

from api.db.session import get_sessionmaker
from api.errors import ApiError
from api.users import create_user


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("create-admin", "create-user"):
        command = commands.add_parser(name, help=f"{name.replace('-', ' ')} (password asked)")
        command.add_argument("--email", required=True)
    args = parser.parse_args(argv)

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


if __name__ == "__main__":
    sys.exit(main())

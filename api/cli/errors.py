"""How a command fails: ``CliError`` becomes ``error: <message>`` and an exit code."""

import argparse
import sys
from collections.abc import Callable

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

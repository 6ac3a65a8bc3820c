"""The HTTP client the ``runs`` and ``audit`` commands share. The API is the one place
rules are enforced: credentials come from ``GENAI_TOKEN`` or ``GENAI_EMAIL`` /
``GENAI_PASSWORD``, the API from ``--api-url`` or ``GENAI_API_URL``.
"""

import argparse
import os
from collections.abc import Callable
from typing import Any

import httpx

from api.cli.errors import USAGE_ERROR, CliError, Handler

DEFAULT_API_URL = "http://127.0.0.1:8000"


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

"""API clients logged in as a user of the running stack."""

import httpx


def login(api_url: str, email: str, password: str) -> httpx.Client:
    """A client of ``{api_url}/api/v1`` carrying the bearer token ``email`` logs in with."""
    token = (
        httpx.post(f"{api_url}/api/v1/auth/login", json={"email": email, "password": password})
        .raise_for_status()
        .json()["access_token"]
    )
    return httpx.Client(
        base_url=f"{api_url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )

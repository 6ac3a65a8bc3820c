"""docs/configuration.md lists every setting of ``settings.Settings`` with its true default."""

import re
from pathlib import Path

from pydantic import SecretStr

from settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def documented_defaults() -> dict[str, str]:
    """Variable → default cell of the server settings table."""
    rows: dict[str, str] = {}
    for line in DOC.read_text().splitlines():
        match = re.match(r"^\| `([A-Z0-9_]+)` \| ([^|]+) \|", line)
        if match:
            rows[match.group(1)] = match.group(2).strip()
    return rows


def code_default(name: str) -> str:
    """How the page writes a field's default: `value`, or 'unset' for None."""
    value = Settings.model_fields[name].default
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def test_every_setting_is_documented_with_its_default() -> None:
    documented = documented_defaults()
    missing = [name.upper() for name in Settings.model_fields if name.upper() not in documented]
    assert not missing, f"docs/configuration.md lacks {missing}"
    wrong = {
        name.upper(): (documented[name.upper()], code_default(name))
        for name in Settings.model_fields
        if not documented[name.upper()].startswith(code_default(name))
    }
    assert not wrong, f"documented vs code defaults differ: {wrong}"


def test_the_page_documents_no_setting_that_does_not_exist() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    cli_variables = {"GENAI_API_URL", "GENAI_TOKEN", "GENAI_EMAIL", "GENAI_PASSWORD"}
    extra = set(documented_defaults()) - fields - cli_variables - {"ADMIN_PASSWORD"}
    assert not extra, f"docs/configuration.md names unknown settings {sorted(extra)}"

"""Audit records: one run as a single JSON document whose tampering is detectable.

The record holds the graph and plan that ran, who started it and when, its inputs, the
full Temporal event history and its outputs. ``integrity.digest`` is the SHA-256 of the
record's canonical form without ``integrity`` (RFC 8785, as
``workflows.canonical_json`` writes it), so anyone can recompute it;
``integrity.signature`` is an HMAC-SHA256 of the digest under the server's audit key,
so only this deployment can produce a record that verifies — a forger who edits a
record and recomputes the digest still fails the signature check.

Records exported before RFC 8785 was adopted name their own form in
``integrity.canonical_form`` and are verified in it, so they keep verifying.
"""

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any, Final, Literal

from pydantic import BaseModel, Field, JsonValue

from workflows.canonical_json import CANONICAL_FORM, canonical_json

AUDIT_FORMAT: Final = "genai-stack.audit-record/1"
# The form of records exported before RFC 8785: verification only, never for new records.
LEGACY_CANONICAL_FORM = "JSON with keys sorted, separators ',' and ':', no whitespace, UTF-8"


def _legacy_canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


_CANONICAL_FORMS: dict[str, Callable[[Any], bytes]] = {
    CANONICAL_FORM: canonical_json,
    LEGACY_CANONICAL_FORM: _legacy_canonical_json,
}


class AuditIntegrity(BaseModel):
    algorithm: Literal["sha256"] = "sha256"
    canonical_form: str = CANONICAL_FORM
    digest: str = Field(description="SHA-256 (hex) of the canonical record without 'integrity'.")
    signature_algorithm: Literal["hmac-sha256"] = "hmac-sha256"
    signature: str = Field(description="HMAC-SHA256 (hex) of the digest under the audit key.")


class AuditVersion(BaseModel):
    number: int | None = Field(description="The published version; null for the draft.")
    content_hash: str | None
    graph: JsonValue = Field(description="The graph of that version; null if not kept.")
    graph_note: str = ""


class AuditPerson(BaseModel):
    id: str
    email: str | None


class AuditInputs(BaseModel):
    query: str
    history: JsonValue
    reused_outputs: JsonValue = Field(description="Outputs recorded earlier (replay from a node).")


class AuditRecord(BaseModel):
    """The exported document (``integrity`` covers every other field)."""

    format: Literal["genai-stack.audit-record/1"] = AUDIT_FORMAT
    exported_at: str = Field(description="ISO 8601, UTC.")
    run: JsonValue
    workflow: JsonValue
    version: AuditVersion
    plan_hash: str
    plan: JsonValue
    started_by: AuditPerson
    inputs: AuditInputs
    outputs: JsonValue
    event_history: JsonValue
    integrity: AuditIntegrity


class AuditVerification(BaseModel):
    valid: bool
    digest_matches: bool
    signature_matches: bool
    computed_digest: str | None
    run_id: str | None
    problems: list[str]


def _digest(content: dict[str, Any], form: str = CANONICAL_FORM) -> str:
    return hashlib.sha256(_CANONICAL_FORMS[form](content)).hexdigest()


def _signature(digest: str, key: bytes) -> str:
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


def seal(content: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The record: its JSON content (everything but integrity) with digest and signature.

    Returned as plain JSON, not re-serialised through ``AuditRecord``, so the bytes a
    client receives are the ones the digest covers (the model documents the shape).
    """
    content = json.loads(canonical_json(content))  # the exact JSON a reader will see
    digest = _digest(content)
    integrity = AuditIntegrity(digest=digest, signature=_signature(digest, key))
    record = {**content, "integrity": integrity.model_dump()}
    AuditRecord.model_validate(record)  # the shape is what the API documents
    return record


def verify(presented: dict[str, Any], key: bytes) -> AuditVerification:
    """Recomputes a presented record's digest and signature; says what does not match."""
    problems: list[str] = []
    integrity = presented.get("integrity")
    if not isinstance(integrity, dict):
        problems.append("the record has no 'integrity' object")
        integrity = {}
    if presented.get("format") != AUDIT_FORMAT:
        problems.append(f"the record's format is not '{AUDIT_FORMAT}'")
    content = {k: v for k, v in presented.items() if k != "integrity"}
    form = integrity.get("canonical_form", CANONICAL_FORM)
    computed: str | None = None
    if not isinstance(form, str) or form not in _CANONICAL_FORMS:
        problems.append(f"the record's canonical form '{form}' is not one this server knows")
    else:
        try:
            computed = _digest(content, form)
        except ValueError as err:  # NaN or infinity cannot be canonical JSON
            problems.append(f"the record cannot be put in canonical form: {err}")
    claimed = integrity.get("digest")
    digest_matches = (
        computed is not None and isinstance(claimed, str) and hmac.compare_digest(computed, claimed)
    )
    if computed is not None and not digest_matches:
        problems.append("the digest does not match the record's content: it was changed")
    signature = integrity.get("signature")
    signature_matches = (
        computed is not None
        and isinstance(signature, str)
        and hmac.compare_digest(_signature(computed, key), signature)
    )
    if computed is not None and not signature_matches:
        problems.append("the signature is not this server's signature of the content")
    run = presented.get("run")
    run_id = run.get("id") if isinstance(run, dict) and isinstance(run.get("id"), str) else None
    return AuditVerification(
        valid=digest_matches and signature_matches and not problems,
        digest_matches=digest_matches,
        signature_matches=signature_matches,
        computed_digest=computed,
        run_id=run_id,
        problems=problems,
    )


def audit_key(secret: str) -> bytes:
    """The HMAC key, derived from a server secret so it never equals the secret itself."""
    return hmac.new(
        secret.encode("utf-8"), b"genai-stack audit records v1", hashlib.sha256
    ).digest()

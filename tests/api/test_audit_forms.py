"""Audit records verify in the canonical form they were sealed in: RFC 8785 for new ones,
the older sorted-keys form for records exported before it."""

import hashlib
import hmac
import json
from typing import Any

from api.runs.audit import LEGACY_CANONICAL_FORM, audit_key, seal, verify
from workflows.canonical_json import CANONICAL_FORM

KEY = audit_key("a-test-secret-of-some-length")


def content() -> dict[str, Any]:
    return {
        "format": "genai-stack.audit-record/1",
        "exported_at": "2026-11-01T10:00:00+00:00",
        "run": {"id": "run-1", "duration_ms": 12.0},
        "workflow": {"id": "wf-1", "name": "Café ☕"},
        "version": {"number": 1, "content_hash": "ab" * 32, "graph": {"x": 250.0}},
        "plan_hash": "cd" * 32,
        "plan": {"steps": [{"temperature": 0.7, "max_tokens": 300}]},
        "started_by": {"id": "u-1", "email": "a@example.org"},
        "inputs": {"query": "Wie lange?", "history": [], "reused_outputs": {}},
        "outputs": {"answer": "30 Tage"},
        "event_history": {"events": []},
    }


def legacy_record() -> dict[str, Any]:
    """A record as exports before RFC 8785 sealed it (floats like 250.0 kept their '.0')."""
    body = content()
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    signature = hmac.new(KEY, digest.encode("ascii"), hashlib.sha256).hexdigest()
    return {
        **body,
        "integrity": {
            "algorithm": "sha256",
            "canonical_form": LEGACY_CANONICAL_FORM,
            "digest": digest,
            "signature_algorithm": "hmac-sha256",
            "signature": signature,
        },
    }


def test_a_new_record_is_sealed_in_rfc_8785_and_verifies() -> None:
    record = seal(content(), KEY)
    assert record["integrity"]["canonical_form"] == CANONICAL_FORM
    assert verify(json.loads(json.dumps(record)), KEY).valid


def test_a_record_sealed_in_the_legacy_form_still_verifies() -> None:
    record = legacy_record()
    result = verify(record, KEY)
    assert result.valid, result.problems
    assert result.computed_digest == record["integrity"]["digest"]


def test_a_changed_legacy_record_fails_its_digest() -> None:
    record = legacy_record()
    record["outputs"]["answer"] = "300 Tage"
    result = verify(record, KEY)
    assert not result.valid
    assert not result.digest_matches


def test_a_legacy_record_relabelled_as_rfc_8785_fails() -> None:
    record = legacy_record()
    record["integrity"]["canonical_form"] = CANONICAL_FORM
    assert not verify(record, KEY).valid


def test_an_unknown_canonical_form_is_reported() -> None:
    for form in ("XML", {"not": "a string"}):
        record = legacy_record()
        record["integrity"]["canonical_form"] = form
        result = verify(record, KEY)
        assert not result.valid
        assert any("canonical form" in p for p in result.problems)

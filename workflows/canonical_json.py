"""The one canonical JSON form this project hashes: RFC 8785, the JSON Canonicalization
Scheme (JCS).

Keys are sorted by their UTF-16 code units, there is no whitespace, strings are UTF-8
with only the escapes JSON requires, and numbers are written as ECMAScript writes an
IEEE 754 double (``1.0`` → ``1``, ``1e21`` → ``1e+21``). Plan hashes, version content
hashes and audit-record digests are all SHA-256 over these bytes, so anyone with a JCS
library in any language can recompute them.

Hashes made before this scheme (JSON with ``sort_keys`` and Python's float repr) are
kept where they were stored: audit records name their form in ``integrity.canonical_form``
and verify under it; migration ``0004`` recomputed the stored version hashes.
"""

import hashlib
from typing import Any

import rfc8785

CANONICAL_FORM = "RFC 8785 (JSON Canonicalization Scheme)"


def canonical_json(value: Any) -> bytes:
    """``value`` (JSON types only) in its RFC 8785 byte form.

    Raises:
        ValueError: for NaN, infinities and integers beyond ±2**53, which JCS cannot
            write exactly.
    """
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as err:
        raise ValueError(str(err)) from err


def canonical_sha256(value: Any) -> str:
    """SHA-256 (hex) of ``value``'s canonical JSON."""
    return hashlib.sha256(canonical_json(value)).hexdigest()

"""Large step values stored as content-addressed files instead of in workflow history.

A list output whose JSON exceeds ``settings.inline_payload_limit_bytes`` is written to
``settings.blob_dir/<sha[:2]>/<sha>.json`` and replaced by a ``BlobRef``; a step that
receives a ``BlobRef`` loads it back. Same content, same name: retries and replays
rewrite nothing. Writes are atomic (temporary file, then rename).
"""

import hashlib
import os
import tempfile
from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError
from temporalio.exceptions import ApplicationError

from settings import Settings
from workflows.step_io import BlobRef, Passage, WebResult

PASSAGE_LIST = TypeAdapter(list[Passage])
WEB_RESULT_LIST = TypeAdapter(list[WebResult])

BLOB_UNREADABLE = "BlobUnreadable"

T = TypeVar("T")


class BlobStore:
    """Reads and writes blobs in ``settings.blob_dir`` (a folder every worker shares)."""

    def __init__(self, settings: Settings) -> None:
        self._dir = settings.blob_dir
        self._limit = settings.inline_payload_limit_bytes

    def put(self, data: bytes) -> BlobRef:
        """Store ``data`` under its SHA-256 (no-op if already stored) and return its ref."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{digest}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as tmp:
                    tmp.write(data)
                    tmp.flush()
                    os.fsync(tmp.fileno())
                os.replace(tmp_name, path)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
        return BlobRef(blob_sha256=digest, size_bytes=len(data))

    def get(self, ref: BlobRef) -> bytes:
        """The bytes of ``ref``.

        Raises:
            ApplicationError: Non-retryable, when the blob is missing or its content
                does not match its hash.
        """
        path = self._path(ref.blob_sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ApplicationError(
                f"blob {ref.blob_sha256} is missing from {self._dir}; do all workers share "
                "the data folder?",
                type=BLOB_UNREADABLE,
                non_retryable=True,
            ) from None
        if hashlib.sha256(data).hexdigest() != ref.blob_sha256:
            raise ApplicationError(
                f"blob {ref.blob_sha256} is corrupt", type=BLOB_UNREADABLE, non_retryable=True
            )
        return data

    def inline_or_store(self, items: list[T], adapter: TypeAdapter[list[T]]) -> list[T] | BlobRef:
        """Return ``items`` as they are, or a ``BlobRef`` when their JSON exceeds the limit.

        Args:
            items: A step's list output, e.g. passages.
            adapter: ``PASSAGE_LIST`` or ``WEB_RESULT_LIST``.
        """
        data = adapter.dump_json(items)
        if len(data) <= self._limit:
            return items
        return self.put(data)

    def load(self, value: list[T] | BlobRef, adapter: TypeAdapter[list[T]]) -> list[T]:
        """Return ``value`` itself, or the list a ``BlobRef`` points to."""
        if not isinstance(value, BlobRef):
            return value
        try:
            return adapter.validate_json(self.get(value))
        except ValidationError as error:
            raise ApplicationError(
                f"blob {value.blob_sha256} does not hold the expected list: {error}",
                type=BLOB_UNREADABLE,
                non_retryable=True,
            ) from error

    def _path(self, digest: str) -> Path:
        return self._dir / digest[:2] / f"{digest}.json"

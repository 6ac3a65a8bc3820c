"""Where ingestion's intermediate files live, and how they are written.

Extracted pages and chunks are JSON Lines files under ``settings.ingest_work_dir``.
Their paths travel between activities relative to that folder, so workers that mount
the shared data folder at different places agree, and a path taken from a payload cannot
reach outside it. Files are written under a temporary name and renamed, so a crashed
attempt never leaves half a file under the real name.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from temporalio.exceptions import ApplicationError

from settings import Settings

INGEST_FILE_UNREADABLE = "IngestFileUnreadable"


class IngestFiles:
    """Resolves ingestion paths inside ``settings.ingest_work_dir``."""

    def __init__(self, settings: Settings) -> None:
        self._root = settings.ingest_work_dir

    def folder(self, work_dir: str) -> Path:
        """The (created) folder ``work_dir`` of one document.

        Raises:
            ApplicationError: Non-retryable, when ``work_dir`` points outside the work folder.
        """
        path = self.resolve(work_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def resolve(self, relative: str) -> Path:
        """The absolute path of ``relative`` (a path this class handed out).

        Raises:
            ApplicationError: Non-retryable, when it points outside the work folder.
        """
        root = self._root.resolve()
        path = (root / relative).resolve()
        if path == root or not path.is_relative_to(root):
            raise ApplicationError(
                f"'{relative}' is not inside the ingest work folder",
                type=INGEST_FILE_UNREADABLE,
                non_retryable=True,
            )
        return path

    def relative(self, path: Path) -> str:
        """``path`` relative to the work folder, as passed between activities."""
        return path.relative_to(self._root.resolve()).as_posix()

    def require(self, relative: str) -> Path:
        """The existing file ``relative``.

        Raises:
            ApplicationError: Non-retryable, when it is missing.
        """
        path = self.resolve(relative)
        if not path.is_file():
            raise ApplicationError(
                f"ingest file '{relative}' is missing from {self._root}; do all ingest "
                "workers share the data folder?",
                type=INGEST_FILE_UNREADABLE,
                non_retryable=True,
            )
        return path


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces ``path`` when the block succeeds.

    The block writes the temporary file; it is synced to disk and renamed on success and
    removed on any failure (cancellation included).
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

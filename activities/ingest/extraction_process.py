"""Document extraction in a child process that can be killed and whose memory is capped.

pypdf is pure Python, so a crafted PDF can make it spin or allocate beyond what its
decompression limits catch, and a thread running it can be neither stopped nor capped.
A child process can: the parent kills it when one page takes longer than
``page_timeout_seconds`` or when the activity is cancelled, and the child's address
space is capped at ``memory_bytes``. The child writes the pages file itself and reports
one JSON line per page on stdout, so the parent heartbeats page by page. Starting the
child costs about 0.2 s per document.
"""

import asyncio
import dataclasses
import json
import os
import resource
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO

from activities.ingest.document_text import (
    DOCUMENT_UNREADABLE,
    DocumentProblem,
    ExtractionLimits,
    iter_page_texts,
)

# The folder holding the ``activities`` package, put on the child's import path.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_STDERR_TAIL = 500
_INHERITED_ENV = ("PATH", "PYTHONHOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR")


@dataclasses.dataclass(frozen=True)
class ExtractedDocument:
    """Counts of a finished extraction."""

    pages: int
    characters: int


async def extract_to_file(
    source: Path,
    file_type: str,
    destination: Path,
    limits: ExtractionLimits,
    on_page: Callable[[int], None],
) -> ExtractedDocument:
    """Extract ``source`` page by page into the JSON Lines file ``destination``.

    ``destination`` receives one ``{"page": n, "text": ...}`` object per line, written by
    the child; pass a temporary path and rename it once this returns.

    Args:
        source: The uploaded file.
        file_type: ``pdf``, ``docx``, ``txt`` or ``md``.
        destination: The pages file to write (its folder must exist).
        limits: Caps on size, time and memory.
        on_page: Called with each page number once it is written (heartbeat here).

    Raises:
        DocumentProblem: The document cannot be extracted (never worth retrying).
        RuntimeError: The child died for another reason (worth a retry).
        asyncio.CancelledError: Cancelled; the child has been killed.
    """
    job = {
        "source": str(source),
        "file_type": file_type,
        "destination": str(destination),
        "limits": dataclasses.asdict(limits),
    }
    # Only what Python needs: the worker's secrets stay out of the process parsing uploads.
    env = {name: os.environ[name] for name in _INHERITED_ENV if name in os.environ}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(_PROJECT_ROOT), os.environ.get("PYTHONPATH")])
    )
    with tempfile.TemporaryFile() as stderr:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            json.dumps(job),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        try:
            return await _follow(child, limits, on_page, stderr)
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()


async def _follow(
    child: asyncio.subprocess.Process,
    limits: ExtractionLimits,
    on_page: Callable[[int], None],
    stderr: IO[bytes],
) -> ExtractedDocument:
    assert child.stdout is not None
    page = 0
    while True:
        try:
            line = await asyncio.wait_for(child.stdout.readline(), limits.page_timeout_seconds)
        except TimeoutError:
            where = f"page {page + 1}" if page else "the document"
            raise DocumentProblem(
                f"reading {where} took longer than {limits.page_timeout_seconds:g} s; the file "
                "looks malicious or damaged"
            ) from None
        if not line:
            break
        try:
            report = json.loads(line)
        except ValueError:
            continue  # not ours: something in the child printed to stdout
        if "page" in report:
            page = int(report["page"])
            on_page(page)
            # A cancellation requested meanwhile lands here: asyncio.wait_for (3.11) drops
            # one that arrives together with the next line it was reading.
            await asyncio.sleep(0)
        elif "error" in report:
            raise DocumentProblem(str(report["error"]), str(report["code"]))
        elif "done" in report:
            await child.wait()
            return ExtractedDocument(pages=report["pages"], characters=report["characters"])
    code = await child.wait()
    stderr.seek(0)
    tail = stderr.read().decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
    # Document problems are reported as such; anything else (a full disk, the OOM killer)
    # is the machine's, so a retry may succeed.
    raise RuntimeError(f"the extractor exited with code {code} at page {page + 1}: {tail}")


def _report(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _cap_memory(limit: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _run_child(job: dict[str, object]) -> None:
    limits = ExtractionLimits(**job["limits"])  # type: ignore[arg-type]
    _cap_memory(limits.memory_bytes)
    warnings.simplefilter("ignore")  # pypdf warns about every oddity of a damaged file
    pages = characters = 0
    try:
        with open(str(job["destination"]), "w", encoding="utf-8") as out:
            texts = iter_page_texts(Path(str(job["source"])), str(job["file_type"]), limits)
            for pages, text in enumerate(texts, start=1):
                out.write(json.dumps({"page": pages, "text": text}, ensure_ascii=False) + "\n")
                characters += len(text)
                _report({"page": pages})
    except DocumentProblem as problem:
        _report({"error": str(problem), "code": problem.code})
        return
    except MemoryError:
        mb = limits.memory_bytes // (1024 * 1024)
        _report(
            {
                "error": f"reading page {pages + 1} needs more than {mb} MB of memory; the file "
                "looks malicious or damaged",
                "code": DOCUMENT_UNREADABLE,
            }
        )
        return
    _report({"done": True, "pages": pages, "characters": characters})


if __name__ == "__main__":
    _run_child(json.loads(sys.argv[1]))

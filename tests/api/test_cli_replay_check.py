"""``python -m api.cli replay-check``: recorded histories replay against today's code, offline."""

import json
from pathlib import Path

import pytest

from api.cli.main import main

HISTORIES = Path(__file__).parents[1] / "workflows" / "histories"


def with_activity_renamed(source: Path, target: Path, new_name: str) -> None:
    """A copy of ``source`` whose first scheduled activity has another type: the workflow
    code schedules the original type, so replaying the copy is non-deterministic."""
    history = json.loads(source.read_text())
    scheduled = next(
        e for e in history["events"] if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
    )
    scheduled["activityTaskScheduledEventAttributes"]["activityType"]["name"] = new_name
    target.write_text(json.dumps(history))


def test_the_committed_histories_replay(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay-check", str(HISTORIES)]) == 0
    out = capsys.readouterr().out.splitlines()
    names = sorted(p.stem for p in HISTORIES.glob("*.json"))
    assert names and [f"ok  {name}" for name in names] == out[:-1]
    assert out[-1] == f"{len(names)} checked, 0 failed"


def test_a_non_deterministic_history_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = HISTORIES / "graph_run_rag_regular_v2.json"
    (tmp_path / "unchanged.json").write_bytes(original.read_bytes())
    with_activity_renamed(original, tmp_path / "renamed.json", "search_somewhere_else")
    (tmp_path / "truncated.json").write_bytes(original.read_bytes()[:500])

    assert main(["replay-check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "ok  unchanged" in out
    renamed = next(line for line in out if line.startswith("FAIL renamed: "))
    assert "Nondeterminism" in renamed and "search_somewhere_else" in renamed
    assert any(line.startswith("FAIL truncated: unreadable history") for line in out)
    assert out[-1] == "3 checked, 2 failed"


def test_a_single_file_can_be_checked(capsys: pytest.CaptureFixture[str]) -> None:
    path = HISTORIES / "ingest_document_text_v1.json"
    assert main(["replay-check", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"ok  {path.stem}", "1 checked, 0 failed"]


def test_a_missing_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay-check", str(tmp_path / "nowhere.json")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: no such file or directory: {tmp_path / 'nowhere.json'}"

    assert main(["replay-check", str(tmp_path)]) == 2
    assert "no history files" in capsys.readouterr().err

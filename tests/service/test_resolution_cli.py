"""``assist report resolution --json`` over a real SQLite database, seeded by driving real
conversations through the service with an injected clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import build_app
from bot.kb.embedder import FakeEmbedder
from bot.service.outcome import UserChoice, UserEvent, UserText
from bot.service.resolution import ResolutionReports
from bot.service.runtime import Runtime
from tests.conftest import write

DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
ROOM2_BLACK = "the main display in demo room 2 is black and says no input"
FIXED = "found it, it was on HDMI 2. switched to HDMI 1 and the picture is back"
PERSON = ("person", "Dana", "+1 617 555 0100", "yes", "yes")


@pytest.fixture
def clocked(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Runtime, list[datetime]]]:
    """The runtime with a settable clock, a knowledge base that abstains on everything, and the
    CLI pointed at the same database (with the fake embedder for the content gaps)."""
    from bot.kb.schema import IndexLayout
    from bot.kb.service import KnowledgeBase
    from bot.kb.vectorstore import InMemoryVectorStore
    from ingest.pipeline import Ingestor

    docs = tmp_path / "docs"
    write(
        docs,
        "codec/release-notes/9.4.1.md",
        "---\ntitle: Codec 9.4.1 Release Notes\nproduct: codec\ndoc_type: release_notes\n"
        'versions: ["9.4.1"]\n---\n# Codec 9.4.1\n\n## Fixed issues\n\n'
        "- CX-4821: The second display showed no signal after standby.\n",
    )
    vectors, root = InMemoryVectorStore(), tmp_path / "kb-index"
    Ingestor(IndexLayout(root), runtime.embedder, vectors).run([docs])
    runtime.assistant.conversation.kb = KnowledgeBase(
        root, runtime.embedder, vectors, abstain_threshold=0.99
    )
    now = [DAY1]
    runtime.assistant.clock = lambda: now[0]
    monkeypatch.setenv("ASSIST_PATHS__DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setattr("bot.kb.service.make_embedder", lambda settings: FakeEmbedder())
    yield runtime, now


def converse(runtime: Runtime, now: list[datetime], at: datetime, *said: str) -> str:
    """A chat at DEMO-1234 from ``at``, one minute per message; choices are given by id."""
    now[0] = at
    started = runtime.assistant.start("DEMO-1234")
    for n, words in enumerate(said, 1):
        now[0] = at + timedelta(minutes=n)
        event: UserEvent = UserText(words)
        if words in ("person", "yes"):
            event = UserChoice(words)
        runtime.assistant.reply(started.session_id, event)
    return started.session_id


def report(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(build_app(), ["report", "resolution", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def outcome_of(data: dict[str, Any], session_id: str) -> str:
    return next(c["outcome"] for c in data["conversations"] if c["session_id"] == session_id)


def test_a_repeat_contact_on_day_two_turns_contained_into_repeat(
    clocked: tuple[Runtime, list[datetime]],
) -> None:
    runtime, now = clocked
    fixed = converse(runtime, now, DAY1, ROOM2_BLACK, FIXED)
    asked = converse(runtime, now, DAY1 + timedelta(hours=2), "how do I pair a bluetooth speaker?")
    day2 = (DAY1 + timedelta(days=1)).isoformat()
    before = report("--now", day2, "--details")
    assert outcome_of(before, fixed) == "contained"
    assert outcome_of(before, asked) == "unresolved"
    totals = before["totals"]
    assert (totals["conversations"], totals["contained"], totals["window_open"]) == (2, 1, 1)
    assert totals["abstained_questions"] == 1
    assert before["content_gaps"][0]["examples"] == ["how do I pair a bluetooth speaker?"]
    assert before["by_week"][0]["week"] == "2026-W10" and before["days"] == 7

    # day 2: the same room's display again, handed to an engineer
    back = converse(runtime, now, DAY1 + timedelta(days=1), ROOM2_BLACK, *PERSON)
    after = report("--now", (DAY1 + timedelta(days=9)).isoformat(), "--details")
    assert outcome_of(after, fixed) == "repeat" and outcome_of(after, back) == "handed_off"
    repeat = next(c for c in after["conversations"] if c["session_id"] == fixed)
    assert repeat["repeat_by"] == back and repeat["asset_serial"] == "CX5-9002"
    flows = {f["flow_id"]: f for f in after["by_flow"]}
    display = flows[repeat["flow_id"]]
    assert (display["contained"], display["repeat_contacts"], display["handed_off"]) == (0, 1, 1)
    assert set(after) >= {"days", "generated_at", "totals", "by_flow", "by_week", "content_gaps"}
    assert after["articles"] == {"available": True, "created": 0, "used": 0, "top": []}


def test_a_contact_outside_the_window_leaves_it_contained(
    clocked: tuple[Runtime, list[datetime]],
) -> None:
    runtime, now = clocked
    fixed = converse(runtime, now, DAY1, ROOM2_BLACK, FIXED)
    converse(runtime, now, DAY1 + timedelta(days=8), ROOM2_BLACK, *PERSON)
    later = (DAY1 + timedelta(days=30)).isoformat()
    assert outcome_of(report("--now", later, "--details", "--no-gaps"), fixed) == "contained"
    assert outcome_of(report("--now", later, "--details", "--days", "9"), fixed) == "repeat"
    since = report("--now", later, "--since", (DAY1 + timedelta(days=1)).date().isoformat())
    assert since["totals"]["conversations"] == 1 and "conversations" not in since


def test_the_human_report_is_a_table_and_bad_dates_are_refused(
    clocked: tuple[Runtime, list[datetime]],
) -> None:
    runtime, now = clocked
    converse(runtime, now, DAY1, ROOM2_BLACK, FIXED)
    runner = CliRunner()
    shown = runner.invoke(build_app(), ["report", "resolution", "--no-gaps"])
    assert shown.exit_code == 0, shown.output
    assert "By flow" in shown.stdout and "contained" in shown.stdout
    bad = runner.invoke(build_app(), ["report", "resolution", "--now", "yesterday"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_gaps_from_the_database_and_from_a_question_file(
    clocked: tuple[Runtime, list[datetime]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.kb.service import KnowledgeBase

    runtime, now = clocked
    asked = (
        "can I pair a bluetooth speaker?",
        "can I pair the codec with a bluetooth speaker?",
        "Does the CX-900 support Dante audio networking?",
    )
    for n, q in enumerate(asked):
        converse(runtime, now, DAY1 + timedelta(hours=n), q)
    runner = CliRunner()
    stored = runner.invoke(build_app(), ["report", "gaps", "--json", "--threshold", "0.3"])
    assert stored.exit_code == 0, stored.output
    gaps = json.loads(stored.stdout)["gaps"]
    assert [g["size"] for g in gaps] == [2, 1]
    reports = ResolutionReports(runtime.store, FakeEmbedder())
    assert reports.report(DAY1).to_json()["totals"]["abstained_questions"] == 3
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "pair bluetooth speaker"}\n{"question": "REST API?"}\n')
    kb = runtime.assistant.conversation.kb
    monkeypatch.setattr(KnowledgeBase, "from_settings", lambda *args: kb)
    from_file = runner.invoke(
        build_app(), ["report", "gaps", "--json", "--questions", str(questions)]
    )
    assert from_file.exit_code == 0, from_file.output
    assert json.loads(from_file.stdout)["questions"] == 2

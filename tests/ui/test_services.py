"""The console's data shaping as plain Python: escaping, highlighting, the queue, parts, status."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.escalation.handoff_text import JOINER
from bot.kb.schema import Chunk, IndexLayout
from bot.service.identity import Engineer
from tests.ui.conftest import Console
from ui.console import services, status
from ui.console.markdown import answer_markdown, escape, highlight, query_terms, quote

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_escape_leaves_no_markdown_html_or_streamlit_syntax() -> None:
    hostile = "# <img src=x onerror=alert(1)> [link](javascript:x) :red[x] $y$ *b* 1. &amp;"
    out = escape(hostile)
    assert not re.search(r"[^\w\s]", re.sub(r"\\[^\w\s]", "", out))  # every special escaped
    assert re.sub(r"\\(.)", r"\1", out) == hostile


def test_query_terms_keep_identifiers_whole_and_drop_stopwords() -> None:
    terms = query_terms("Which firmware fixed the HDMI handshake on the CX-900 9.4.1?")
    assert terms == ["handshake", "firmware", "cx-900", "fixed", "9.4.1", "hdmi"]


def test_highlight_marks_whole_words_after_escaping() -> None:
    text = "CX-4821: HDMI handshake <b>fixed</b>\n\n  second line about hdmi-cec"
    out = highlight(text, ["hdmi", "fixed", "cx-4821"])
    assert out.startswith(":orange[**CX\\-4821**]\\: :orange[**HDMI**] handshake")
    assert "\\<b\\>:orange[**fixed**]\\<\\/b\\>" in out
    assert out.endswith("about :orange[**hdmi**]\\-cec")  # whole word, then escaped rest
    assert out.count("  \n") == 1  # two lines, blank line dropped
    assert highlight("a (b)", []) == "a \\(b\\)"


def test_answer_and_quote_markdown_keep_their_structure() -> None:
    md = answer_markdown("From Notes, version 9.4.1:\n- Fixed *this* [1]\n- And that [2]")
    assert md.splitlines() == [
        "From Notes\\, version 9\\.4\\.1\\:",
        "",
        "- Fixed \\*this\\* \\[1\\]",
        "- And that \\[2\\]",
    ]
    assert quote("one\ntwo", []) == "> one  \n> two"


def test_typed_addresses_stay_text() -> None:
    typed = "see https://evil.example/a, WWW.evil.example or help@evil.example"
    md = escape(typed)
    assert md.count(JOINER) == 3  # splits every pattern GFM would turn into a link
    assert md.replace(JOINER, "").replace("\\", "") == typed


def test_moves_are_refused_with_a_reason_then_applied(console: Console) -> None:
    desk, hid = console.other.engineers, console.seeded.hardware_handoff
    alex, dana = (Engineer(i, n, "", "engineer") for i, n in (("e-a", "Alex"), ("e-d", "Dana")))
    not_claimed = services.move_handoff(desk, hid, "resolve", engineer=alex, note="done")
    assert not not_claimed.ok and "is open" in not_claimed.message
    claimed = services.move_handoff(desk, hid, "claim", engineer=alex)
    assert claimed.ok and claimed.handoff and claimed.handoff.claimed_by == "e-a"
    assert claimed.message.endswith("claimed by Alex.")
    assert not services.allowed(claimed.handoff, "claim")
    assert services.allowed(claimed.handoff, "resolve")
    not_hers = services.move_handoff(desk, hid, "resolve", engineer=dana, note="done")
    assert not not_hers.ok and "claimed by e-a" in not_hers.message
    no_note = services.move_handoff(desk, hid, "resolve", engineer=alex, note=" ")
    assert not no_note.ok and "note" in no_note.message
    back = services.move_handoff(desk, hid, "hand_back", engineer=alex, step="symptom")
    assert back.ok and back.handoff and back.handoff.handed_back_to == "symptom"


def test_queue_rows_dates_and_transcript(console: Console) -> None:
    desk = console.other.engineers
    rows = services.handoff_rows(desk.queue())
    assert [r["priority"] for r in rows] == sorted(r["priority"] for r in rows)
    seeded = console.seeded
    assert {r["id"] for r in rows} == {
        seeded.chat_handoff,
        seeded.hardware_handoff,
        seeded.due_handoff,
    }
    assert [r["id"] for r in services.handoff_rows(desk.queue(), "P2")] == [seeded.chat_handoff]
    hardware = desk.handoff(console.seeded.hardware_handoff)
    assert hardware is not None
    whats = [d["what"] for d in services.handoff_dates(hardware)]
    assert whats[:2] == ["opened", "last change (open)"]
    assert "ship replacement: dispatch" in whats and "ship replacement: return due" in whats
    lines = desk.transcript(hardware)
    assert [line.who for line in lines[:2]] == ["assistant", "user"]
    assert "Talk to a person" in lines[0].choices
    chat = desk.handoff(console.seeded.chat_handoff)
    assert chat is not None and services.handoff_label(chat).startswith("P")


def test_part_rows_say_how_late_each_return_is(console: Console) -> None:
    store, accounts = console.other.engineers, console.other.accounts
    row, due = services.part_rows(store, accounts, date.today())
    assert row["overdue"] and row["state"].startswith("overdue by")
    assert row["site"] == "ProTelecom Demo Lab"
    assert not due["overdue"] and due["serial"] == console.seeded.due_serial
    early = row["return_due"] - timedelta(days=3)
    soon = services.part_rows(store, accounts, early)[0]
    assert soon["state"] == "due in 3 d" and not soon["overdue"]
    assert services.part_rows(store, accounts, early, overdue_only=True) == []
    overdue = services.part_rows(store, accounts, date.today(), overdue_only=True)
    assert [r["serial"] for r in overdue] == [console.seeded.overdue_serial]


def test_search_outcomes(console: Console) -> None:
    kb = console.other.kb
    options = services.search_options(kb)
    assert "cx-codec" in options.products and options.doc_types[0] == "release_notes"
    assert "9.4.1" in options.versions["cx-codec"]
    question = "which firmware fixed the HDMI handshake on the CX-900?"
    found = services.run_search(kb, question, product="cx-codec", version="9.4.1")
    assert found.answer is not None and found.problem is None and "hdmi" in found.terms
    cited = [services.cited_as(found.answer, p) for p in found.answer.passages]
    assert [1] in cited
    assert services.run_search(kb, "   ").problem == "the question is empty"
    assert services.run_search(None, "x").problem


def test_kb_status_counts_and_reads_the_manifest(tmp_path: Path) -> None:
    def chunk(n: int, product: str, source: str) -> Chunk:
        return Chunk(f"id{n}", "text", source, "T", product, "release_notes", "customer")

    layout = IndexLayout(tmp_path)
    report = {"added": 2, "failed": [{"source": "a.pdf", "reason": "no text"}], "warnings": ["w"]}
    layout.manifest.write_text(
        json.dumps(
            {"model": "m", "finished_at": "2026-11-26T10:00:00+00:00", "last_report": report}
        )
    )
    chunks = [chunk(1, "b", "b/1.md"), chunk(2, "a", "a/1.md"), chunk(3, "a", "a/1.md")]
    kb = status.kb_status(chunks, tmp_path)
    assert kb.products == [
        {"product": "a", "documents": 1, "chunks": 2},
        {"product": "b", "documents": 1, "chunks": 1},
    ]
    assert (kb.documents, kb.chunks, kb.model, kb.counts) == (2, 3, "m", {"added": 2})
    assert kb.failed == [{"source": "a.pdf", "reason": "no text"}] and kb.warnings == ["w"]
    assert kb.summary == "Last ingest 2026-11-26 10:00 UTC with m: 2 added."
    empty = status.kb_status([], tmp_path / "none")
    assert not empty.ingested and empty.products == []


def test_latest_report_is_the_newest_dated_folder(tmp_path: Path) -> None:
    assert status.latest_report(tmp_path / "missing") is None
    for day in ("2026-10-01", "2026-11-20", "2026-11-02"):
        (tmp_path / day).mkdir()
        (tmp_path / day / "report.md").write_text(f"# {day}\n![plot](plot.png)\nend")
    (tmp_path / "2026-12-31").mkdir()  # no report.md: ignored
    (tmp_path / "2026-11-20" / "plot.png").write_bytes(b"png")
    report = status.latest_report(tmp_path)
    assert report is not None and report.name == "2026-11-20"
    assert report.markdown == "# 2026-11-20\n\nend"
    assert [p.name for p in report.plots] == ["plot.png"]


def test_flow_check_lists_problems_and_draws_graphs(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad\ntitle: Bad\n", encoding="utf-8")
    check = status.check_flows(tmp_path)
    assert not check.ok and check.summary.endswith("0 flow(s) valid")
    assert check.problems[0]["file"].endswith("bad.yaml")
    repo_flows = Path(__file__).resolve().parents[2] / "knowledge/flows"
    good = status.check_flows(repo_flows)
    assert good.ok and status.flow_graph(good.flows[0]).startswith("flowchart TD")
    assert {"id", "title", "steps", "products", "file"} == set(status.flow_rows(good.flows)[0])

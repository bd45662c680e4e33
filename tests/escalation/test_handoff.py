"""Handoff records: every field filled, JSON round trip, safe Markdown, the user's summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.escalation.accounts import Accounts
from bot.escalation.decision import Category
from bot.escalation.handoff import (
    ArticleNote,
    DiagnosticStep,
    HandoffRecord,
    SiteRepresentative,
    SuspectedCause,
    compose_handoff,
    priority_for,
)
from bot.escalation.handoff_text import escape_markdown
from bot.kb.citation import Citation
from tests.escalation.support import Decide, site_time

REP = SiteRepresentative(
    name="Dana Lee", phone="+1 617 555 0101", on_site=True, available_for_duration=True
)


def record_for(
    accounts: Accounts, run: Decide, site: str, serial: str, when: str, **kwargs: object
) -> HandoffRecord:
    decision = run(site, serial, when, **kwargs)
    created = site_time(accounts, site, when)
    record, _ = compose_handoff(
        accounts,
        decision,
        issue="Display 2 shows **no signal** after standby <script>alert(1)</script>",
        created_at=created,
        diagnostics=(
            DiagnosticStep(
                step_id="check-input",
                question="Which input does Display 2 show?",
                answer="HDMI 2 [no signal]",
                at=created,
            ),
            DiagnosticStep(
                step_id="power-cycle",
                question="Restart the display, then the codec. Is the picture back?",
                answer="no",
                at=created,
            ),
        ),
        suspected_cause=SuspectedCause(
            summary="Display 2 output failure", confidence=0.7, category=Category.HARDWARE
        ),
        kb_sources=(
            Citation(
                title="CX Room Codec 9.4.1 release notes",
                source="cx-codec/release-notes-9.4.1.md",
                version="9.4.1",
                section="Fixed issues",
            ),
        ),
        site_representative=REP,
        articles=(
            ArticleNote(
                id="KCS-0003",
                title="Display 2 loses <b>HDMI</b> after standby",
                role="tried",
                audience="customer",
                fix=("Turn HDMI-CEC **off**.",),
                reviewed_on=datetime(2026, 11, 2, tzinfo=UTC).date(),
                worked=False,
            ),
        ),
    )
    return record


@pytest.mark.parametrize(
    ("category", "impact", "expected"),
    [
        ("hardware", None, "P1"),
        ("network", None, "P2"),
        ("software", None, "P2"),
        ("unknown", None, "P2"),
        ("resolved", None, "P3"),
        ("resolved", "room_down", "P3"),
        ("network", "room_down", "P1"),
        ("hardware", "degraded", "P2"),
        ("configuration", "question", "P3"),
    ],
)
def test_priority(category: str, impact: str | None, expected: str) -> None:
    assert priority_for(category, impact) == expected  # type: ignore[arg-type]


def test_record_fills_every_field(accounts: Accounts, run: Decide) -> None:
    record = record_for(accounts, run, "bos", "BOS-1", "2026-11-24T14:32:00")
    env = record.environment
    assert (env.customer_name, env.site_name, env.room) == (
        "East Coast Co",
        "Boston Office",
        "Room 1",
    )
    assert (env.asset_model, env.asset_product, env.firmware) == ("CX-900", "cx-codec", "9.4.0")
    assert env.contract_id == "P-1" and env.contract_valid_until is not None
    assert record.priority == "P1"
    assert record.decision.actions[0].dispatch_date is not None
    assert record.id.startswith("HO-")
    for name, value in record.model_dump().items():
        assert value not in (None, (), []), name


def test_json_round_trip(accounts: Accounts, run: Decide) -> None:
    record = record_for(accounts, run, "bos", "BOS-1", "2026-11-22T23:00:00")
    data = json.loads(record.to_json())
    assert data["decision"]["callback_at"] == "2026-11-23T08:00:00-05:00"
    assert data["decision"]["actions"][0]["return_due_date"] == "2026-12-02"
    assert HandoffRecord.model_validate_json(record.to_json()) == record


def test_markdown_escapes_user_text(accounts: Accounts, run: Decide) -> None:
    markdown = record_for(accounts, run, "bos", "BOS-1", "2026-11-24T14:32:00").to_markdown()
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert "**no signal**" not in markdown and "\\*\\*no signal\\*\\*" in markdown
    assert "HDMI 2 \\[no signal\\]" in markdown
    for heading in ("## Issue", "## Environment", "## Diagnostics", "## Suspected cause"):
        assert heading in markdown
    assert "## Knowledge base consulted" in markdown and "## Site representative" in markdown
    assert "dispatch 2026-11-24; delivery 2026-11-25; return due 2026-12-03" in markdown
    assert "confidence 70%" in markdown and "firmware 9.4.0" in markdown
    assert "## KCS articles" in markdown
    assert (
        "- **KCS-0003** (tried in the chat: it did not help, reviewed 2026-11-02): Display 2 loses "
        "\\<b\\>HDMI\\</b\\> after standby. Fix: 1) Turn HDMI-CEC \\*\\*off\\*\\*."
    ) in markdown


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert\\(1\\)\\>"),
        ("[click](http://x)", "\\[click\\]\\(http\\:\u2060//x\\)"),
        # GFM autolinks (GitHub, st.markdown): no scheme, www. or e-mail stays linkable
        ("https://evil.example/a", "https\\:\u2060//evil.example/a"),
        ("WWW.evil.example", "WWW\u2060.evil.example"),
        ("ops@evil.example", "ops\u2060\\@evil.example"),
        ("$x$ :red[y]", "\\$x\\$ \\:red\\[y\\]"),
        ("# shout", "\\# shout"),
        ("1. first", "1\\. first"),
        ("- item", "\\- item"),
        ("> quote", "\\> quote"),
        ("a & b", "a \\& b"),
        ("`code` _x_ ~y~ | z", "\\`code\\` \\_x\\_ \\~y\\~ \\| z"),
        ("firmware 9.4.0, -5 dB", "firmware 9.4.0, -5 dB"),
        ("two\nlines\r\n# here", "two lines # here"),  # folded: no longer a line start
        ("bell\x07", "bell"),
    ],
)
def test_escape_markdown(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


def test_escape_markdown_keeps_lines_when_asked() -> None:
    assert escape_markdown("# one\n- two", inline=False) == "\\# one\n\\- two"


@pytest.mark.parametrize(
    ("site", "serial", "when", "kwargs", "fragments"),
    [
        (
            "bos",
            "BOS-1",
            "2026-11-24T14:32:00",
            {},
            [
                "An engineer will join this chat to work on it with you.",
                "A replacement unit ships on Tuesday 24 Nov and arrives on Wednesday 25 Nov.",
                "Please send the faulty unit back by Thursday 3 Dec.",
                "someone who knows the room",
            ],
        ),
        (
            "bos",
            "BOS-1",
            "2026-11-22T23:00:00",
            {},
            ["call you back on +1 617 555 0101 at 08:00 Boston time on Monday 23 Nov."],
        ),
        (
            "bos-plus",
            "BOSP-1",
            "2026-11-25T09:00:00",
            {},
            [
                "A technician will come to your site on Friday 27 Nov.",
                "site representative who knows the room with us for the whole",
            ],
        ),
        (
            "bos-plus",
            "BOSP-1",
            "2026-11-25T09:00:00",
            {"remote": "not_attempted"},
            ["First, the engineer will work on the fault with you remotely"],
        ),
        (
            "old",
            "OLD-A",
            "2026-06-01T10:00:00",
            {},
            ["ended on Wednesday 31 Dec 2025", "time-and-materials", "self-service"],
        ),
    ],
)
def test_user_summary(
    accounts: Accounts,
    run: Decide,
    site: str,
    serial: str,
    when: str,
    kwargs: dict[str, object],
    fragments: list[str],
) -> None:
    summary = record_for(accounts, run, site, serial, when, **kwargs).user_summary()
    for fragment in fragments:
        assert fragment in summary
    assert "Your reference is HO-" in summary


def test_records_refuse_naive_times_and_bad_confidence() -> None:
    with pytest.raises(ValueError):
        DiagnosticStep(step_id="a", question="q", answer="a", at=datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        SuspectedCause(summary="x", confidence=1.5, category=Category.NETWORK)
    assert DiagnosticStep(
        step_id="a", question="q", answer="a", at=datetime(2026, 1, 1, tzinfo=UTC)
    )

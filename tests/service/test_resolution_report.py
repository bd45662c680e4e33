"""The resolution report's rules on hand-built rows: contained, repeat, outside the window,
handed off, no device, weeks across a year boundary, articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.service.article_figures import gather
from bot.service.resolution_report import ConversationFacts, HandoffFacts, build_report
from bot.service.weeks import week_of, week_start

DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def chat(
    sid: str,
    start: datetime,
    *,
    minutes: int = 10,
    site: str = "demo-boston",
    asset: str | None = "CX9-9001",
    flow: str | None = "display-no-signal",
    resolved: bool = False,
    handed_off: bool = False,
    abstained: tuple[str, ...] = (),
) -> ConversationFacts:
    return ConversationFacts(
        session_id=sid,
        site_id=site,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        flow_id=flow,
        asset_serial=asset,
        resolved=resolved,
        handed_off=handed_off,
        abstained=abstained,
    )


def outcomes(*conversations: ConversationFacts, now: datetime, days: int = 7, **kw: object):  # type: ignore[no-untyped-def]
    report = build_report(conversations, now=now, days=days, **kw)  # type: ignore[arg-type]
    return {j.facts.session_id: j.outcome for j in report.judged}, report


def test_a_resolved_conversation_is_contained_until_the_same_room_comes_back() -> None:
    first = chat("s1", DAY1, resolved=True)
    got, report = outcomes(first, now=DAY1 + timedelta(days=1))
    assert got == {"s1": "contained"}
    assert report.totals.contained == 1 and report.totals.window_open == 1  # provisional

    back = chat("s2", DAY1 + timedelta(days=1), handed_off=True)  # day 2, same site + asset
    got, report = outcomes(first, back, now=DAY1 + timedelta(days=2))
    assert got == {"s1": "repeat", "s2": "handed_off"}
    assert report.judged[0].repeat_by == "s2"
    totals = report.to_json()["totals"]
    assert (totals["contained"], totals["repeat_contacts"], totals["handed_off"]) == (0, 1, 1)
    assert totals["resolved_reported"] == 1 and totals["containment_rate"] == 0.0


def test_a_contact_outside_the_window_or_about_another_device_is_no_repeat() -> None:
    first = chat("s1", DAY1, resolved=True)
    late = chat("s2", DAY1 + timedelta(days=7, minutes=11))  # 7 days and 1 minute after the end
    other_asset = chat("s3", DAY1 + timedelta(days=1), asset="TX10-0001", flow="panel-frozen")
    other_site = chat("s4", DAY1 + timedelta(days=1), site="acme-boston")
    got, report = outcomes(first, late, other_asset, other_site, now=DAY1 + timedelta(days=30))
    assert got["s1"] == "contained" and report.totals.window_open == 0
    assert report.judged[0].repeat_by is None
    inside = chat("s5", DAY1 + timedelta(days=7, minutes=10))  # exactly at the window's end
    got, _ = outcomes(first, inside, now=DAY1 + timedelta(days=30))
    assert got["s1"] == "repeat"
    got, _ = outcomes(first, late, now=DAY1 + timedelta(days=30), days=8)  # the setting
    assert got["s1"] == "repeat"


def test_only_a_fault_contact_after_the_end_counts() -> None:
    first = chat("s1", DAY1, minutes=30, resolved=True)
    during = chat("s2", DAY1 + timedelta(minutes=5))  # started while the first was going on
    question = chat("s3", DAY1 + timedelta(days=1), flow=None, asset=None)  # a knowledge question
    got, _ = outcomes(first, during, question, now=DAY1 + timedelta(days=10))
    assert got == {"s1": "contained", "s2": "unresolved", "s3": "unresolved"}


def test_a_handoff_from_elsewhere_about_the_device_is_a_repeat_contact() -> None:
    first = chat("s1", DAY1, resolved=True)
    elsewhere = HandoffFacts("HO-1", "demo-boston", DAY1 + timedelta(days=2), "CX9-9001")
    report = build_report([first], [elsewhere], now=DAY1 + timedelta(days=9), days=7)
    assert report.judged[0].outcome == "repeat" and report.judged[0].repeat_by == "HO-1"
    unrelated = HandoffFacts("HO-2", "demo-boston", DAY1 + timedelta(days=2), "AX8-0001")
    report = build_report([first], [unrelated], now=DAY1 + timedelta(days=9), days=7)
    assert report.judged[0].outcome == "contained"


def test_handed_off_is_never_contained_even_when_the_engineer_resolved_it() -> None:
    got, report = outcomes(
        chat("s1", DAY1, resolved=True, handed_off=True), now=DAY1 + timedelta(days=30)
    )
    assert got == {"s1": "handed_off"} and report.totals.contained == 0


def test_without_a_device_repeats_are_keyed_by_site_and_flow() -> None:
    first = chat("s1", DAY1, asset=None, resolved=True)
    same_flow = chat("s2", DAY1 + timedelta(days=2), asset=None)
    other_flow = chat("s3", DAY1 + timedelta(days=2), asset=None, flow="audio-echo")
    got, _ = outcomes(first, other_flow, now=DAY1 + timedelta(days=30))
    assert got["s1"] == "contained"
    got, _ = outcomes(first, same_flow, other_flow, now=DAY1 + timedelta(days=30))
    assert got["s1"] == "repeat"
    named = chat("s4", DAY1 + timedelta(days=2), asset="CX9-9001")  # same flow, device named now
    got, _ = outcomes(first, named, now=DAY1 + timedelta(days=30))
    assert got["s1"] == "repeat"
    no_flow = chat("s5", DAY1, asset=None, flow=None, resolved=True)  # nothing to key on
    got, _ = outcomes(no_flow, same_flow, now=DAY1 + timedelta(days=30))
    assert got["s5"] == "contained"
    assert outcomes(no_flow, now=DAY1)[0] == {"s5": "contained"}  # no contact at the site at all


def test_weeks_are_iso_weeks_across_the_year_boundary() -> None:
    assert week_of(datetime(2025, 12, 28, 23, 0, tzinfo=UTC)) == "2025-W52"  # a Sunday
    assert week_of(datetime(2025, 12, 29, 0, 0, tzinfo=UTC)) == "2026-W01"  # Monday
    assert week_of(datetime(2027, 1, 1, 12, 0, tzinfo=UTC)) == "2026-W53"
    assert week_start("2026-W01").isoformat() == "2025-12-29"
    sunday = datetime(2025, 12, 28, 10, 0, tzinfo=UTC)
    rows = [
        chat("a", datetime(2026, 1, 2, 10, 0, tzinfo=UTC), resolved=True, asset="A"),
        chat("b", sunday, resolved=True, asset="B"),
        chat("c", datetime(2025, 12, 30, 10, 0, tzinfo=UTC), handed_off=True, asset="C"),
    ]
    report = build_report(rows, now=datetime(2026, 2, 1, tzinfo=UTC), days=7)
    weeks = report.to_json()["by_week"]
    assert [(w["week"], w["week_start"], w["conversations"]) for w in weeks] == [
        ("2025-W52", "2025-12-22", 1),
        ("2026-W01", "2025-12-29", 2),
    ]
    assert (weeks[1]["contained"], weeks[1]["handed_off"]) == (1, 1)


def test_per_flow_and_abstained_questions_are_counted() -> None:
    rows = [
        chat("a", DAY1, resolved=True, abstained=("is there a dante option?",)),
        chat("b", DAY1 + timedelta(hours=1), flow="audio-echo", asset="AX8-0001", handed_off=True),
        chat("c", DAY1 + timedelta(hours=2), flow=None, asset=None, abstained=("q1", "q2")),
    ]
    data = build_report(rows, now=DAY1 + timedelta(days=30), days=7).to_json()
    flows = {f["flow_id"]: f for f in data["by_flow"]}
    assert set(flows) == {"display-no-signal", "audio-echo", "(no flow)"}
    assert flows["(no flow)"]["abstained_questions"] == 2 and flows["(no flow)"]["unresolved"] == 1
    assert data["totals"]["abstained_questions"] == 3
    assert data["articles"] == {"available": False, "created": 0, "used": 0, "top": []}
    assert data["totals"]["articles_created"] == 0 == data["by_week"][0]["article_uses"]
    assert any("no knowledge articles" in n for n in data["notes"])


@dataclass(frozen=True)
class Counted:
    """An article's counts as the KCS service gives them."""

    article_id: str
    created_at: datetime
    uses: tuple[datetime, ...]

    def used_in(self, since: datetime | None, until: datetime | None) -> int:
        return sum(
            1 for u in self.uses if (since is None or u >= since) and (until is None or u < until)
        )


def test_articles_created_and_used_are_counted_in_all_and_per_week() -> None:
    one = Counted("KCS-0001", DAY1, (DAY1 + timedelta(hours=1), DAY1 + timedelta(days=8)))
    two = Counted("KCS-0002", DAY1 + timedelta(days=7), ())
    calls: list[tuple[datetime | None, datetime | None]] = []

    def source(since: datetime | None, until: datetime | None) -> list[SimpleNamespace]:
        calls.append((since, until))
        return [
            SimpleNamespace(
                article_id=a.article_id, created_at=a.created_at, used=a.used_in(since, until)
            )
            for a in (one, two)
        ]

    figures = gather(source, {week_of(DAY1)}, None)
    assert (figures.created, figures.used, figures.top) == (2, 2, (("KCS-0001", 2),))
    assert figures.created_by_week == {"2026-W10": 1, "2026-W11": 1}
    assert figures.used_by_week == {"2026-W10": 1, "2026-W11": 1}
    assert calls[1] == (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
    report = build_report(
        [chat("a", DAY1, resolved=True)], now=DAY1 + timedelta(days=30), days=7, articles=figures
    )
    data = report.to_json()
    assert data["articles"]["available"] and data["articles"]["used"] == 2
    assert data["articles"]["top"] == [{"id": "KCS-0001", "uses": 2}]
    assert data["totals"]["articles_created"] == 2 and data["totals"]["article_uses"] == 2
    weeks = [(w["week"], w["conversations"], w["articles_created"]) for w in data["by_week"]]
    assert weeks == [("2026-W10", 1, 1), ("2026-W11", 0, 1)]
    assert "articles_created" not in data["by_flow"][0]  # the counts carry no flow
    assert not any("no knowledge articles" in n for n in data["notes"])
    since = gather(source, set(), DAY1 + timedelta(days=1))  # created before: not counted
    assert since.created == 1


def test_the_window_is_at_least_a_day() -> None:
    with pytest.raises(ValueError):
        build_report([], now=DAY1, days=0)

"""Premier replacement shipping, table-driven to the second: the 15:00 cutoff, weekends,
holidays (US, UK, German Christmas), both DST changes, UTC input, 5 vs 10 return days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.escalation.accounts import Accounts
from bot.escalation.calendar import BusinessCalendar
from bot.escalation.decision import Route, Tier
from bot.escalation.entitlements import decide
from tests.escalation.support import Decide, assert_dates_explained, kinds, site_time

# -- Premier hardware: ship_replacement -------------------------------------------------------

SHIP_CASES = [
    # Boston, North America: 5 business days to return; US Thanksgiving is 2026-11-26.
    ("bos", "BOS-1", "2026-11-24T14:59:59", "2026-11-24", "2026-11-25", "2026-12-03"),
    ("bos", "BOS-1", "2026-11-24T15:00:00", "2026-11-25", "2026-11-27", "2026-12-04"),
    ("bos", "BOS-1", "2026-11-24T14:32:00", "2026-11-24", "2026-11-25", "2026-12-03"),
    ("bos", "BOS-1", "2026-11-24T06:00:00", "2026-11-24", "2026-11-25", "2026-12-03"),
    ("bos", "BOS-1", "2026-11-20T15:30:00", "2026-11-23", "2026-11-24", "2026-12-02"),  # Fri late
    ("bos", "BOS-1", "2026-11-20T10:00:00", "2026-11-20", "2026-11-23", "2026-12-01"),  # Fri early
    ("bos", "BOS-1", "2026-11-25T10:00:00", "2026-11-25", "2026-11-27", "2026-12-04"),
    ("bos", "BOS-1", "2026-11-26T10:00:00", "2026-11-27", "2026-11-30", "2026-12-07"),  # holiday
    ("bos", "BOS-1", "2026-11-28T09:00:00", "2026-11-30", "2026-12-01", "2026-12-08"),  # Sat
    # US DST starts 2026-03-08: 18:59:59Z is 14:59:59 EDT, 19:00Z is 15:00 EDT.
    ("bos", "BOS-1", "2026-03-09T18:59:59+00:00", "2026-03-09", "2026-03-10", "2026-03-17"),
    ("bos", "BOS-1", "2026-03-09T19:00:00+00:00", "2026-03-10", "2026-03-11", "2026-03-18"),
    ("bos", "BOS-1", "2026-03-06T19:59:59+00:00", "2026-03-06", "2026-03-09", "2026-03-16"),
    ("bos", "BOS-1", "2026-03-06T20:00:00+00:00", "2026-03-09", "2026-03-10", "2026-03-17"),
    # US DST ends 2026-11-01: 19:59:59Z is 14:59:59 EST; Veterans Day 11-11 is skipped.
    ("bos", "BOS-1", "2026-11-02T19:59:59+00:00", "2026-11-02", "2026-11-03", "2026-11-10"),
    ("bos", "BOS-1", "2026-11-02T20:00:00+00:00", "2026-11-03", "2026-11-04", "2026-11-12"),
    ("bos", "BOS-1", "2026-10-30T18:59:59+00:00", "2026-10-30", "2026-11-02", "2026-11-09"),
    # Berlin, outside North America: 10 days; EU DST 2026-03-29 and 2026-10-25; Easter 3-6 Apr.
    ("ber", "BER-1", "2026-03-27T13:59:59+00:00", "2026-03-27", "2026-03-30", "2026-04-15"),
    ("ber", "BER-1", "2026-03-27T14:00:00+00:00", "2026-03-30", "2026-03-31", "2026-04-16"),
    ("ber", "BER-1", "2026-03-30T12:59:59+00:00", "2026-03-30", "2026-03-31", "2026-04-16"),
    ("ber", "BER-1", "2026-03-30T13:00:00+00:00", "2026-03-31", "2026-04-01", "2026-04-17"),
    ("ber", "BER-1", "2026-10-26T13:59:59+00:00", "2026-10-26", "2026-10-27", "2026-11-10"),
    ("ber", "BER-1", "2026-10-23T13:00:00+00:00", "2026-10-26", "2026-10-27", "2026-11-10"),
    # German Christmas: the 24th is a working day, the 25th and 26th are holidays.
    ("ber", "BER-1", "2026-12-24T10:00:00", "2026-12-24", "2026-12-28", "2027-01-12"),
    ("ber", "BER-1", "2026-12-23T16:00:00", "2026-12-24", "2026-12-28", "2027-01-12"),
    # London: UK bank holidays (Christmas, Boxing Day observed on the 28th, Easter).
    ("lon", "LON-1", "2026-12-24T16:00:00", "2026-12-29", "2026-12-30", "2027-01-14"),
    ("lon", "LON-1", "2026-12-24T14:59:59", "2026-12-24", "2026-12-29", "2027-01-13"),
    ("lon", "LON-1", "2026-04-02T15:30:00", "2026-04-07", "2026-04-08", "2026-04-22"),
    ("lon", "LON-1", "2026-03-30T13:59:59+00:00", "2026-03-30", "2026-03-31", "2026-04-16"),
    ("lon", "LON-1", "2026-03-30T14:00:00+00:00", "2026-03-31", "2026-04-01", "2026-04-17"),
    # North America (Canada, Mexico: 5 days) against the UK (10 days), same week.
    ("tor", "TOR-1", "2026-06-09T10:00:00", "2026-06-09", "2026-06-10", "2026-06-17"),
    ("mex", "MEX-1", "2026-06-09T10:00:00", "2026-06-09", "2026-06-10", "2026-06-17"),
    ("lon", "LON-1", "2026-06-09T10:00:00", "2026-06-09", "2026-06-10", "2026-06-24"),
    # A time given in UTC for Tokyo (UTC+9).
    ("tyo", "TYO-1", "2026-11-24T05:59:59+00:00", "2026-11-24", "2026-11-25", "2026-12-09"),
    ("tyo", "TYO-1", "2026-11-24T06:00:00Z", "2026-11-25", "2026-11-26", "2026-12-10"),
]


@pytest.mark.parametrize(("site", "serial", "when", "dispatch", "delivery", "due"), SHIP_CASES)
def test_premier_ship_replacement_dates(
    run: Decide, site: str, serial: str, when: str, dispatch: str, delivery: str, due: str
) -> None:
    decision = run(site, serial, when)
    assert decision.entitled and decision.tier is Tier.PREMIER
    assert kinds(decision) == ["ship_replacement"]
    action = decision.actions[0]
    assert action.dispatch_date == date.fromisoformat(dispatch)
    assert action.delivery_date == date.fromisoformat(delivery)
    assert action.return_due_date == date.fromisoformat(due)
    assert_dates_explained(decision)


def test_ship_replacement_reason_reads_like_the_brochure(run: Decide) -> None:
    decision = run("bos", "BOS-1", "2026-11-24T14:32:00")
    text = decision.actions[0].reason
    assert text.startswith(
        "The failure was confirmed at 14:32 Boston time, before the 15:00 cutoff, so the "
        "replacement ships today, Tuesday 24 Nov, for delivery Wednesday 25 Nov. Please return "
        "the faulty unit by Thursday 3 Dec: 5 business days after delivery"
    )
    assert "Thanksgiving Day on Thursday 26 Nov" in text


@pytest.mark.parametrize(
    ("site", "serial", "when", "fragments"),
    [
        ("bos", "BOS-1", "2026-11-24T15:00:00", ["at 15:00 Boston time, too late for the 15:00"]),
        ("bos", "BOS-1", "2026-11-20T15:30:00", ["next business day, Monday 23 Nov"]),
        ("bos", "BOS-1", "2026-11-26T10:00:00", ["a public holiday (Thanksgiving Day)"]),
        ("bos", "BOS-1", "2026-11-28T09:00:00", ["Saturday 28 Nov at 09:00", "not a business"]),
        ("lon", "LON-1", "2026-06-09T10:00:00", ["10 business days", "outside North America"]),
        ("mex", "MEX-1", "2026-06-09T10:00:00", ["5 business days", "in North America"]),
        ("lon", "LON-1", "2026-12-24T16:00:00", ["Boxing Day (observed) on Monday 28 Dec"]),
        ("lon", "LON-1", "2026-12-24T16:00:00", ["Thursday 14 Jan 2027"]),
    ],
)
def test_ship_replacement_reason_explains(
    run: Decide, site: str, serial: str, when: str, fragments: list[str]
) -> None:
    text = " ".join(run(site, serial, when).reasons)
    for fragment in fragments:
        assert fragment in text


def test_determination_earlier_than_now_is_named_by_day(run: Decide) -> None:
    decision = run("bos", "BOS-1", "2026-11-24T14:00:00", now="2026-11-25T09:00:00")
    assert decision.actions[0].dispatch_date == date(2026, 11, 24)
    assert "confirmed at 14:00 Boston time on Tuesday 24 Nov" in decision.actions[0].reason
    assert "ships the same day, Tuesday 24 Nov" in decision.actions[0].reason


# -- properties ---------------------------------------------------------------------------------


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    # ``accounts`` is frozen and read-only, so sharing it between examples is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    site=st.sampled_from([("bos", "BOS-1"), ("lon", "LON-1"), ("tyo", "TYO-1"), ("mex", "MEX-1")]),
    moment=st.datetimes(
        min_value=datetime(2026, 1, 2), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)
    ),
)
def test_shipping_dates_always_follow_the_rule(
    accounts: Accounts, site: tuple[str, str], moment: datetime
) -> None:
    found_site = accounts.site(site[0])
    assert found_site is not None
    cal = BusinessCalendar.for_site(found_site)
    decision = decide(accounts, site[0], site[1], "hardware", "failed", False, moment, moment)
    action = decision.actions[0]
    assert action.dispatch_date and action.delivery_date and action.return_due_date
    local = moment.astimezone(cal.zone)
    same_day = cal.is_business_day(local.date()) and local.hour < 15
    assert (action.dispatch_date == local.date()) is same_day
    assert action.dispatch_date >= local.date()
    assert cal.is_business_day(action.dispatch_date)
    assert action.delivery_date == cal.next_business_day(action.dispatch_date)
    days = 5 if found_site.north_america else 10
    assert action.return_due_date == cal.add_business_days(action.delivery_date, days)
    if decision.route is Route.CALLBACK:
        assert decision.callback_at is not None and decision.callback_at > moment
        assert decision.callback_at - moment < timedelta(days=6)


def test_site_time_helper_reads_offsets(accounts: Accounts) -> None:
    assert site_time(accounts, "bos", "2026-11-24T19:32:00Z").isoformat() == (
        "2026-11-24T14:32:00-05:00"
    )

"""Entitlement rules, table-driven to the second, with the reasons checked for every date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.errors import EscalationError
from bot.escalation.accounts import Accounts
from bot.escalation.decision import Route, Tier
from bot.escalation.entitlements import decide
from bot.escalation.wording import format_day
from tests.escalation.support import Decide, assert_dates_explained, kinds

LATEST = {"cx-codec": "10.0.0", "vx-camera": "4.2.0", "ax-audio": "5.1.0"}


# -- human contact ----------------------------------------------------------------------------

ROUTE_CASES = [
    ("bos", "BOS-1", "2026-11-24T10:00:00", "live_transfer", None),
    ("bos", "BOS-1", "2026-11-24T07:59:59", "callback", "2026-11-24T08:00:00-05:00"),
    ("bos", "BOS-1", "2026-11-24T08:00:00", "live_transfer", None),
    ("bos", "BOS-1", "2026-11-24T16:59:59", "live_transfer", None),
    ("bos", "BOS-1", "2026-11-24T17:00:00", "callback", "2026-11-25T08:00:00-05:00"),
    ("bos", "BOS-1", "2026-11-25T18:40:00", "callback", "2026-11-27T08:00:00-05:00"),
    ("bos", "BOS-1", "2026-11-26T11:00:00", "callback", "2026-11-27T08:00:00-05:00"),
    ("bos", "BOS-1", "2026-11-20T17:30:00", "callback", "2026-11-23T08:00:00-05:00"),
    # Premier on a Sunday night: Monday 08:00, or Tuesday when Monday is a holiday.
    ("bos", "BOS-1", "2026-11-22T23:00:00", "callback", "2026-11-23T08:00:00-05:00"),
    ("bos", "BOS-1", "2026-05-24T23:00:00", "callback", "2026-05-26T08:00:00-04:00"),
    ("lon", "LON-1", "2026-04-05T23:00:00", "callback", "2026-04-07T08:00:00+01:00"),
    # Across both DST changes.
    ("bos", "BOS-1", "2026-03-07T20:00:00", "callback", "2026-03-09T08:00:00-04:00"),
    ("bos", "BOS-1", "2026-10-31T20:00:00", "callback", "2026-11-02T08:00:00-05:00"),
    ("ber", "BER-1", "2026-03-28T20:00:00", "callback", "2026-03-30T08:00:00+02:00"),
    ("ber", "BER-1", "2026-10-24T20:00:00", "callback", "2026-10-26T08:00:00+01:00"),
    # UTC input for Boston: 12:59:59Z is 07:59:59 EST.
    ("bos", "BOS-1", "2026-11-24T12:59:59+00:00", "callback", "2026-11-24T08:00:00-05:00"),
    ("bos", "BOS-1", "2026-11-24T13:00:00+00:00", "live_transfer", None),
    # Premier Plus: live at any hour, holidays included.
    ("bos-plus", "BOSP-1", "2026-11-24T03:00:00", "live_transfer", None),
    ("bos-plus", "BOSP-1", "2026-11-26T03:00:00", "live_transfer", None),
    ("ber-plus", "BERP-1", "2026-12-25T22:00:00", "live_transfer", None),
]


@pytest.mark.parametrize(("site", "serial", "now", "route", "callback"), ROUTE_CASES)
def test_contact_route(
    run: Decide, site: str, serial: str, now: str, route: str, callback: str | None
) -> None:
    decision = run(site, serial, now, category="network")
    assert decision.route.value == route
    assert (decision.callback_at.isoformat() if decision.callback_at else None) == callback
    if decision.callback_at is not None:
        opening = decision.callback_at
        assert f"at {opening:%H:%M} on {format_day(opening.date())[:-5]}" in decision.reasons[1]


def test_route_uses_now_not_the_determination_time(run: Decide) -> None:
    decision = run("bos", "BOS-1", "2026-11-24T10:00:00", now="2026-11-24T18:00:00")
    assert decision.route is Route.CALLBACK
    assert decision.actions[0].dispatch_date == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("now", "fragment"),
    [
        ("2026-05-24T23:00:00", "(not counting Memorial Day on Monday 25 May)"),
        ("2026-11-26T11:00:00", "today, Thursday 26 Nov, is a public holiday (Thanksgiving Day)"),
        ("2026-11-24T07:30:00", "before opening"),
        ("2026-11-24T17:00:00", "after closing"),
        ("2026-11-22T23:00:00", "it is 23:00 on Sunday 22 Nov, not a business day"),
    ],
)
def test_callback_reasons(run: Decide, now: str, fragment: str) -> None:
    reason = run("bos", "BOS-1", now, category="network").reasons[1]
    assert reason.startswith("Premier telephone support is open Mon-Fri 08:00-17:00 Boston time")
    assert fragment in reason


def test_premier_plus_at_three_in_the_morning(run: Decide) -> None:
    decision = run("bos-plus", "BOSP-1", "2026-11-24T03:00:00", remote="not_attempted")
    assert decision.route is Route.LIVE_TRANSFER and decision.callback_at is None
    assert (
        "24x7" in decision.reasons[1]
        and "03:00 on Tuesday 24 Nov, Boston time" in (decision.reasons[1])
    )


# -- Premier Plus hardware --------------------------------------------------------------------

ONSITE, REMOTE, QUOTE = "onsite_dispatch", "remote_troubleshooting", "tm_quote"
PLUS_CASES = [
    ("bos-plus", "BOSP-1", "2026-11-24T16:00:00", "failed", False, [ONSITE], "11-25"),
    ("bos-plus", "BOSP-1", "2026-11-25T09:00:00", "failed", False, [ONSITE], "11-27"),
    ("bos-plus", "BOSP-1", "2026-11-20T10:00:00", "failed", False, [ONSITE], "11-23"),
    ("bos-plus", "BOSP-1", "2026-11-24T03:00:00", "not_attempted", False, [REMOTE], None),
    ("bos-plus", "BOSP-1", "2026-11-24T10:00:00", "failed", True, [ONSITE, QUOTE], "11-25"),
    ("bos-plus", "BOSP-1", "2026-11-24T10:00:00", "not_attempted", True, [REMOTE, QUOTE], None),
    ("bos-plus", "BOSP-EOL", "2026-11-24T10:00:00", "not_attempted", False, [REMOTE, QUOTE], None),
    ("bos-plus", "BOSP-EOL", "2026-11-24T10:00:00", "failed", False, [ONSITE, QUOTE], "11-25"),
    ("bos-plus", "BOSP-1", "2026-11-24T10:00:00", "resolved", False, [], None),
    ("ber-plus", "BERP-1", "2026-12-24T10:00:00", "failed", False, [ONSITE], "12-28"),  # Xmas Eve
    ("ber-plus", "BERP-1", "2026-12-23T18:00:00", "failed", False, [ONSITE], "12-24"),
]


@pytest.mark.parametrize(
    ("site", "serial", "when", "remote", "unrepairable", "expected", "onsite"), PLUS_CASES
)
def test_premier_plus_hardware(
    run: Decide,
    site: str,
    serial: str,
    when: str,
    remote: str,
    unrepairable: bool,
    expected: list[str],
    onsite: str | None,
) -> None:
    decision = run(site, serial, when, remote=remote, unrepairable=unrepairable)
    assert decision.tier is Tier.PREMIER_PLUS and decision.route is Route.LIVE_TRANSFER
    assert kinds(decision) == expected
    dispatch = decision.action("onsite_dispatch")
    assert (dispatch.onsite_date if dispatch else None) == (
        date.fromisoformat(f"2026-{onsite}") if onsite else None
    )
    assert decision.action("ship_replacement") is None
    assert_dates_explained(decision)


def test_remote_troubleshooting_comes_first_for_premier_plus(run: Decide) -> None:
    decision = run("bos-plus", "BOSP-1", "2026-11-24T10:00:00", remote="not_attempted")
    assert "remote troubleshooting with our engineer comes first" in decision.actions[0].reason


# -- Premier specials, categories -------------------------------------------------------------


@pytest.mark.parametrize(
    ("serial", "remote", "unrepairable", "expected"),
    [
        ("BOS-EOL", "failed", False, ["tm_quote"]),  # no replacement part for an EOL unit
        ("BOS-EOL", "not_attempted", True, ["tm_quote"]),
        ("BOS-1", "failed", True, ["ship_replacement"]),  # a replacement part anyway
        ("BOS-1", "not_attempted", False, ["ship_replacement"]),  # no remote step required
        ("BOS-1", "resolved", False, []),
    ],
)
def test_premier_hardware_variants(
    run: Decide, serial: str, remote: str, unrepairable: bool, expected: list[str]
) -> None:
    decision = run("bos", serial, "2026-11-24T10:00:00", remote=remote, unrepairable=unrepairable)
    assert kinds(decision) == expected


def test_premier_end_of_life_reason(run: Decide) -> None:
    decision = run("bos", "BOS-EOL", "2026-11-24T10:00:00")
    assert "end of life, so Premier cannot ship a replacement part" in decision.actions[0].reason
    assert "time-and-materials quote" in decision.actions[0].reason


@pytest.mark.parametrize(("site", "serial"), [("bos", "BOS-1"), ("bos-plus", "BOSP-1")])
def test_network_escalation_for_both_tiers(run: Decide, site: str, serial: str) -> None:
    decision = run(site, serial, "2026-11-24T10:00:00", category="network")
    assert kinds(decision) == ["network_escalation"]
    assert "higher-level network engineers" in decision.actions[0].reason


@pytest.mark.parametrize(
    ("site", "serial", "latest", "target", "fragment"),
    [
        ("bos", "BOS-1", LATEST, "10.0.0", "runs firmware 9.4.0 and the newest release is 10.0.0"),
        ("bos", "BOS-1", None, None, "the engineer will confirm the right version"),
        ("bos-plus", "BOSP-1", LATEST, "10.0.0", "already runs 10.0.0, the newest release"),
    ],
)
def test_software_update_targets(
    run: Decide,
    site: str,
    serial: str,
    latest: dict[str, str] | None,
    target: str | None,
    fragment: str,
) -> None:
    decision = run(site, serial, "2026-11-24T10:00:00", category="software", latest=latest)
    assert kinds(decision) == ["software_update"]
    assert decision.actions[0].target_version == target
    assert fragment in decision.actions[0].reason
    assert decision.to_dict()["actions"] == [
        {"kind": "software_update", "target_version": target, "reason": decision.actions[0].reason}
    ]


@pytest.mark.parametrize("category", ["configuration", "unknown", "resolved"])
def test_other_categories_take_no_action(run: Decide, category: str) -> None:
    decision = run("bos", "BOS-1", "2026-11-24T10:00:00", category=category)
    assert decision.entitled and decision.actions == ()
    assert decision.site_representative_required


def test_resolved_says_so(run: Decide) -> None:
    decision = run("bos", "BOS-1", "2026-11-24T10:00:00", category="resolved")
    assert "resolved, so nothing needs to be sent or scheduled" in " ".join(decision.reasons)


@pytest.mark.parametrize(
    ("site", "serial", "wording"),
    [
        ("bos", "BOS-1", "knowledgeable person at the site to work the problem with our engineer"),
        ("bos-plus", "BOSP-1", "knowledgeable, dedicated site representative for the whole"),
    ],
)
def test_site_representative_wording(run: Decide, site: str, serial: str, wording: str) -> None:
    decision = run(site, serial, "2026-11-24T10:00:00")
    assert decision.site_representative_required
    assert wording in decision.reasons[-1]


# -- not covered ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "serial", "when", "now", "fragment"),
    [
        ("old", "OLD-A", "2026-06-01T10:00:00", None, "ended on Wednesday 31 Dec 2025"),
        ("old", "OLD-A", "2025-12-31T10:00:00", "2026-01-01T00:00:00", "ended on"),
        ("future", "NEW-A", "2026-06-01T10:00:00", None, "starts on Friday 1 Jan 2027"),
        ("bare", "BARE-A", "2026-06-01T10:00:00", None, "has no service contract on file"),
        ("bos", "TOR-1", "2026-06-01T10:00:00", None, "serial TOR-1 is not registered at Boston"),
        ("bos", "NOPE", "2026-06-01T10:00:00", None, "serial NOPE is not registered"),
    ],
)
def test_not_covered(
    run: Decide, site: str, serial: str, when: str, now: str | None, fragment: str
) -> None:
    decision = run(site, serial, when, now=now)
    assert not decision.entitled and decision.tier is None
    assert decision.route is Route.NOT_COVERED and decision.callback_at is None
    assert decision.actions == () and not decision.site_representative_required
    assert fragment in decision.reasons[0]
    assert "time-and-materials" in decision.reasons[1] and "self-service" in decision.reasons[1]


def test_contract_is_active_through_its_last_site_local_day(run: Decide) -> None:
    assert run("old", "OLD-A", "2025-12-31T23:59:59").entitled
    # 2026-01-01T04:00Z is still 23:00 on 31 Dec in New York.
    assert run("old", "OLD-A", "2026-01-01T04:00:00+00:00").entitled
    assert not run("old", "OLD-A", "2026-01-01T05:00:00+00:00").entitled


def test_input_errors(accounts: Accounts) -> None:
    moment = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    with pytest.raises(EscalationError, match="unknown site 'nope'"):
        decide(accounts, "nope", "X", "hardware", "failed", False, moment, moment)
    with pytest.raises(EscalationError, match=r"unknown category 'fire'.*hardware"):
        decide(accounts, "bos", "BOS-1", "fire", "failed", False, moment, moment)
    with pytest.raises(EscalationError, match="unknown remote resolution"):
        decide(accounts, "bos", "BOS-1", "hardware", "maybe", False, moment, moment)
    with pytest.raises(ValueError, match="aware"):
        decide(
            accounts,
            "bos",
            "BOS-1",
            "hardware",
            "failed",
            False,
            moment.replace(tzinfo=None),
            moment,
        )


def test_to_dict_is_the_cli_contract(run: Decide) -> None:
    decision = run("bos", "BOS-1", "2026-11-22T23:00:00")
    data = json.loads(json.dumps(decision.to_dict()))
    assert data["entitled"] is True and data["tier"] == "premier"
    assert data["route"] == "callback" and data["callback_at"] == "2026-11-23T08:00:00-05:00"
    assert data["actions"][0] == {
        "kind": "ship_replacement",
        "dispatch_date": "2026-11-23",
        "delivery_date": "2026-11-24",
        "return_due_date": "2026-12-02",
        "reason": decision.actions[0].reason,
    }
    assert data["site_representative_required"] is True
    assert all(isinstance(reason, str) and reason for reason in data["reasons"])

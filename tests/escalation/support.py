"""Helpers shared by the escalation tests: the inline accounts fixture and site-local times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.escalation.accounts import Accounts
from bot.escalation.calendar import BusinessCalendar
from bot.escalation.decision import Decision
from bot.escalation.wording import format_day

ACCOUNTS_YAML = """\
customers:
  - id: east
    name: East Coast Co
    contracts:
      - {id: P-1, tier: premier, starts: 2026-01-01, ends: 2027-12-31}
      - {id: PP-1, tier: premier_plus, starts: 2026-01-01, ends: 2027-12-31}
      - {id: OLD-1, tier: premier, starts: 2024-01-01, ends: 2025-12-31}
      - {id: NEW-1, tier: premier, starts: 2027-01-01, ends: 2028-12-31}
    sites:
      - id: bos
        name: Boston Office
        city: Boston
        timezone: America/New_York
        country: US
        subdivision: MA
        contract: P-1
        access_code: "BOS-0001"
        contact: {name: Dana Lee, phone: "+1 617 555 0101", email: dana@example.com}
        assets:
          - {serial: BOS-1, product: cx-codec, model: CX-900, firmware: 9.4.0, room: Room 1}
          - {serial: BOS-EOL, product: cx-codec, model: CX-500, firmware: 8.0.0, end_of_life: true}
      - id: bos-plus
        name: Boston Lab
        city: Boston
        timezone: America/New_York
        country: US
        subdivision: MA
        contract: PP-1
        access_code: "BOS-0002"
        assets:
          - {serial: BOSP-1, product: cx-codec, model: CX-900, firmware: 10.0.0}
          - {serial: BOSP-EOL, product: vx-camera, model: VX-12U, firmware: 3.0.0,
             end_of_life: true}
      - id: old
        name: Old Office
        timezone: America/New_York
        country: US
        contract: OLD-1
        access_code: "OLD-0001"
        assets:
          - {serial: OLD-A, product: tx-panel, model: TX-10, firmware: 2.0.0}
      - id: future
        name: Future Office
        timezone: America/New_York
        country: US
        contract: NEW-1
        access_code: "NEW-0001"
        assets:
          - {serial: NEW-A, product: tx-panel, model: TX-10, firmware: 2.0.0}
      - id: bare
        name: Bare Office
        timezone: America/Chicago
        country: US
        access_code: "BARE-0001"
        assets:
          - {serial: BARE-A, product: wx-share, model: WX-4, firmware: 7.2.1}
  - id: world
    name: World Ltd
    contracts:
      - {id: W-P, tier: premier, starts: 2026-01-01, ends: 2027-12-31}
      - {id: W-PP, tier: premier_plus, starts: 2026-01-01, ends: 2027-12-31}
    sites:
      - {id: tor, name: Toronto Office, city: Toronto, timezone: America/Toronto, country: CA,
         subdivision: "ON", contract: W-P, access_code: "TOR-0001",
         assets: [{serial: TOR-1, product: cx-codec, model: CX-900, firmware: 9.4.1}]}
      - {id: mex, name: Mexico City Office, city: Mexico City, timezone: America/Mexico_City,
         country: MX, contract: W-P, access_code: "MEX-0001",
         assets: [{serial: MEX-1, product: cx-codec, model: CX-900, firmware: 9.4.1}]}
      - {id: lon, name: London Office, city: London, timezone: Europe/London, country: GB,
         subdivision: ENG, contract: W-P, access_code: "LON-0001",
         assets: [{serial: LON-1, product: cx-codec, model: CX-900, firmware: 9.4.1}]}
      - {id: ber, name: Berlin Office, city: Berlin, timezone: Europe/Berlin, country: DE,
         contract: W-P, access_code: "BER-0001",
         assets: [{serial: BER-1, product: ax-audio, model: AX-8, firmware: 5.0.0}]}
      - {id: ber-plus, name: Berlin Lab, city: Berlin, timezone: Europe/Berlin, country: DE,
         contract: W-PP, access_code: "BER-0002",
         assets: [{serial: BERP-1, product: ax-audio, model: AX-8, firmware: 5.0.0}]}
      - {id: tyo, name: Tokyo Office, timezone: Asia/Tokyo, country: JP, contract: W-P,
         access_code: "TYO-0001",
         assets: [{serial: TYO-1, product: vx-camera, model: VX-20, firmware: 4.1.0}]}
"""


def site_time(accounts: Accounts, site_id: str, text: str) -> datetime:
    """An ISO text as a site-local aware datetime (naive = site-local wall clock)."""
    site = accounts.site(site_id)
    assert site is not None
    return BusinessCalendar.for_site(site).localize(datetime.fromisoformat(text))


Decide = Callable[..., Decision]


def assert_dates_explained(decision: Decision) -> None:
    """Every date of every action appears in the reasons, in words, relative to now's year."""
    text = " ".join(decision.reasons)
    for action in decision.actions:
        for value in action.dates().values():
            assert value.strftime("%d").lstrip("0") in text
            words = format_day(value, reference=None).rsplit(" ", 1)[0]  # "Tuesday 24 Nov"
            assert words in text, (words, text)


def kinds(decision: Decision) -> list[str]:
    return [action.kind.value for action in decision.actions]

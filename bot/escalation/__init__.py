"""Contract-aware escalation: accounts, business calendars, entitlement rules, handoff records.

Modules (import from them directly; this package imports nothing, so ``assist --version`` stays
light):

- ``accounts``: customers, contracts, sites, assets; ``load_accounts``; access-code hashes
- ``calendar``: ``BusinessHours`` and ``BusinessCalendar`` (hours, time zone, public holidays)
- ``decision``: ``Decision``, ``Action`` and the enums (tier, category, route, action kind)
- ``entitlements``: ``decide``, the two contracts as pure rules (``hardware`` holds the
  hardware-failure rules)
- ``handoff``: the KCS-style ``HandoffRecord``, ``build_handoff``, ``priority_for``
- ``releases``: firmware release trains, newest version per product
- ``commands``: the ``assist escalation`` and ``assist accounts`` Typer groups

Nothing here reads the clock; only the YAML loaders touch the file system.
"""

"""Contract-aware escalation as pure rules: accounts, business calendars, entitlement decisions,
handoff records.

Modules (import from them directly; this package imports nothing, so ``assist --version`` stays
light):

- ``accounts``: customers, contracts, sites, assets; ``load_accounts``; access-code hashes
- ``calendar``: ``BusinessHours`` and ``BusinessCalendar`` (hours, time zone, public holidays)
- ``decision``: ``Decision``, ``Action`` and the enums (tier, category, route, action kind)
- ``entitlements``: ``decide``, the two contracts as pure rules (``hardware`` holds the
  hardware-failure rules)
- ``handoff`` / ``handoff_text``: the KCS-style ``HandoffRecord``, ``compose_handoff`` (record and
  part returns), ``priority_for``; Markdown and the user's summary
- ``releases``: firmware release trains, newest version per product

No function here reads the clock, stores anything or calls the network: ``now`` is an argument,
and only the YAML loaders read files. Storing a handoff and delivering it to sinks is the service
layer's job (``bot.service``); an import-linter contract keeps the store and the API out.
"""

"""The service layer: what the API, the CLI and the console call.

- ``assistant``: ``Assistant``, site users' conversations; a turn is a value (``TurnOutcome``)
  saved in one transaction
- ``conversation``: the rules of a turn (route, flow, knowledge base, contact, handoff)
- ``state`` / ``outcome`` / ``transcript``: the typed session state, the turn value, the events
- ``escalating``: from a conversation's facts to the contract decision and the handoff record
- ``engineers``: ``EngineerDesk``, the queue and the moves (``Move``) for engineers
- ``notify``: sinks (JSONL, webhook) and the outbox delivery
- ``runtime``: ``build_runtime(settings)``, the one place that loads the model and opens stores
"""

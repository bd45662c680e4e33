"""Persistence of sessions, events, handoffs, returns and the delivery outbox (SQLAlchemy)."""

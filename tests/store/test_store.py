"""The store contract, run on SQLite here and on PostgreSQL in the integration tier."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import ConflictError, SessionError
from bot.store.store import NewHandoff, SessionTurn, Store
from tests.conftest import queued_handoff
from tests.pg import fresh_database

T0 = datetime(2026, 11, 24, 14, 32, tzinfo=UTC)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)],
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same contract on the embedded default and on the scale-out database."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'db' / 'assist.db'}"
        else:
            url = stack.enter_context(fresh_database())
        s = Store.from_url(url)
        s.create_schema()
        yield s
        s.engine.dispose()


def test_session_turns_append_events_and_bump_version(store: Store) -> None:
    store.create_session(
        "s1", "acme-boston", "h" * 64, {"step": "a"}, "active", T0, [("start", {"x": 1})]
    )
    loaded = store.load_session("s1")
    assert loaded is not None and loaded.version == 1 and loaded.state == {"step": "a"}
    v = store.save_turn(
        SessionTurn(
            "s1",
            1,
            {"step": "b"},
            "active",
            T0 + timedelta(minutes=1),
            [("answer", {"text": "yes"}), ("bot", {"text": "next"})],
        )
    )
    assert v == 2
    assert [e.seq for e in store.events("s1")] == [1, 2, 3]
    assert store.events("s1")[1].payload == {"text": "yes"}
    assert store.load_session("s1").created_at == T0  # type: ignore[union-attr]


def test_stale_version_is_refused_and_nothing_half_written(store: Store) -> None:
    store.create_session("s1", "site", "h", {"step": "a"}, "active", T0)
    store.save_turn(SessionTurn("s1", 1, {"step": "b"}, "active", T0, [("answer", {})]))
    handoff = NewHandoff(
        "h-late",
        "site",
        "P1",
        "hardware",
        {"id": "h-late"},
        "# h",
        [("S1", T0.date(), T0.date())],
        ["jsonl", "webhook"],
    )
    with pytest.raises(SessionError) as err:
        store.save_turn(
            SessionTurn("s1", 1, {"step": "c"}, "handed_off", T0, [("answer", {})], handoff)
        )
    assert err.value.code == "session_conflict"
    assert store.load_session("s1").state == {"step": "b"}  # type: ignore[union-attr]
    assert len(store.events("s1")) == 1
    # the losing turn's handoff, part return and outbox entries were never written
    assert store.handoffs() == [] and store.returns(T0.date()) == []
    assert store.outbox.due(T0) == []


def test_a_turn_with_a_handoff_writes_it_with_its_returns_and_outbox_entries(
    store: Store,
) -> None:
    store.create_session("s2", "acme-boston", "h", {"step": "a"}, "active", T0)
    handoff = NewHandoff(
        "h2", "acme-boston", "P1", "hardware", {"id": "h2"}, "# h2",
        [("CX9-0001", date(2026, 11, 24), date(2026, 12, 3))], ["jsonl", "webhook"],
    )  # fmt: skip
    store.save_turn(SessionTurn("s2", 1, {"step": "b"}, "handed_off", T0, [("bot", {})], handoff))
    [stored] = store.handoffs()
    assert (stored.id, stored.session_id, stored.status) == ("h2", "s2", "open")
    assert [r.serial for r in store.returns(date(2026, 11, 30))] == ["CX9-0001"]
    assert sorted(d.sink for d in store.outbox.due(T0)) == ["jsonl", "webhook"]


def test_unknown_session(store: Store) -> None:
    assert store.load_session("nope") is None
    with pytest.raises(SessionError):
        store.save_turn(SessionTurn("nope", 1, {}, "active", T0, []))


def test_handoff_queue_moves_and_returns(store: Store) -> None:
    store.add_handoff(
        NewHandoff(
            "h1", "acme-boston", "P1", "hardware", {"id": "h1"}, "# h1",
            [("CX9-0001", date(2026, 11, 24), date(2026, 12, 3))], ["jsonl"],
        ),
        T0,
    )  # fmt: skip
    assert [h.id for h in store.handoffs(status="open")] == ["h1"]
    with pytest.raises(ConflictError, match="h1 is open"):
        store.update_handoff("h1", allowed={"claimed"}, status="resolved", at=T0)
    claimed = store.update_handoff(
        "h1", allowed={"open"}, status="claimed", at=T0, changes={"claimed_by": "eng-7"}
    )
    assert claimed.status == "claimed" and claimed.claimed_by == "eng-7"
    done = store.update_handoff(
        "h1", allowed={"claimed"}, status="resolved", at=T0, changes={"resolution": "PSU replaced"}
    )
    assert done.status == "resolved" and done.resolution == "PSU replaced"
    assert [r.serial for r in store.returns(date(2026, 12, 1))] == ["CX9-0001"]
    assert store.returns(date(2026, 12, 1), overdue_only=True) == []
    assert [r.serial for r in store.returns(date(2026, 12, 4), overdue_only=True)] == ["CX9-0001"]
    assert store.handoffs(site_id="other-site") == []


def test_outbox_retry_time_delivery_and_dead_letters(store: Store) -> None:
    queued_handoff(store, "h2", T0, ["webhook"])
    due = store.outbox.due(T0)
    assert [(d.sink, d.key) for d in due] == [("webhook", "h2")]
    store.outbox.failed(due[0].id, T0, "connection refused", T0 + timedelta(seconds=2))
    assert store.outbox.due(T0 + timedelta(seconds=1)) == []
    again = store.outbox.due(T0 + timedelta(seconds=3))
    assert [d.attempts for d in again] == [1]
    store.outbox.failed(again[0].id, T0, "still refused", None)  # the last attempt
    assert store.outbox.due(T0 + timedelta(days=1)) == []
    assert [d.status for d in store.outbox.entries("dead")] == ["dead"]
    store.outbox.retry([again[0].id], T0 + timedelta(days=1))
    retried = store.outbox.due(T0 + timedelta(days=1))
    store.outbox.delivered(retried[0].id, T0 + timedelta(days=1))
    assert [d.status for d in store.outbox.entries()] == ["delivered"]
    assert store.outbox.due(T0 + timedelta(days=2)) == []


def test_outbox_entries_are_claimed_by_one_worker_at_a_time(store: Store) -> None:
    import threading

    for n in range(30):
        queued_handoff(store, f"h{n}", T0, ["webhook"])
    claimed: list[str] = []

    def worker() -> None:
        for _ in range(5):
            claimed.extend(d.key for d in store.outbox.due(T0, limit=4))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(f"h{n}" for n in range(30)), "each entry claimed exactly once"
    assert store.outbox.due(T0 + timedelta(seconds=59)) == []  # still leased
    again = store.outbox.due(T0 + timedelta(seconds=61))  # nobody reported back: due again
    assert len(again) == 30


@pytest.mark.integration
def test_database_down_is_a_clear_unavailable_error() -> None:
    from bot.errors import StoreUnavailableError

    down = Store.from_url("postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2")
    with pytest.raises(StoreUnavailableError) as err:
        down.load_session("s1")
    assert err.value.backend == "database" and "unavailable" in str(err.value)


def test_two_workers_writing_at_once_wait_for_each_other(tmp_path: Path) -> None:
    """Two Store objects on one SQLite file (like two uvicorn workers), many threads each."""
    import threading

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    workers = [Store.from_url(url), Store.from_url(url)]
    workers[0].create_schema()
    for n in range(20):
        workers[0].create_session(f"s{n}", "site", "h", {"n": 0}, "active", T0)
    problems: list[Exception] = []

    def chat(n: int) -> None:
        store = workers[n % 2]
        try:
            for turn in range(10):
                current = store.load_session(f"s{n}")
                assert current is not None
                store.save_turn(
                    SessionTurn(
                        f"s{n}", current.version, {"n": turn + 1}, "active", T0, [("user", {})]
                    )
                )
        except Exception as exc:
            problems.append(exc)

    threads = [threading.Thread(target=chat, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert all(workers[1].load_session(f"s{n}").state == {"n": 10} for n in range(20))  # type: ignore[union-attr]
    assert all(len(workers[0].events(f"s{n}")) == 10 for n in range(20))
    for w in workers:
        w.engine.dispose()


def test_a_hand_back_moves_the_handoff_and_resumes_the_chat_together_or_not_at_all(
    store: Store,
) -> None:
    store.create_session("s9", "site", "h", {"phase": "handed_off"}, "handed_off", T0)
    queued_handoff(store, "h9", T0, [], session_id="s9")
    store.update_handoff("h9", allowed={"open"}, status="claimed", at=T0)
    resumed = {"phase": "flow"}
    stale = SessionTurn("s9", 0, resumed, "active", T0, [("engineer_hand_back", {"step": "a"})])
    back = {"allowed": {"open", "claimed"}, "status": "handed_back", "at": T0}
    with pytest.raises(SessionError):
        store.update_handoff("h9", **back, changes={"handed_back_to": "a"}, session_turn=stale)  # type: ignore[arg-type]
    assert store.handoff("h9").status == "claimed"  # type: ignore[union-attr]
    assert store.load_session("s9").state == {"phase": "handed_off"}  # type: ignore[union-attr]
    fresh = SessionTurn("s9", 1, resumed, "active", T0, [("engineer_hand_back", {"step": "a"})])
    moved = store.update_handoff("h9", **back, changes={"handed_back_to": "a"}, session_turn=fresh)  # type: ignore[arg-type]
    assert moved.status == "handed_back"
    session = store.load_session("s9")
    assert session is not None and session.state == resumed and session.status == "active"
    assert [e.kind for e in store.events("s9")] == ["engineer_hand_back"]

"""``assist engineers`` and ``assist outbox`` on a real SQLite database, through the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import build_app
from bot.service.identity import EngineerAuth
from bot.service.notify import JsonlSink, deliver_due
from bot.store.store import Store
from tests.conftest import queued_handoff


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("ASSIST_PATHS__DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ASSIST_DATABASE_URL", f"sqlite:///{tmp_path / 'desk.db'}")
    store = Store.from_url(f"sqlite:///{tmp_path / 'desk.db'}")
    store.create_schema()
    return store


def run(*args: str, password: str | None = None) -> Result:
    env = {"ASSIST_NEW_ENGINEER_PASSWORD": password} if password else {}
    return CliRunner().invoke(build_app(), list(args), env=env)


def test_an_engineer_added_on_the_command_line_can_sign_in(db: Store) -> None:
    r = run("engineers", "add", "Kim Osei", "Kim@ProTelecom.example", password="kim-a-long-pass")
    assert r.exit_code == 0, r.output
    assert "ok: Kim Osei <kim@protelecom.example> (engineer)" in r.stdout
    _, kim = EngineerAuth(db).sign_in("kim@protelecom.example", "kim-a-long-pass")
    assert kim.name == "Kim Osei"
    assert "kim-a-long-pass" not in str(db.engineers.all())  # only the hash is kept
    listed = run("engineers", "list")
    assert "kim@protelecom.example" in listed.stdout
    again = run("engineers", "add", "Kim Two", "kim@protelecom.example", password="another-pass1")
    short = run("engineers", "add", "Lee", "lee@protelecom.example", password="short")
    role = run("engineers", "add", "Lee", "lee@x.example", "--role", "god", password="x" * 12)
    assert again.exit_code == short.exit_code == 1 and role.exit_code == 2
    assert "Traceback" not in again.output + short.output + role.output
    assert "at least" in short.output and "engineer or admin" in role.output


def test_dead_letters_are_listed_and_made_due_again(db: Store, tmp_path: Path) -> None:
    t0 = datetime.now(UTC) - timedelta(days=1)
    queued_handoff(db, "HO-DEAD", t0, ["gone"])
    queued_handoff(db, "HO-OK", t0, ["jsonl"])
    sinks = {"jsonl": JsonlSink(tmp_path / "handoffs.jsonl")}
    for n in range(3):
        deliver_due(db.outbox, sinks, t0 + timedelta(hours=n), max_attempts=3)
    dead = run("outbox", "list", "--status", "dead")
    assert dead.exit_code == 0 and "HO-DEAD" in dead.stdout and "HO-OK" not in dead.stdout
    assert "no sink named gone" in dead.stdout and "1 entries" in dead.stdout
    assert run("outbox", "list", "--status", "lost").exit_code == 2
    assert run("outbox", "retry").exit_code == 2  # nothing named
    r = run("outbox", "retry", "--dead")
    assert r.exit_code == 0 and "ok: 1 of 1 entries due again" in r.stdout
    assert {d.key: d.status for d in db.outbox.entries()} == {
        "HO-DEAD": "pending",
        "HO-OK": "delivered",
    }

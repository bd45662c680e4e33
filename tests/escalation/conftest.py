"""Fixtures for the escalation tests: inline YAML accounts written to tmp_path (never the seeds),
and ``run``, which calls ``decide`` with site-local ISO strings. The network guard is the
project-wide one in tests/conftest.py."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.escalation.accounts import Accounts, load_accounts
from bot.escalation.decision import Decision
from bot.escalation.entitlements import decide
from tests.escalation.support import ACCOUNTS_YAML, Decide, site_time


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML text to tmp_path/accounts/<name> and return the folder."""

    def write(name: str, text: str) -> Path:
        folder = tmp_path / "accounts"
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    return write


@pytest.fixture
def accounts_dir(write_yaml: Callable[[str, str], Path]) -> Path:
    return write_yaml("accounts.yaml", ACCOUNTS_YAML)


@pytest.fixture
def accounts(accounts_dir: Path) -> Accounts:
    return load_accounts(accounts_dir)


@pytest.fixture
def run(accounts: Accounts) -> Decide:
    """Call ``decide`` with site-local ISO strings; ``now`` defaults to the determination time."""

    def call(
        site_id: str,
        serial: str,
        when: str,
        category: str = "hardware",
        remote: str = "failed",
        unrepairable: bool = False,
        now: str | None = None,
        latest: dict[str, str] | None = None,
    ) -> Decision:
        found = site_time(accounts, site_id, when)
        moment = site_time(accounts, site_id, now) if now else found
        return decide(
            accounts,
            site_id,
            serial,
            category,
            remote,
            unrepairable,
            found,
            moment,
            latest_versions=latest,
        )

    return call

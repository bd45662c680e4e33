"""Engineers' own identities: sign in with an e-mail and a password (argon2 hashes, via pwdlib),
sessions that expire (idle and absolute), roles ``engineer`` and ``admin``.

Every claim, message, resolution, hand back and hand over is signed with the engineer who made it.
In development, two engineers are created on first start (see README) so the workspace can be
tried at once; production creates none and refuses short passwords.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pwdlib import PasswordHash

from bot.errors import AuthError, ConflictError
from bot.store.engineers import StoredEngineer
from bot.store.store import Store

Role = Literal["engineer", "admin"]
MIN_PASSWORD = 12
DEV_ENGINEERS: tuple[tuple[str, str, Role, str], ...] = (
    ("Dana Whitfield", "dana@protelecom.example", "engineer", "dana-dev-password"),
    ("Alex Morgan", "alex@protelecom.example", "admin", "alex-dev-password"),
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Engineer:
    """Who is working a case: shown to the site user as "Dana (ProTelecom engineer)"."""

    id: str
    name: str
    email: str
    role: Role

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    @property
    def signature(self) -> str:
        return f"{self.first_name} (ProTelecom engineer)"


def _engineer(row: StoredEngineer) -> Engineer:
    role: Role = "admin" if row.role == "admin" else "engineer"
    return Engineer(row.id, row.name, row.email, role)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class EngineerAuth:
    """Sign in, check a session token, sign out; add engineers."""

    def __init__(
        self,
        store: Store,
        *,
        idle: timedelta = timedelta(hours=1),
        absolute: timedelta = timedelta(hours=12),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.idle = idle
        self.absolute = absolute
        self.clock = clock
        self._hasher = PasswordHash.recommended()
        # verifying against a dummy hash when the e-mail is unknown keeps the time the same
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def add(self, name: str, email: str, role: Role, password: str) -> Engineer:
        email = email.strip().lower()
        if not name.strip() or not _EMAIL.match(email):
            raise AuthError("an engineer needs a name and a valid e-mail address")
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"the password must have at least {MIN_PASSWORD} characters")
        engineer_id = re.sub(r"[^a-z0-9]+", "-", email.split("@")[0]).strip("-") or "engineer"
        if self.store.engineers.by_id(engineer_id) is not None:
            engineer_id = f"{engineer_id}-{secrets.token_hex(2)}"
        row = StoredEngineer(
            engineer_id, name.strip(), email, role, self._hasher.hash(password), True
        )
        self.store.engineers.add(row, self.clock())
        return _engineer(row)

    def ensure_dev_engineers(self) -> None:
        """Development only: the two demo engineers, when no engineer exists yet."""
        if self.store.engineers.all():
            return
        for name, email, role, password in DEV_ENGINEERS:
            try:
                self.add(name, email, role, password)
            except ConflictError:  # another worker created them at the same moment
                return

    def sign_in(self, email: str, password: str) -> tuple[str, Engineer]:
        """A new session token (shown once) for a right e-mail and password; ``AuthError``
        otherwise, the same for an unknown e-mail and a wrong password."""
        row = self.store.engineers.by_email(email.strip().lower())
        known = row is not None and row.active
        valid = self._hasher.verify(password, row.password_hash if row else self._dummy)
        if row is None or not known or not valid:
            raise AuthError("wrong e-mail or password")
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self.store.engineers.open_session(_token_hash(token), row.id, now, now + self.absolute)
        return token, _engineer(row)

    def authenticate(self, token: str) -> Engineer:
        """The engineer of a live session; an unknown, idle or expired one raises ``AuthError``."""
        hashed = _token_hash(token)
        session = self.store.engineers.session(hashed)
        now = self.clock()
        if session is None:
            raise AuthError("not signed in")
        if now >= session.expires_at or now - session.last_seen_at >= self.idle:
            self.store.engineers.close_session(hashed)
            raise AuthError("the session has expired; sign in again")
        row = self.store.engineers.by_id(session.engineer_id)
        if row is None or not row.active:
            raise AuthError("not signed in")
        if now - session.last_seen_at >= timedelta(minutes=1):  # one write a minute at most
            self.store.engineers.touch(hashed, now)
        return _engineer(row)

    def sign_out(self, token: str) -> None:
        self.store.engineers.close_session(_token_hash(token))

    def all(self) -> list[Engineer]:
        return [_engineer(r) for r in self.store.engineers.all() if r.active]

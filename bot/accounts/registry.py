"""`Accounts`: creating, listing and disabling accounts, passwords, API tokens, signed-in
web sessions and replies kept by idempotency key. Uses bot.store's engine, so accounts
live in the same database as the transcripts (SQLite or PostgreSQL)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.accounts import credentials
from bot.accounts.tables import accounts, api_tokens, turn_replies, web_sessions
from bot.store import Store, utcnow

TRAINEE = "trainee"
INSTRUCTOR = "instructor"
ROLES: tuple[str, ...] = (TRAINEE, INSTRUCTOR)

# The first run creates this instructor when the database has no account at all.
FIRST_INSTRUCTOR = "instructor"

# A signed-in browser stays signed in for a working day, then signs in again.
WEB_SESSION_HOURS = 12

# Names appear in URLs, transcripts and file exports: keep them plain.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class AccountError(Exception):
    """A request about accounts that cannot be honoured (the message says why)."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: datetime

    @property
    def is_instructor(self) -> bool:
        return self.role == INSTRUCTOR


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: the cookie value to set and the CSRF token for its page."""

    account: Account
    cookie: str  # the signed session id (what the browser holds)
    csrf_token: str
    expires_at: datetime


def _account(row: Any) -> Account:
    m = row._mapping
    return Account(id=m["id"], name=m["name"], role=m["role"], disabled=bool(m["disabled"]),
                   created_at=m["created_at"])


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise AccountError(
            f"{name!r} is not a usable account name: 1-64 letters, digits, '.', '_', '@' "
            "or '-', starting with a letter or digit"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use {' or '.join(ROLES)}")
    return role


class Accounts:
    """Account operations; each call is one short transaction (like Store)."""

    def __init__(self, store: Store, key: bytes | None = None) -> None:
        self.store = store
        self.engine = store.engine
        self._writer = store.engine.execution_options(rehearsal_write=True)
        self.key = key  # cookie-signing key; only the web side needs it

    # -- accounts -----------------------------------------------------------------------

    def add(self, name: str, role: str) -> str:
        """Create an account; returns its generated password (shown once)."""
        check_name(name)
        check_role(role)
        password = credentials.generate_password()
        try:
            with self._writer.begin() as conn:
                conn.execute(accounts.insert().values(
                    name=name, role=role, password_hash=credentials.hash_password(password),
                    disabled=False, created_at=utcnow(),
                ))
        except IntegrityError:
            raise AccountError(f"an account called {name!r} already exists") from None
        return password

    def get(self, name: str) -> Account | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
        return None if row is None else _account(row)

    def require(self, name: str) -> Account:
        found = self.get(name)
        if found is None:
            raise AccountError(f"no account called {name!r}")
        return found

    def list(self) -> list[Account]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.name)).all()
        return [_account(r) for r in rows]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())

    def disable(self, name: str) -> None:
        """Disable an account: no sign-in, its tokens and web sessions stop working."""
        account = self.require(name)
        with self._writer.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.id == account.id)
                         .values(disabled=True))
            conn.execute(delete(api_tokens).where(api_tokens.c.account_id == account.id))
            conn.execute(delete(web_sessions).where(web_sessions.c.account_id == account.id))

    def enable(self, name: str) -> None:
        account = self.require(name)
        with self._writer.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.id == account.id)
                         .values(disabled=False))

    def reset_password(self, name: str) -> str:
        """A new generated password (shown once); signs the account out everywhere."""
        account = self.require(name)
        password = credentials.generate_password()
        with self._writer.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.id == account.id)
                         .values(password_hash=credentials.hash_password(password)))
            conn.execute(delete(web_sessions).where(web_sessions.c.account_id == account.id))
        return password

    def ensure_first_instructor(self) -> tuple[str, str] | None:
        """On a database without accounts, create one instructor: (name, password).

        None when any account exists already, so the password is only ever printed once.
        """
        if self.count():
            return None
        try:
            return FIRST_INSTRUCTOR, self.add(FIRST_INSTRUCTOR, INSTRUCTOR)
        except AccountError:  # another process won the race and printed it
            return None

    def check_password(self, name: str, password: str) -> Account | None:
        """The account when name and password match and it is enabled, else None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
        stored = row._mapping["password_hash"] if row is not None else None
        # Hash even for an unknown name, so timing does not tell which names exist.
        ok = credentials.verify_password(password, stored or _DUMMY_HASH)
        if row is None or not ok:
            return None
        account = _account(row)
        return None if account.disabled else account

    # -- API tokens -----------------------------------------------------------------------

    def new_token(self, name: str, *, revoke_others: bool = False) -> str:
        """A new API token for the account (shown once; only its hash is kept)."""
        account = self.require(name)
        if account.disabled:
            raise AccountError(f"the account {name!r} is disabled")
        token = credentials.new_token()
        with self._writer.begin() as conn:
            if revoke_others:
                conn.execute(delete(api_tokens).where(api_tokens.c.account_id == account.id))
            conn.execute(api_tokens.insert().values(
                token_hash=credentials.digest(token), account_id=account.id,
                created_at=utcnow(),
            ))
        return token

    def by_token(self, token: str | None) -> Account | None:
        if not token or not token.startswith(credentials.TOKEN_PREFIX):
            return None
        query = (select(accounts).join(api_tokens, api_tokens.c.account_id == accounts.c.id)
                 .where(api_tokens.c.token_hash == credentials.digest(token)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        account = _account(row)
        return None if account.disabled else account

    # -- signed-in browsers -----------------------------------------------------------------

    def _key(self) -> bytes:
        if self.key is None:
            raise AccountError("no cookie-signing key configured")
        return self.key

    def sign_in(self, account: Account) -> WebSession:
        session_id = credentials.new_session_id()
        csrf = credentials.new_csrf_token()
        now = utcnow()
        expires = now + timedelta(hours=WEB_SESSION_HOURS)
        with self._writer.begin() as conn:
            # Expired sessions are swept here rather than by a timer.
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
            conn.execute(web_sessions.insert().values(
                id_hash=credentials.digest(session_id), account_id=account.id,
                csrf_token=csrf, created_at=now, expires_at=expires,
            ))
        return WebSession(account, credentials.sign(session_id, self._key()), csrf, expires)

    def by_cookie(self, cookie: str | None) -> WebSession | None:
        """The signed-in session a cookie names, if the signature holds and it is current."""
        session_id = credentials.unsign(cookie, self._key()) if cookie else None
        if not session_id:
            return None
        query = (select(accounts, web_sessions.c.csrf_token, web_sessions.c.expires_at)
                 .join(web_sessions, web_sessions.c.account_id == accounts.c.id)
                 .where(web_sessions.c.id_hash == credentials.digest(session_id)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        expires = _utc(row._mapping["expires_at"])
        account = _account(row)
        if account.disabled or expires < utcnow():
            return None
        return WebSession(account, str(cookie), row._mapping["csrf_token"], expires)

    def sign_out(self, cookie: str | None) -> None:
        session_id = credentials.unsign(cookie, self._key()) if cookie else None
        if not session_id:
            return
        with self._writer.begin() as conn:
            conn.execute(delete(web_sessions)
                         .where(web_sessions.c.id_hash == credentials.digest(session_id)))

    # -- replies by idempotency key ------------------------------------------------------------

    def claim_turn(self, sender: str, key: str, account: Account) -> bool:
        """Reserve (sender, key) for this request; False when it was seen before."""
        try:
            with self._writer.begin() as conn:
                conn.execute(turn_replies.insert().values(
                    sender=sender, key=key, account_id=account.id, reply=None,
                    created_at=utcnow(),
                ))
        except IntegrityError:
            return False
        return True

    def stored_reply(self, sender: str, key: str) -> tuple[bool, Any]:
        """(known, reply): reply None while the first request is still being answered."""
        with self.engine.connect() as conn:
            row = conn.execute(select(turn_replies.c.reply).where(
                turn_replies.c.sender == sender, turn_replies.c.key == key)).first()
        return (False, None) if row is None else (True, row[0])

    def keep_reply(self, sender: str, key: str, reply: Any) -> None:
        with self._writer.begin() as conn:
            conn.execute(update(turn_replies).where(
                turn_replies.c.sender == sender, turn_replies.c.key == key).values(reply=reply))

    def release_turn(self, sender: str, key: str) -> None:
        """Forget a claim whose turn got no reply, so that sending it again can work."""
        with self._writer.begin() as conn:
            conn.execute(delete(turn_replies).where(
                turn_replies.c.sender == sender, turn_replies.c.key == key))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


# A real hash of a random password: checking against it costs what a real check costs.
_DUMMY_HASH = credentials.hash_password(credentials.generate_password())

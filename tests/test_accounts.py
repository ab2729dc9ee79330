"""Accounts without a server: passwords, tokens, signed cookies, CSRF, the command line,
the REST channel's command binding, and migration 0003 up and down."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot import cli
from bot.accounts import AccountError, Accounts
from bot.accounts import credentials as cred
from bot.rasa_ext.rest import bound_command
from bot.store import Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'accounts.db'}")
    s.upgrade()
    yield s
    s.dispose()


@pytest.fixture()
def accounts(store: Store) -> Accounts:
    return Accounts(store, key=b"k" * 32)


# -- passwords ------------------------------------------------------------------------


def test_password_hash_verifies_only_the_same_password() -> None:
    stored = cred.hash_password("correct horse")
    assert stored.startswith("scrypt$16384$8$1$") and "correct horse" not in stored
    assert cred.verify_password("correct horse", stored)
    assert not cred.verify_password("correct horsE", stored)
    assert not cred.verify_password("", stored)


def test_each_hash_has_its_own_salt() -> None:
    a, b = cred.hash_password("same"), cred.hash_password("same")
    assert a != b and a.split("$")[4] != b.split("$")[4]
    assert cred.verify_password("same", a) and cred.verify_password("same", b)


@pytest.mark.parametrize("stored", [None, "", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$aa$bb",
                                    "scrypt$16384$8$1$!!$??"])
def test_malformed_hashes_never_verify(stored: str | None) -> None:
    assert not cred.verify_password("anything", stored)


def test_generated_passwords_differ_and_are_long() -> None:
    passwords = {cred.generate_password() for _ in range(20)}
    assert len(passwords) == 20 and all(len(p) >= 16 for p in passwords)


# -- cookies and CSRF -------------------------------------------------------------------


def test_signed_values_round_trip_and_tampering_fails() -> None:
    key = os.urandom(32)
    signed = cred.sign("abc", key)
    assert cred.unsign(signed, key) == "abc"
    assert cred.unsign(signed, os.urandom(32)) is None
    assert cred.unsign("abd" + signed[3:], key) is None
    assert cred.unsign(signed[:-2] + "AA", key) is None
    for junk in (None, "", "no-dot", ".", "abc.%%%"):
        assert cred.unsign(junk, key) is None


def test_csrf_comparison() -> None:
    token = cred.new_csrf_token()
    assert cred.same_secret(token, token)
    assert not cred.same_secret(token[:-1] + "x", token)
    assert not cred.same_secret(None, token) and not cred.same_secret(token, None)
    assert not cred.same_secret("", "")


def test_the_secret_key_file_is_created_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "session-secret"
    key = cred.load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cred.load_or_create_key(path) == key


# -- the account registry -----------------------------------------------------------------


def test_add_check_password_and_disable(accounts: Accounts) -> None:
    password = accounts.add("ann", "trainee")
    assert accounts.check_password("ann", password).role == "trainee"
    assert accounts.check_password("ann", "wrong") is None
    assert accounts.check_password("nobody", password) is None
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("ann", "instructor")
    with pytest.raises(AccountError, match="role"):
        accounts.add("bob", "admin")
    with pytest.raises(AccountError, match="usable account name"):
        accounts.add("<script>", "trainee")
    accounts.disable("ann")
    assert accounts.check_password("ann", password) is None


def test_tokens_are_stored_only_as_hashes_and_stop_with_the_account(
    accounts: Accounts, store: Store
) -> None:
    accounts.add("ann", "trainee")
    token = accounts.new_token("ann")
    assert token.startswith("rh_") and accounts.by_token(token).name == "ann"
    with store.engine.connect() as conn:
        stored = [r[0] for r in conn.exec_driver_sql("SELECT token_hash FROM api_tokens")]
    assert stored == [cred.digest(token)] and token not in stored
    assert accounts.by_token(token + "x") is None and accounts.by_token("") is None
    second = accounts.new_token("ann", revoke_others=True)
    assert accounts.by_token(token) is None and accounts.by_token(second).name == "ann"
    accounts.disable("ann")
    assert accounts.by_token(second) is None


def test_web_sessions_sign_in_and_out(accounts: Accounts) -> None:
    accounts.add("ann", "trainee")
    account = accounts.get("ann")
    session = accounts.sign_in(account)
    found = accounts.by_cookie(session.cookie)
    assert found.account.name == "ann" and found.csrf_token == session.csrf_token
    forged = cred.sign(session.cookie.rpartition(".")[0], b"x" * 32)
    assert accounts.by_cookie(forged) is None
    accounts.reset_password("ann")  # a new password signs out everywhere
    assert accounts.by_cookie(session.cookie) is None
    again = accounts.sign_in(account)
    accounts.sign_out(again.cookie)
    assert accounts.by_cookie(again.cookie) is None


def test_the_first_instructor_is_created_once(accounts: Accounts) -> None:
    name, password = accounts.ensure_first_instructor()
    assert accounts.check_password(name, password).role == "instructor"
    assert accounts.ensure_first_instructor() is None


def test_a_turn_key_is_claimed_once(accounts: Accounts) -> None:
    accounts.add("ann", "trainee")
    ann = accounts.get("ann")
    assert accounts.claim_turn("s1", "k1", ann)
    assert not accounts.claim_turn("s1", "k1", ann)
    assert accounts.stored_reply("s1", "k1") == (True, None)
    accounts.keep_reply("s1", "k1", [{"text": "hi"}])
    assert accounts.stored_reply("s1", "k1") == (True, [{"text": "hi"}])
    accounts.release_turn("s1", "k1")
    assert accounts.stored_reply("s1", "k1") == (False, None)


# -- command line -------------------------------------------------------------------------


def test_users_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("REHEARSAL_DB_URL", url)
    assert cli.main(["users", "init"]) == 0
    first = capsys.readouterr().out
    assert "instructor" in first and "shown only this once" in first
    assert cli.main(["users", "init"]) == 0
    assert capsys.readouterr().out == ""  # never printed twice

    assert cli.main(["users", "add", "ann", "--role", "trainee"]) == 0
    password = capsys.readouterr().out.strip().splitlines()[-1]
    assert cli.main(["users", "token", "ann"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert cli.main(["users", "list"]) == 0
    listed = capsys.readouterr().out
    assert "ann\ttrainee\tactive" in listed and password not in listed and token not in listed
    assert cli.main(["users", "password", "ann"]) == 0
    new_password = capsys.readouterr().out.strip().splitlines()[-1]
    assert cli.main(["users", "disable", "ann"]) == 0
    assert cli.main(["users", "disable", "nobody"]) == 1
    assert "no account" in capsys.readouterr().err

    store = Store(url)
    try:
        accounts = Accounts(store)
        assert accounts.by_token(token) is None  # disabled
        assert accounts.check_password("ann", new_password) is None
        assert accounts.get("ann").disabled
    finally:
        store.dispose()


# -- the REST channel's command binding ------------------------------------------------------


@pytest.mark.parametrize(("message", "expected"), [
    ('/start_rehearsal{"persona": "maya", "trainee": "someone-else"}',
     '/start_rehearsal{"persona": "maya", "trainee": "ann"}'),
    ('/start_rehearsal@0.9{"persona": "sam"}',
     '/start_rehearsal{"persona": "sam", "trainee": "ann"}'),
    ("/start_rehearsal", '/start_rehearsal{"trainee": "ann"}'),
    ('/start_rehearsal{"persona": "maya", "seed": 7}',
     '/start_rehearsal{"persona": "maya", "trainee": "ann", "seed": "7"}'),
    ('/end_rehearsal{"x": 1}', "/end_rehearsal"),
    ("How did the week go?", "How did the week go?"),
])
def test_commands_are_bound_to_the_account(message: str, expected: str) -> None:
    assert bound_command(message, "ann") == (expected, None)


@pytest.mark.parametrize("message", [
    "/start_rehearsal{not json", '/start_rehearsal["maya"]', '/start_rehearsal{"persona": 5}',
    "/greet", '/review_plan{"day": "Monday"}', "/", "/ ",
])
def test_other_commands_are_refused_with_a_reason(message: str) -> None:
    text, problem = bound_command(message, "ann")
    assert text is None and problem


# -- migration 0003 --------------------------------------------------------------------------


def test_migration_0003_up_and_down_keeps_sessions(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        store.upgrade("0002")
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sessions (session_id, persona, trainee, seed, started_at, state) "
                "VALUES ('s1', 'maya', 't01', 1, '2026-01-01 00:00:00', '{}')")
        store.upgrade("0003")
        names = set(inspect(store.engine).get_table_names())
        assert {"accounts", "api_tokens", "web_sessions", "turn_replies"} <= names
        with store.engine.connect() as conn:  # read at 0003: later columns do not exist yet
            opening = conn.exec_driver_sql(
                "SELECT opening FROM sessions WHERE session_id = 's1'").scalar_one()
        assert opening is None
        from alembic import command

        from bot.store import alembic_config

        command.downgrade(alembic_config(store.url), "0002")
        names = set(inspect(store.engine).get_table_names())
        assert "accounts" not in names and "sessions" in names
        store.upgrade()
        assert store.get_session("s1")["trainee"] == "t01"
    finally:
        store.dispose()

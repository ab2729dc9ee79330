"""Credentials as pure functions over the standard library (no state, no database).

Passwords: scrypt with a per-password random salt; the stored form names its own
parameters, so they can be raised later without breaking old hashes. API tokens and
session ids are long random strings; only their SHA-256 is stored (they carry 256 bits
of randomness, so a slow hash adds nothing). Cookies carry a random session id signed
with HMAC-SHA256 under a secret kept in var/; CSRF tokens are random per signed-in
session. Every comparison of secrets is constant-time (hmac.compare_digest).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

# scrypt cost: about 50 ms and 16 MB per hash on the project's 2-core machines.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32
SALT_BYTES = 16

TOKEN_PREFIX = "rh_"  # makes a leaked token recognisable in logs and config files
TOKEN_BYTES = 32
PASSWORD_WORDS_BYTES = 12  # 16 URL-safe characters: 96 bits


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The storable form `scrypt$N$r$p$salt$hash` of a password."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
        dklen=SCRYPT_DKLEN,
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches the stored hash; False for anything malformed."""
    if not stored or not isinstance(password, str):
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def generate_password() -> str:
    """A new random password, shown once to whoever creates or resets the account."""
    return secrets.token_urlsafe(PASSWORD_WORDS_BYTES)


def new_token() -> str:
    """A new API token (shown once; only its hash is stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def new_session_id() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret_text: str) -> str:
    """The stored form of a token or session id: SHA-256, hex."""
    return hashlib.sha256(secret_text.encode("utf-8")).hexdigest()


def sign(value: str, key: bytes) -> str:
    """`value.signature`: HMAC-SHA256 of the value under the server's secret key."""
    mac = hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()
    return f"{value}.{_b64(mac)}"


def unsign(signed: str | None, key: bytes) -> str | None:
    """The value of a `sign()`ed string, or None when the signature does not match."""
    if not signed or "." not in signed:
        return None
    value, _, mac = signed.rpartition(".")
    try:
        given = _unb64(mac)
    except (ValueError, TypeError):
        return None
    expected = hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()
    return value if hmac.compare_digest(given, expected) else None


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time equality of two secrets; False when either is missing."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def load_or_create_key(path: Path) -> bytes:
    """The cookie-signing key in `path`, created (0600, 32 random bytes) on first use.

    Created with O_EXCL so two servers starting at once agree on one key: the loser of
    the race reads the winner's file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
    for _ in range(50):
        text = path.read_text().strip()
        if text:
            return bytes.fromhex(text)
        time.sleep(0.02)  # the other process is still writing it
    raise RuntimeError(f"the secret key file {path} is empty")

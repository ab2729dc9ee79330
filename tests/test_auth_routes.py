"""Every route's role check over real HTTP: without a caller, as the wrong role, as the
wrong trainee; cookies, CSRF, CORS, idempotency, and bad input (no 5xx, a clear answer).

Who may do what (docs/accounts.md says the same):
- nobody signed in: 401 everywhere except the sign-in page, styles and scripts;
- a trainee: their own sessions (pages, /api, the REST channel); 403 for anyone else's
  and for the instructor page and routes;
- an instructor: reads every session; never posts into another account's conversation.
"""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from bench.servers import INSTRUCTOR, Servers

pytestmark = pytest.mark.integration

WEBHOOK = "/webhooks/rest/webhook"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(servers: Servers, method: str, path: str, body: bytes | dict | None = None,
         headers: dict[str, str] | None = None) -> Reply:
    """One raw request, headers exactly as given."""
    conn = http.client.HTTPConnection("127.0.0.1", servers.rasa_port, timeout=90)
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    sent = {"Content-Type": "application/json"} if data is not None else {}
    sent.update(headers or {})
    try:
        conn.request(method, path, body=data, headers=sent)
        reply = conn.getresponse()
        return Reply(reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read())
    finally:
        conn.close()


def bearer(servers: Servers, name: str, role: str = "trainee") -> dict[str, str]:
    return {"Authorization": f"Bearer {servers.token(name, role)}"}


@dataclass
class Browser:
    """A signed-in cookie and its CSRF token, as the page holds them."""

    cookie: str
    csrf: str
    origin: str

    def headers(self, *, csrf: bool = True) -> dict[str, str]:
        out = {"Cookie": self.cookie, "Origin": self.origin}
        if csrf:
            out["X-CSRF-Token"] = self.csrf
        return out


def sign_in(servers: Servers, name: str, role: str = "trainee") -> Browser:
    password = servers.password(name, role)
    origin = f"http://127.0.0.1:{servers.rasa_port}"
    reply = call(servers, "POST", "/api/signin", {"name": name, "password": password},
                 {"Origin": origin})
    assert reply.status == 200, reply.body
    set_cookie = reply.headers["set-cookie"]
    return Browser(set_cookie.split(";")[0], reply.json()["csrf_token"], origin)


@pytest.fixture(scope="module")
def world(servers: Servers) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    a, b = f"auth-a-{tag}", f"auth-b-{tag}"
    running, ended = f"{a}-running", f"{a}-ended"
    servers.say(running, '/start_rehearsal{"persona": "maya"}', account=a)
    servers.say(running, "How did the walks go last week?", account=a)
    servers.say(ended, '/start_rehearsal{"persona": "sam"}', account=a)
    servers.say(ended, "/end_rehearsal", account=a)
    servers.token(b)
    return {"a": a, "b": b, "running": running, "ended": ended}


# -- the matrix -----------------------------------------------------------------------

# (method, path, who may): "any" signed-in user, "instructor", "reader" (the owner or an
# instructor), "owner" (only the account whose conversation it is).
ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/api/me", "any"),
    ("GET", "/api/personas", "any"),
    ("GET", "/api/personas/problems", "instructor"),
    ("GET", "/api/sessions", "any"),
    ("GET", "/api/sessions?trainee={a}", "reader"),
    ("GET", "/api/sessions/{running}", "reader"),
    ("GET", "/api/sessions/{ended}", "reader"),
    ("GET", "/app/", "any"),
    ("GET", "/app/index.html", "any"),
    ("GET", "/app/instructor.html", "instructor"),
    ("POST", WEBHOOK, "owner"),
]
CALLERS = ["nobody", "owner", "other trainee", "instructor"]


def expected(rule: str, caller: str) -> int:
    if caller == "nobody":
        return 401
    allowed = {
        "any": True,
        "instructor": caller == "instructor",
        "reader": caller in ("owner", "instructor"),
        "owner": caller == "owner",
    }[rule]
    return 200 if allowed else 403


@pytest.mark.parametrize("via", ["token", "cookie"])
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "template", "rule"), ROUTES)
def test_role_matrix(servers: Servers, world: dict[str, Any], method: str, template: str,
                     rule: str, caller: str, via: str) -> None:
    if caller == "nobody" and via == "cookie":
        pytest.skip("same as the token column")  # one unauthenticated call per route
    name = {"owner": world["a"], "other trainee": world["b"], "instructor": INSTRUCTOR}.get(caller)
    role = "instructor" if caller == "instructor" else "trainee"
    headers: dict[str, str] = {}
    if name and via == "token":
        headers = bearer(servers, name, role)
    elif name:
        headers = sign_in(servers, name, role).headers()
    path = template.format(**world)
    body = None
    if method == "POST":
        body = {"sender": world["running"], "message": "What did you notice?"}
    before = servers.get(f"/api/sessions/{world['running']}")[1]
    reply = call(servers, method, path, body, headers)
    assert reply.status == expected(rule, caller), (path, caller, via, reply.body[:300])
    if reply.status in (401, 403):
        # A refusal carries no session data, only the reason.
        assert b"How did the walks go" not in reply.body
        if method == "POST":
            assert servers.get(f"/api/sessions/{world['running']}")[1] == before
    if caller == "other trainee" and path == "/api/sessions":
        assert world["a"] not in reply.body.decode()


def test_a_trainee_token_starts_sessions_only_for_itself(servers: Servers,
                                                         world: dict[str, Any]) -> None:
    sender = f"{world['b']}-claims"
    servers.say(sender, '/start_rehearsal{"persona": "maya", "trainee": "' + world["a"] + '"}',
                account=world["b"])
    _, session = servers.get(f"/api/sessions/{sender}")
    assert session["trainee"] == world["b"]
    # The sender id is now bound to B: A can neither talk in it nor restart it.
    for message in ("Hello?", '/start_rehearsal{"persona": "maya"}', "/end_rehearsal"):
        reply = call(servers, "POST", WEBHOOK, {"sender": sender, "message": message},
                     bearer(servers, world["a"]))
        assert reply.status == 403 and "another account" in reply.json()["error"]


def test_cookie_flags_csrf_and_sign_out(servers: Servers, world: dict[str, Any]) -> None:
    password = servers.password(world["b"])
    origin = f"http://127.0.0.1:{servers.rasa_port}"
    reply = call(servers, "POST", "/api/signin", {"name": world["b"], "password": password},
                 {"Origin": origin})
    flags = reply.headers["set-cookie"].lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    cookie = reply.headers["set-cookie"].split(";")[0]
    csrf = reply.json()["csrf_token"]
    talk = {"sender": f"{world['b']}-cookie", "message": '/start_rehearsal{"persona": "sam"}'}

    assert call(servers, "POST", WEBHOOK, talk, {"Cookie": cookie}).status == 403
    assert call(servers, "POST", WEBHOOK, talk,
                {"Cookie": cookie, "X-CSRF-Token": csrf + "x"}).status == 403
    assert call(servers, "POST", WEBHOOK, talk, {"Cookie": cookie, "X-CSRF-Token": csrf,
                                                "Origin": "http://evil.example"}).status == 403
    ok = call(servers, "POST", WEBHOOK, talk,
              {"Cookie": cookie, "X-CSRF-Token": csrf, "Origin": origin})
    assert ok.status == 200 and ok.json()[0]["text"]

    name, _, value = cookie.partition("=")
    tampered = f"{name}={value[:-3]}AAA"
    assert call(servers, "GET", "/api/me", headers={"Cookie": tampered}).status == 401
    assert call(servers, "POST", "/api/signout", headers={"Cookie": cookie}).status == 403
    out = call(servers, "POST", "/api/signout",
               headers={"Cookie": cookie, "X-CSRF-Token": csrf, "Origin": origin})
    assert out.status == 200 and "max-age=0" in out.headers["set-cookie"].lower()
    assert call(servers, "GET", "/api/me", headers={"Cookie": cookie}).status == 401


def test_sign_in_refuses_wrong_passwords_forms_and_foreign_pages(
    servers: Servers, world: dict[str, Any]
) -> None:
    wrong = call(servers, "POST", "/api/signin", {"name": world["b"], "password": "nope"})
    assert wrong.status == 401 and "set-cookie" not in wrong.headers
    form = call(servers, "POST", "/api/signin", f"name={world['b']}&password=x".encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status == 415
    password = servers.password(world["b"])
    foreign = call(servers, "POST", "/api/signin", {"name": world["b"], "password": password},
                   {"Origin": "http://evil.example"})
    assert foreign.status == 403 and "set-cookie" not in foreign.headers


def test_a_disabled_account_is_locked_out(servers: Servers) -> None:
    from bot.accounts import Accounts
    from bot.store import Store

    name = f"auth-gone-{uuid.uuid4().hex[:6]}"
    headers = bearer(servers, name)
    assert call(servers, "GET", "/api/me", headers=headers).status == 200
    store = Store(servers.db_url)
    try:
        Accounts(store).disable(name)
    finally:
        store.dispose()
    assert call(servers, "GET", "/api/me", headers=headers).status == 401


@pytest.mark.parametrize("path", ["/app/signin.html", "/app/style.css", "/app/common.js",
                                  "/app/signin.js"])
def test_the_sign_in_page_and_its_files_are_public(servers: Servers, path: str) -> None:
    reply = call(servers, "GET", path)
    assert reply.status == 200
    assert "default-src 'self'" in reply.headers["content-security-policy"]


def test_pages_send_the_signed_out_user_to_sign_in(servers: Servers) -> None:
    reply = call(servers, "GET", "/app/")
    assert reply.status == 401 and b"/app/signin.html?next=/app/" in reply.body


# -- CORS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [("OPTIONS", WEBHOOK), ("OPTIONS", "/api/sessions"),
                                              ("GET", "/api/personas"), ("GET", "/")])
def test_a_foreign_origin_gets_no_cors_grant(servers: Servers, world: dict[str, Any],
                                             method: str, path: str) -> None:
    headers = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type,x-csrf-token"}
    headers.update(bearer(servers, world["a"]))
    reply = call(servers, method, path, headers=headers)
    assert "access-control-allow-origin" not in reply.headers
    assert "access-control-allow-credentials" not in reply.headers


# -- idempotency and concurrency --------------------------------------------------------------


def test_a_resent_turn_is_stored_once(servers: Servers) -> None:
    name = f"auth-idem-{uuid.uuid4().hex[:6]}"
    sender = f"{name}-s"
    servers.say(sender, '/start_rehearsal{"persona": "maya"}', account=name)
    body = {"sender": sender, "message": "How did the walks go?",
            "metadata": {"idempotency_key": "turn-1"}}
    first = call(servers, "POST", WEBHOOK, body, bearer(servers, name))
    again = call(servers, "POST", WEBHOOK, body, bearer(servers, name))
    assert first.status == again.status == 200 and first.json() == again.json()
    assert again.headers.get("idempotent-replayed") == "true"

    results: list[Reply] = []
    racing = {**body, "metadata": {"idempotency_key": "turn-2"}, "message": "And then?"}
    threads = [threading.Thread(target=lambda: results.append(
        call(servers, "POST", WEBHOOK, racing, bearer(servers, name)))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status in (200, 409) for r in results), [r.status for r in results]
    answered = [r.json() for r in results if r.status == 200]
    assert answered and all(a == answered[0] for a in answered)
    _, session = servers.get(f"/api/sessions/{sender}")
    assert [t["trainee"] for t in session["turns"]] == ["How did the walks go?", "And then?"]


def test_concurrent_turns_to_one_session_are_all_stored_in_order(servers: Servers) -> None:
    name = f"auth-conc-{uuid.uuid4().hex[:6]}"
    sender = f"{name}-s"
    servers.say(sender, '/start_rehearsal{"persona": "sam"}', account=name)
    texts = [f"Question number {i}: what got in the way?" for i in range(6)]
    statuses: list[int] = []

    def send(text: str) -> None:
        statuses.append(call(servers, "POST", WEBHOOK, {"sender": sender, "message": text},
                             bearer(servers, name)).status)

    threads = [threading.Thread(target=send, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * len(texts)
    _, session = servers.get(f"/api/sessions/{sender}")
    assert sorted(t["trainee"] for t in session["turns"]) == sorted(texts)
    assert [t["n"] for t in session["turns"]] == list(range(1, len(texts) + 1))


# -- bad input: never a 5xx, always a reason --------------------------------------------------


def test_bad_messages_get_clear_answers_and_accepted_ones_are_stored(
    servers: Servers, world: dict[str, Any]
) -> None:
    name = f"auth-fuzz-{uuid.uuid4().hex[:6]}"
    sender = f"{name}-s"
    auth = bearer(servers, name)

    def post(message: Any, **extra: Any) -> Reply:
        return call(servers, "POST", WEBHOOK, {"sender": sender, "message": message, **extra},
                    auth)

    assert post('/start_rehearsal{"persona": "maya"}').status == 200
    big = post("x" * 100_000)
    assert big.status == 400 and "too long" in big.json()["error"]
    for payload in ('/start_rehearsal{"persona": ', '/start_rehearsal{"persona": "maya"',
                    "/start_rehearsal[]", '/start_rehearsal{"persona": ["maya"]}',
                    "/start_rehearsal{{}}", "/reset_everything", "/"):
        reply = post(payload)
        assert reply.status == 400 and reply.json()["error"], payload
    invalid_utf8 = call(servers, "POST", WEBHOOK,
                        b'{"sender": "' + sender.encode() + b'", "message": "\xff\xfe\xfa"}', auth)
    assert invalid_utf8.status == 400
    assert call(servers, "POST", WEBHOOK, b"\x00\x01garbage", auth).status == 400
    assert call(servers, "POST", WEBHOOK, {"sender": "a\x00b", "message": "hi"},
                auth).status == 400

    accepted = ["<script>alert(1)</script> How did it go?", "Tab\tand\nnew line",
                "Nul\x00 and bell\x07 and escape\x1b[31m inside", "😀 ünïcödé ✓"]
    for text in accepted:
        reply = post(text)
        assert reply.status == 200 and reply.json()[0]["text"], text
    _, session = servers.get(f"/api/sessions/{sender}")
    stored = [t["trainee"] for t in session["turns"]]
    assert stored[0] == accepted[0]  # kept as typed; the pages show it as text
    assert stored[1] == accepted[1]
    assert stored[2] == "Nul and bell and escape[31m inside"  # control characters dropped
    assert stored[3] == accepted[3]

    unknown = f"{name}-unknown"
    reply = call(servers, "POST", WEBHOOK,
                 {"sender": unknown, "message": '/start_rehearsal{"persona": "nobody"}'}, auth)
    assert reply.status == 200 and "maya" in reply.json()[0]["text"]
    assert servers.get(f"/api/sessions/{unknown}")[0] == 404

    assert "ended" in " ".join(m["text"] for m in post("/end_rehearsal").json()).lower()
    assert "already ended" in post("/end_rehearsal").json()[0]["text"]
    assert "ended" in post("Are you still there?").json()[0]["text"]
    _, after = servers.get(f"/api/sessions/{sender}")
    assert len(after["turns"]) == len(accepted)


@pytest.mark.parametrize("path", [
    "/api/sessions/no-such-session", "/api/sessions/%00", "/api/sessions/" + "x" * 5000,
    "/api/sessions/%ff%fe", "/api/sessions/..%2f..%2fetc", "/api/sessions/<script>",
    "/api/sessions?since=%00", "/api/sessions?limit=-1", "/api/sessions?offset=abc",
    "/api/sessions?limit=99999999999999999999", "/app/%00", "/app/" + "a" * 5000,
    "/app/%ff%fe.html", "/app/<script>.js", "/api/personas/%00",
], ids=lambda p: p[:40])
def test_odd_urls_never_give_a_server_error(servers: Servers, path: str) -> None:
    reply = call(servers, "GET", path, headers={"Authorization":
                                                servers.headers(INSTRUCTOR)["Authorization"]})
    assert reply.status < 500, (path, reply.status, reply.body[:200])
    if reply.status >= 400 and path.startswith("/api/sessions"):
        assert reply.json()["error"]

"""Real servers over HTTP: the session list route and the /app static pages."""

from __future__ import annotations

import http.client
import uuid
from typing import Any

import pytest

from bench.servers import INSTRUCTOR, Servers
from tests.helpers.rest import get, say, start

pytestmark = pytest.mark.integration


def raw_get(servers: Servers, path: str, account: str | None = INSTRUCTOR
            ) -> tuple[int, str, bytes]:
    """GET with the path sent exactly as given (urllib and browsers would normalise `..`)."""
    conn = http.client.HTTPConnection("127.0.0.1", servers.rasa_port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        if account:
            conn.putheader("Authorization", servers.headers(account)["Authorization"])
        conn.endheaders()
        reply = conn.getresponse()
        return reply.status, reply.getheader("Content-Type") or "", reply.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def two_trainees(servers: Servers) -> dict[str, Any]:
    """Three sessions: trainee A with maya (ended) and sam (running), trainee B with maya."""
    tag = uuid.uuid4().hex[:8]
    a, b = f"routes-a-{tag}", f"routes-b-{tag}"
    ids = {"a_maya": f"{a}-maya", "a_sam": f"{a}-sam", "b_maya": f"{b}-maya"}
    say(servers, ids["a_maya"], start("maya", a), a)
    say(servers, ids["a_maya"], "How did the walking plan from last week go?", a)
    say(servers, ids["a_maya"], "What did you notice on the days you did manage to walk?", a)
    say(servers, ids["a_maya"], "/end_rehearsal", a)
    say(servers, ids["a_sam"], start("sam", a), a)
    say(servers, ids["a_sam"], "Hi Sam, how was your week?", a)
    say(servers, ids["b_maya"], start("maya", b), b)
    return {"a": a, "b": b, "ids": ids}


def test_session_list_has_summaries_of_every_session(
    servers: Servers, two_trainees: dict[str, Any]
) -> None:
    status, listed = get(servers, "/api/sessions")
    assert status == 200
    by_id = {s["session_id"]: s for s in listed}
    ids = two_trainees["ids"]
    assert set(ids.values()) <= set(by_id)

    ended = by_id[ids["a_maya"]]
    assert ended["trainee"] == two_trainees["a"] and ended["persona"] == "maya"
    assert ended["turn_count"] == 2
    assert ended["ended_at"] is not None and ended["scored"] is True
    # The total shown in lists is the sum of the stored dimension scores.
    _, full = get(servers, f"/api/sessions/{ids['a_maya']}")
    assert ended["total"] == sum(d["score"] for d in full["score"]["dimensions"].values())
    assert ended["max_total"] == 54
    assert ended["plan_agreed"] == bool((full["plan"] or {}).get("agreed"))

    running = by_id[ids["a_sam"]]
    assert running["ended_at"] is None and running["total"] is None
    assert running["turn_count"] == 1
    # Oldest first, as Store.list_sessions orders them.
    starts = [s["started_at"] for s in listed]
    assert starts == sorted(starts)


def test_session_list_filters_by_trainee_persona_and_since(
    servers: Servers, two_trainees: dict[str, Any]
) -> None:
    ids = two_trainees["ids"]
    a, b = two_trainees["a"], two_trainees["b"]

    _, only_a = get(servers, f"/api/sessions?trainee={a}")
    assert {s["session_id"] for s in only_a} == {ids["a_maya"], ids["a_sam"]}

    _, a_maya = get(servers, f"/api/sessions?trainee={a}&persona=maya")
    assert [s["session_id"] for s in a_maya] == [ids["a_maya"]]

    _, maya = get(servers, "/api/sessions?persona=maya")
    maya_ids = {s["session_id"] for s in maya}
    assert {ids["a_maya"], ids["b_maya"]} <= maya_ids and ids["a_sam"] not in maya_ids
    assert all(s["persona"] == "maya" for s in maya)

    _, since_past = get(servers, f"/api/sessions?trainee={b}&since=2000-01-01")
    assert [s["session_id"] for s in since_past] == [ids["b_maya"]]
    _, since_future = get(servers, f"/api/sessions?trainee={b}&since=2999-01-01")
    assert since_future == []

    _, nobody = get(servers, "/api/sessions?trainee=nobody-at-all")
    assert nobody == []


def test_session_list_refuses_a_since_that_is_not_a_date(servers: Servers) -> None:
    status, body = get(servers, "/api/sessions?since=last-tuesday")
    assert status == 400
    assert "last-tuesday" in body["error"] and "YYYY-MM-DD" in body["error"]


def test_the_existing_routes_are_unchanged(servers: Servers) -> None:
    status, personas = get(servers, "/api/personas")
    assert status == 200 and "maya" in {p["id"] for p in personas}
    status, body = get(servers, "/api/sessions/no-such-session")
    assert status == 404 and "no-such-session" in body["error"]


@pytest.mark.parametrize("path", ["/app/", "/app/index.html"])
def test_app_serves_the_trainee_page_as_html(servers: Servers, path: str) -> None:
    status, kind, body = raw_get(servers, path)
    assert status == 200
    assert kind.startswith("text/html")
    assert b"<title>Action-plan rehearsal</title>" in body
    assert b"/app/trainee.js" in body


@pytest.mark.parametrize(
    ("path", "kind", "marker"),
    [
        ("/app/instructor.html", "text/html", b"Rehearsals: instructor view"),
        ("/app/style.css", "text/css", b":root"),
        ("/app/common.js", "text/javascript", b"renderScorecard"),
    ],
)
def test_app_serves_its_other_files_with_their_types(
    servers: Servers, path: str, kind: str, marker: bytes
) -> None:
    status, got, body = raw_get(servers, path)
    assert status == 200
    assert got.startswith(kind)
    assert marker in body


def test_app_without_slash_redirects_to_the_page(servers: Servers) -> None:
    status, _, _ = raw_get(servers, "/app")
    assert status in (301, 302, 307, 308)


def test_unknown_static_path_is_404(servers: Servers) -> None:
    status, _, body = raw_get(servers, "/app/no-such-page.html")
    assert status == 404
    assert b"<html" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/app/../bot/store.py",
        "/app/../store.py",
        "/app/../../README.md",
        "/app/../rasa_ext/web.py",
        "/app/%2e%2e/store.py",
        "/app/..%2f..%2fpyproject.toml",
        "/app/%2e%2e%2f%2e%2e%2fcredentials.yml",
        "/app//etc/passwd",
        "/app/..\\store.py",
    ],
)
def test_no_path_traversal_out_of_the_web_folder(servers: Servers, path: str) -> None:
    status, _, body = raw_get(servers, path)
    assert status in (400, 404), (path, status)
    for leaked in (b"import ", b"[project]", b"root:", b"rest:", b"# Action-plan rehearsal"):
        assert leaked not in body, (path, leaked)

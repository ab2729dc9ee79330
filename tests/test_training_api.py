"""Real servers over HTTP: drills, debrief, flags, comments, assignments, progress, cohort,
and who may read what (a second trainee reads none of the first trainee's practice)."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import pytest
import yaml

from bench.servers import INSTRUCTOR, Servers
from tests.helpers.rest import say

pytestmark = pytest.mark.integration


def _start(persona: str, trainee: str) -> str:
    return "/start_rehearsal" + json.dumps({"persona": persona, "trainee": trainee})


@pytest.fixture(scope="module")
def practice(servers: Servers) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    a, b = f"drill-a-{tag}", f"drill-b-{tag}"
    servers.token(INSTRUCTOR, "instructor")
    servers.token(a)
    servers.token(b)
    sid = f"{a}-maya"
    say(servers, sid, _start("maya", a), a)
    say(servers, sid, "How did the walking go this week?", a)
    say(servers, sid, "Did you do your homework every day?", a)
    say(servers, sid, "/end_rehearsal", a)
    return {"a": a, "b": b, "sid": sid}


def test_debrief_of_a_stored_rehearsal(servers: Servers, practice: dict[str, Any]) -> None:
    status, view = servers.get(f"/api/training/sessions/{practice['sid']}/debrief",
                               account=practice["a"])
    assert status == 200
    assert view["client_name"] == "Maya" and len(view["turns"]) == 2
    assert view["chart_svg"].startswith("<svg") and "line-trust" in view["chart_svg"]
    assert len(view["series"]) == 3
    second = view["turns"][1]
    assert any("homework" in c["text"] for c in second["changes"])
    status, _ = servers.get(f"/api/training/sessions/{practice['sid']}/debrief",
                            account=practice["b"])
    assert status == 403


def test_flag_comment_review_and_export(servers: Servers, practice: dict[str, Any]) -> None:
    a, b, sid = practice["a"], practice["b"], practice["sid"]
    status, _ = servers.post(f"/api/training/sessions/{sid}/turns/1/flags",
                             {"meant": "not_a_move"}, account=a)
    assert status == 400
    status, _ = servers.post(f"/api/training/sessions/{sid}/turns/1/flags",
                             {"meant": "review_plan"}, account=b)
    assert status == 403
    status, flag = servers.post(f"/api/training/sessions/{sid}/turns/1/flags",
                                {"meant": "review_plan", "note": "a review question"},
                                account=a)
    assert status == 200 and flag["status"] == "open"
    status, _ = servers.post(f"/api/training/sessions/{sid}/turns/1/comments",
                             {"text": "Nice open question."}, account=a)
    assert status == 403  # trainees do not comment
    status, _ = servers.post(f"/api/training/sessions/{sid}/turns/1/comments",
                             {"text": "Nice open question."}, account=INSTRUCTOR)
    assert status == 200
    _, view = servers.get(f"/api/training/sessions/{sid}/debrief", account=a)
    first = view["turns"][0]
    assert [c["text"] for c in first["comments"]] == ["Nice open question."]
    assert [f["meant"] for f in first["flags"]] == ["review_plan"]

    status, _ = servers.get("/api/training/flags", account=a)
    assert status == 403
    status, flags = servers.get("/api/training/flags?status=open")
    assert status == 200 and any(f["id"] == flag["id"] for f in flags)
    status, _ = servers.post(f"/api/training/flags/{flag['id']}", {"status": "accepted"},
                             account=INSTRUCTOR)
    assert status == 200
    request = urllib.request.Request(f"{servers.url}/api/training/flags/export",
                                     headers=servers.headers(INSTRUCTOR))
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert "attachment" in reply.headers.get("Content-Disposition", "")
        data = yaml.safe_load(reply.read().decode())
    examples = {item["intent"]: item["examples"] for item in data["nlu"]}
    assert "How did the walking go this week?" in examples["review_plan"]


def test_drill_to_mastery_and_privacy(servers: Servers, practice: dict[str, Any]) -> None:
    a, b = practice["a"], practice["b"]
    status, drills = servers.get("/api/training/drills", account=a)
    assert status == 200 and len(drills) >= 24
    assert {d["skill"] for d in drills} == {f"D{i}" for i in range(1, 10)}
    status, drill = servers.get("/api/training/drills/maya_twice_out_of_seven", account=a)
    assert status == 200 and drill["client_says"] and "model_answers" not in drill
    path = "/api/training/drills/maya_twice_out_of_seven/attempts"
    status, poor = servers.post(path, {"text": "Why didn't you do the other five days?"},
                                account=a)
    assert status == 200 and poor["met"] is False and poor["model_answers"]
    for _ in range(3):
        status, good = servers.post(
            path, {"text": "What did you notice on the two days you did go for a walk?"},
            account=a)
        assert status == 200 and good["met"], good["checks"]
        assert good["reply"]
    assert good["mastery"]["mastered"] is True
    _, drills = servers.get("/api/training/drills", account=a)
    assert next(d for d in drills if d["id"] == "maya_twice_out_of_seven")["mastery"][
        "mastered"]
    # The second trainee sees none of it.
    status, _ = servers.get(f"/api/training/drills/maya_twice_out_of_seven/attempts"
                            f"?trainee={a}", account=b)
    assert status == 403
    _, own = servers.get("/api/training/drills/maya_twice_out_of_seven/attempts", account=b)
    assert own == []
    _, b_drills = servers.get("/api/training/drills", account=b)
    assert not any(d["mastery"]["attempts"] for d in b_drills)


def test_assignments_progress_and_cohort(servers: Servers, practice: dict[str, Any]) -> None:
    a, b = practice["a"], practice["b"]
    status, _ = servers.post("/api/training/assignments", {"trainee": a, "drill": "sam_the_rota"},
                             account=b)
    assert status == 403
    status, _ = servers.post("/api/training/assignments", {"trainee": a, "drill": "sam_the_rota"},
                             account=INSTRUCTOR)
    assert status == 200
    _, drills = servers.get("/api/training/drills", account=a)
    assert next(d for d in drills if d["id"] == "sam_the_rota")["assigned"] is True
    status, progress = servers.get("/api/training/progress", account=a)
    assert status == 200 and progress["rehearsals"][0]["scores"]
    assert set(progress["charts"]) == {f"D{i}" for i in range(1, 10)}
    status, _ = servers.get(f"/api/training/progress?trainee={a}", account=b)
    assert status == 403
    status, cohort = servers.get("/api/training/cohort", account=INSTRUCTOR)
    assert status == 200 and any(p["persona"] == "maya" for p in cohort["personas"])
    status, _ = servers.get("/api/training/cohort", account=a)
    assert status == 403

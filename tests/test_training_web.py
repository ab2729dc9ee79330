"""Real headless Chromium: the debrief, drills, progress and supervision pages.

As a trainee: read the debrief of a stored rehearsal with its chart, flag a misheard turn,
take a drill to mastery. As an instructor: find the rehearsal, comment on a turn, accept
the flag and export it, assign a drill. As a second trainee: none of the first trainee's
comments, flags or drill attempts can be read. Screenshots at desktop and phone width go to
var/screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from bench.servers import Servers
from tests.helpers.browser import (
    browser_fetch,
    by_css,
    one,
    shoot,
    sign_in,
    visible,
    wait_for,
)
from tests.helpers.rest import say

pytestmark = [pytest.mark.browser, pytest.mark.integration]

DRILL = "maya_twice_out_of_seven"
GOOD = "What did you notice on the two days you did go for a walk?"
POOR = "Why didn't you manage the other five days?"


@pytest.fixture(scope="module")
def rehearsal(servers: Servers, people: dict[str, dict[str, str]]) -> dict[str, str]:
    """Trainee A's stored, ended rehearsal with Maya (held over the REST channel)."""
    name = people["a"]["name"]
    sid = f"{name}-{uuid.uuid4().hex[:6]}"
    say(servers, sid, "/start_rehearsal" + json.dumps({"persona": "maya", "trainee": name}),
        name)
    say(servers, sid, "Did you do your homework this week?", name)
    say(servers, sid, "What did you notice on the days you did walk?", name)
    say(servers, sid, "/end_rehearsal", name)
    return {"session_id": sid, "trainee": name}


def _submit_answer(driver: Any, text: str) -> str:
    box = one(driver, "#answer")
    box.clear()
    box.send_keys(text)
    before = one(driver, "#verdict").text if visible(driver, "#feedback") else None
    one(driver, "#send").click()
    wait_for(lambda: visible(driver, "#feedback") and one(driver, "#verdict").text
             and one(driver, "#send").is_enabled() and (
                 before is None or one(driver, "#mastery-line").text), "the drill feedback")
    return one(driver, "#verdict").get_attribute("class")


def test_trainee_reads_the_debrief_and_flags_a_turn(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]],
    rehearsal: dict[str, str],
) -> None:
    a = people["a"]
    sign_in(driver, servers, a["name"], a["password"])
    driver.get(f"{servers.url}/app/debrief.html?session={rehearsal['session_id']}")
    wait_for(lambda: by_css(driver, "#chart svg polyline.line-trust"), "the chart")
    assert len(by_css(driver, "#chart svg polyline")) == 2
    turns = by_css(driver, ".debrief-turn")
    assert len(turns) == 2
    assert "homework" in turns[0].text and "trust fell" in turns[0].text
    shoot(driver, "debrief")
    one(driver, "#turn-2 button.link").click()
    wait_for(lambda: visible(driver, "#turn-2 .flag-form"), "the flag form")
    from selenium.webdriver.support.ui import Select

    Select(one(driver, "#meant-2")).select_by_value("explore_learning")
    one(driver, "#turn-2 .flag-form button[type=submit]").click()
    wait_for(lambda: by_css(driver, "#turn-2 .flag-note"), "the flag on turn 2")
    assert "open" in one(driver, "#turn-2 .flag-note").text


def test_trainee_takes_a_drill_to_mastery(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]],
) -> None:
    driver.get(f"{servers.url}/app/drills.html")
    wait_for(lambda: len(by_css(driver, ".drill-item")) >= 24, "the drill list")
    assert len(by_css(driver, ".drill-group")) == 9
    shoot(driver, "drills")
    one(driver, f".drill-item[data-drill='{DRILL}'] button").click()
    wait_for(lambda: visible(driver, "#try"), "the drill")
    assert "Twice" in one(driver, "#try-says").text
    assert "not-met" in _submit_answer(driver, POOR)
    assert by_css(driver, "#models li")  # the model answers are shown
    for _ in range(3):
        assert "not-met" not in _submit_answer(driver, GOOD)
    wait_for(lambda: "mastered this drill" in one(driver, "#mastery-line").text, "mastery")
    shoot(driver, "drill-feedback")
    one(driver, "#back").click()
    wait_for(lambda: "Mastered" in one(driver, f".drill-item[data-drill='{DRILL}']").text,
             "the drill marked as mastered")


def test_instructor_comments_accepts_the_flag_exports_and_assigns(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]],
    rehearsal: dict[str, str],
) -> None:
    t = people["teacher"]
    sign_in(driver, servers, t["name"], t["password"], lands_on="/app/instructor.html")
    driver.get(f"{servers.url}/app/supervision.html")
    sid = rehearsal["session_id"]
    wait_for(lambda: by_css(driver, f"#recent a[href*='{sid}']"), "the rehearsal in the list")
    row = f"#flag-rows tr:has(a[href*='{sid}'])"
    wait_for(lambda: by_css(driver, row), "the flag")
    shoot(driver, "supervision")
    one(driver, f"{row} button").click()  # Accept
    wait_for(lambda: "accepted" in one(driver, row).text, "the accepted flag")
    export = browser_fetch(driver, "GET", "/api/training/flags/export")
    assert export["status"] == 200
    assert "What did you notice on the days you did walk?" in export["text"]
    one(driver, f"#recent a[href*='{sid}']").click()
    wait_for(lambda: by_css(driver, "#comment-1"), "the comment form")
    one(driver, "#comment-1").send_keys("Notice the word homework here, and how Maya hears it.")
    one(driver, "#turn-1 .comment-form button").click()
    wait_for(lambda: by_css(driver, "#turn-1 .comment"), "the comment")
    driver.get(f"{servers.url}/app/drills.html")
    wait_for(lambda: visible(driver, "#assign"), "the assign form")
    one(driver, "#a-trainee").send_keys(rehearsal["trainee"])
    from selenium.webdriver.support.ui import Select

    Select(one(driver, "#a-drill")).select_by_value("sam_the_rota")
    one(driver, "#assign-form button").click()
    wait_for(lambda: "Assigned to" in one(driver, "#assign-status").text, "the assignment")


def test_trainee_sees_the_comment_the_assignment_and_progress(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]],
    rehearsal: dict[str, str],
) -> None:
    a = people["a"]
    sign_in(driver, servers, a["name"], a["password"])
    driver.get(f"{servers.url}/app/debrief.html?session={rehearsal['session_id']}")
    wait_for(lambda: by_css(driver, "#turn-1 .comment"), "the instructor's comment")
    assert "homework" in one(driver, "#turn-1 .comment").text
    driver.get(f"{servers.url}/app/drills.html")
    wait_for(lambda: "Assigned to you" in one(driver, ".drill-item[data-drill='sam_the_rota']")
             .text, "the assigned drill")
    driver.get(f"{servers.url}/app/progress.html")
    wait_for(lambda: len(by_css(driver, "#dim-charts svg")) == 9, "nine dimension charts")
    again = one(driver, "#rehearsal-rows a[href*='persona=maya']")
    shoot(driver, "progress")
    again.click()
    wait_for(lambda: visible(driver, "#briefing"), "the trainee page with Maya chosen")
    assert one(driver, "#persona-maya").is_selected()


def test_a_second_trainee_reads_none_of_it(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]],
    rehearsal: dict[str, str],
) -> None:
    b = people["b"]
    sign_in(driver, servers, b["name"], b["password"])
    driver.get(f"{servers.url}/app/debrief.html?session={rehearsal['session_id']}")
    wait_for(lambda: visible(driver, "#page-error"), "the refusal")
    assert "403" in one(driver, "#page-error").text
    assert not by_css(driver, ".comment") and not by_css(driver, ".flag-note")
    a_name = rehearsal["trainee"]
    for path in (f"/api/training/drills/{DRILL}/attempts?trainee={a_name}",
                 f"/api/training/sessions/{rehearsal['session_id']}/debrief",
                 f"/api/training/progress?trainee={a_name}", "/api/training/flags",
                 "/api/training/flags/export", "/api/training/cohort"):
        assert browser_fetch(driver, "GET", path)["status"] == 403, path
    own = browser_fetch(driver, "GET", f"/api/training/drills/{DRILL}/attempts")
    assert own["status"] == 200 and json.loads(own["text"]) == []
    flag = browser_fetch(driver, "POST", f"/api/training/sessions/{rehearsal['session_id']}"
                         "/turns/1/flags", {"meant": "review_plan"})
    assert flag["status"] == 403


def test_instructor_edit_of_a_persona_is_refused_with_file_line_messages(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    from bench.servers import ROOT

    persona_file = ROOT / "data" / "personas" / "maya.yml"
    before = persona_file.read_text(encoding="utf-8")
    t = people["teacher"]
    sign_in(driver, servers, t["name"], t["password"], lands_on="/app/instructor.html")
    driver.get(f"{servers.url}/app/library.html")
    row = "#file-rows tr[data-file='data/personas/maya.yml']"
    wait_for(lambda: by_css(driver, row), "the persona list")
    assert "no problems" in one(driver, row).text
    assert len(by_css(driver, "#file-rows tr")) >= 9 + 24
    one(driver, f"{row} button").click()
    wait_for(lambda: one(driver, "#text").get_attribute("value"), "the persona's text")
    driver.execute_script(
        "const t = document.getElementById('text');"
        "t.value = t.value.replace('difficulty: moderate', 'difficulty: hard');")
    one(driver, "#save").click()
    wait_for(lambda: by_css(driver, "#problems li"), "the problems")
    assert "Not saved" in one(driver, "#save-status").text
    problem = one(driver, "#problems li").text
    assert problem.startswith("data/personas/maya.yml:") and "hard" in problem
    shoot(driver, "library")
    assert persona_file.read_text(encoding="utf-8") == before

"""The pages in a real headless Chromium against real servers, signed in as real accounts.

Needs Debian's `chromium` and `chromium-driver` (scripts/test.sh installs them when it
can). When they are missing the tests fail, saying what to install: a browser test that
silently skips in CI protects nothing. Screenshots of every page, at desktop and phone
width, go to var/screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from bench.servers import Servers
from tests.helpers.browser import (
    PHONE,
    browser_fetch,
    by_css,
    one,
    shoot,
    sign_in,
    visible,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ESTIMATES = "this project's estimates, not validated instrument scores"

# A skilful rehearsal that ends with an agreed plan on named days; the first line is
# longer than the scorer's quotes, so its evidence quote is shortened.
MESSAGES = [
    "Hi Maya, it's good to see you again. Before we look at anything new, I'd really like "
    "to hear how the walking plan from last week went for you, the good parts and the hard "
    "parts.",
    "What did you notice on the days you did manage to walk?",
    "It sounds like you were really hard on yourself about the days you missed.",
    "The reason small steps matter is that activity can lift mood before motivation comes "
    "back.",
    "What do you think might be worth trying this week?",
    "Maybe a ten-minute walk after breakfast on Monday, Wednesday and Friday?",
    "What might get in the way of that?",
    "How does that sound to you, on a scale of 0 to 10 how confident are you?",
    "So to recap: a ten minute walk after breakfast on Monday, Wednesday and Friday.",
]
# Typed by a trainee and shown back: must appear as text, never run as markup.
HOSTILE = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script> & <b>bold</b>"


def open_trainee_page(driver: Any, servers: Servers, persona: str = "maya") -> None:
    driver.get(f"{servers.url}/app/")
    wait_for(lambda: by_css(driver, f"label[for='persona-{persona}']"), "the client list")
    one(driver, f"label[for='persona-{persona}']").click()
    wait_for(lambda: visible(driver, "#briefing"), "the briefing")
    assert one(driver, "#briefing-text").text.strip(), "the briefing is empty"


def start_rehearsal(driver: Any) -> None:
    one(driver, "#start").click()
    wait_for(lambda: visible(driver, "#chat"), "the conversation to open")
    wait_for(lambda: by_css(driver, "#turn-0 .msg.client"), "the client's opening line")


def end_unfinished(servers: Servers, name: str) -> None:
    """End the rehearsals an earlier test left open, so that the page opens on the client
    list rather than offering to continue one (that offer has its own test)."""
    _, sessions = servers.get("/api/sessions?order=newest&limit=25", account=name)
    for session in sessions:
        if not session["ended_at"]:
            servers.say(session["session_id"], "/end_rehearsal", account=name)


def client_replies(driver: Any) -> list[str]:
    replies = "#transcript li.turn:not(#turn-0):not(.closing) .msg.client p"
    return [e.text for e in by_css(driver, replies)]


def send(driver: Any, text: str, *, with_enter: bool) -> None:
    from selenium.webdriver.common.keys import Keys

    before = len(client_replies(driver))
    box = one(driver, "#message")
    box.send_keys(text)
    if with_enter:
        box.send_keys(Keys.ENTER)
    else:
        one(driver, "#send").click()
    wait_for(lambda: len(client_replies(driver)) == before + 1, f"a reply to {text!r}")
    wait_for(lambda: one(driver, "#send").is_enabled(), "the send button to come back")
    # The newest reply is in view, not under the composer that sticks to the bottom.
    gap = driver.execute_script(
        "const replies = document.querySelectorAll('#transcript .msg.client');"
        "const r = replies[replies.length - 1].getBoundingClientRect();"
        "const c = document.getElementById('composer').getBoundingClientRect();"
        "return {bottom: r.bottom, top: r.top, composerTop: c.top, height: innerHeight};")
    assert gap["top"] >= 0 and gap["bottom"] <= min(gap["composerTop"], gap["height"]) + 1, (
        f"the newest client reply is hidden (reply {gap['top']:.0f}-{gap['bottom']:.0f}, "
        f"composer from {gap['composerTop']:.0f})")


@pytest.fixture(scope="module")
def finished(driver: Any, servers: Servers, people: dict[str, dict[str, str]]) -> dict[str, str]:
    """Trainee A signs in and holds one whole rehearsal to its scorecard."""
    a = people["a"]
    driver.get(f"{servers.url}/app/")
    wait_for(lambda: "/app/signin.html" in driver.current_url, "the way to the sign-in page")
    shoot(driver, "signin")
    sign_in(driver, servers, a["name"], a["password"])
    open_trainee_page(driver, servers)
    shoot(driver, "rehearsal-setup")
    start_rehearsal(driver)
    for i, text in enumerate(MESSAGES):
        send(driver, text, with_enter=i % 2 == 0)
    shoot(driver, "rehearsal-chat")
    session_id = one(driver, "#chat").get_attribute("data-session")
    assert session_id and session_id.startswith("web-")
    one(driver, "#end").click()
    wait_for(lambda: len(by_css(driver, "#scorecard .dimension")) == 9, "the nine dimensions")
    return {"trainee": a["name"], "session_id": session_id}


def test_a_rehearsal_in_the_browser_ends_with_a_scorecard(
    driver: Any, servers: Servers, finished: dict[str, str]
) -> None:
    # The four trainee turns and four client replies, in order, as the server stored them.
    turns = by_css(driver, "#transcript li.turn[id^='turn-']")
    n = len(MESSAGES)
    assert [t.get_attribute("id") for t in turns] == [f"turn-{i}" for i in range(n + 1)]
    trainee_lines = [e.text for e in by_css(driver, "#transcript .msg.trainee p")]
    assert trainee_lines == MESSAGES
    replies = client_replies(driver)
    assert len(replies) == n and all(r.strip() for r in replies)
    assert by_css(driver, "#transcript li.closing .msg.client"), "no closing line shown"
    assert not visible(driver, "#composer"), "the composer stays open after the end"

    dims = by_css(driver, "#scorecard .dimension")
    assert [d.get_attribute("data-dim") for d in dims] == [f"D{i}" for i in range(1, 10)]
    for dim in dims:
        value = int(dim.find_element("css selector", ".score-value").text)
        assert 0 <= value <= 6
        assert dim.find_element("css selector", "h4").text.strip()
    assert ESTIMATES in one(driver, "#scorecard .estimate-label").text
    assert one(driver, "#scorecard .outcome .agreed").text.strip()
    assert by_css(driver, "#scorecard .rollups tbody tr"), "no roll-ups"
    assert by_css(driver, "#scorecard .ratings tbody tr"), "no client ratings"
    assert by_css(driver, "#scorecard .raise"), "no 'what would raise it'"
    page_text = one(driver, "body").text.lower()
    assert "action plan" in page_text
    assert "homework" not in page_text

    # An evidence link brings its turn into view and marks it.
    links = by_css(driver, "#scorecard .evidence-link")
    assert links, "no evidence links in the scorecard"
    link = links[0]
    turn = int(link.get_attribute("data-turn"))
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    link.click()
    target = one(driver, f"#turn-{turn}")
    wait_for(lambda: "highlight" in (target.get_attribute("class") or ""), "the highlight")
    wait_for(
        lambda: driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return r.top >= 0 && r.top < window.innerHeight;", target),
        f"turn {turn} to scroll into view",
    )
    shoot(driver, "rehearsal-scorecard")


def test_scorecard_quotes_plan_and_summaries_read_as_meant(
    driver: Any, servers: Servers, finished: dict[str, str]
) -> None:
    # A quote the scorer shortened ends with an ellipsis; a whole turn has none.
    status, session = servers.get(f"/api/sessions/{finished['session_id']}")
    assert status == 200
    texts = {t["n"]: t["trainee"].strip() for t in session["turns"]}
    shown = [(int(li.find_element("css selector", ".evidence-link").get_attribute("data-turn")),
              li.find_element("css selector", "q").text) for li in
             by_css(driver, "#scorecard .evidence li")]
    # The same rendering on a quote known to be shortened (the scorer's choice of
    # evidence above may or may not include a long turn).
    long_turn = MESSAGES[0]
    cut = long_turn[:100].rsplit(" ", 1)[0]
    rendered = driver.execute_script(
        "const box = document.createElement('div');"
        "Rehearsal.renderScorecard(box, {ended_at: 'x', turns: [{n: 1, trainee: arguments[0]}],"
        "  score: {dimensions: {D1: {score: 3, evidence: [{turn: 1, quote: arguments[1]}]}},"
        "          rollups: {}}});"
        "return box.querySelector('.evidence q').textContent;", long_turn, cut)
    assert rendered == cut + "…"
    for n, quote in shown:
        # An ellipsis marks each side where the quote is cut: the scorer shortens long
        # turns, and a part of a several-move message starts inside it.
        core = quote.strip("…")
        assert core in texts[n], (n, quote)
        assert quote.startswith("…") == (not texts[n].startswith(core)), (n, quote)
        assert quote.endswith("…") == (not texts[n].endswith(core)), (n, quote)

    # The agreed plan on named days says how often.
    plan = {dt.text: dd.text for dt, dd in zip(by_css(driver, "#scorecard .plan-details dt"),
                                               by_css(driver, "#scorecard .plan-details dd"),
                                               strict=True)}
    assert plan.get("How often"), f"no 'How often' in the plan summary {plan}"

    # Summary scores have plain names, say what they average and that they are estimates.
    rollups = one(driver, "#scorecard .rollups").text
    for raw in ("ctrs_homework", "problem_solving", "HAACS-like"):
        assert raw not in rollups
    assert "Action planning overall" in rollups and "mean of D1–D8" in rollups
    assert ESTIMATES in one(driver, "#scorecard .rollup-note").text

    # The advice for specificity asks only for details the plan does not have yet.
    d5 = [d for d in by_css(driver, "#scorecard .dimension") if d.get_attribute("data-dim") == "D5"]
    raise_text = " ".join(r.text for r in d5[0].find_elements("css selector", ".raise")).lower()
    asked = raise_text.replace("(", " ").replace(",", " ").replace(")", " ").split(" ")
    for label, word in (("Day", "when"), ("Time of day", "when"), ("Where", "where"),
                        ("How long", "long"), ("How often", "often")):
        if plan.get(label):
            assert word not in asked, f"D5 asks for {word!r} though the plan has it: {raise_text!r}"


def test_typed_markup_is_shown_as_text(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]]
) -> None:
    sign_in(driver, servers, people["a"]["name"], people["a"]["password"])
    open_trainee_page(driver, servers)
    start_rehearsal(driver)
    send(driver, HOSTILE, with_enter=False)
    assert one(driver, "#turn-1 .msg.trainee p").text == HOSTILE
    assert not by_css(driver, "#transcript img"), "typed markup became an element"
    assert driver.execute_script("return window.__xss || 0") == 0
    one(driver, "#end").click()
    wait_for(lambda: len(by_css(driver, "#scorecard .dimension")) == 9, "the scorecard")


def test_a_reload_mid_rehearsal_resumes_it(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]]
) -> None:
    sign_in(driver, servers, people["a"]["name"], people["a"]["password"])
    open_trainee_page(driver, servers)
    start_rehearsal(driver)
    opening = one(driver, "#turn-0 .msg.client p").text
    send(driver, MESSAGES[1], with_enter=True)
    send(driver, MESSAGES[2], with_enter=True)
    session_id = one(driver, "#chat").get_attribute("data-session")

    driver.refresh()
    wait_for(lambda: visible(driver, "#chat"), "the rehearsal to come back after a reload")
    assert one(driver, "#chat").get_attribute("data-session") == session_id
    assert one(driver, "#turn-0 .msg.client p").text == opening
    assert [e.text for e in by_css(driver, "#transcript .msg.trainee p")] == MESSAGES[1:3]
    send(driver, MESSAGES[4], with_enter=True)
    assert by_css(driver, "#turn-3 .msg.client")

    # A new tab (no memory of this one) offers to continue or end it: never left running.
    driver.execute_script("sessionStorage.clear()")
    driver.refresh()
    wait_for(lambda: visible(driver, "#resume"), "the unfinished-rehearsal card")
    shoot(driver, "rehearsal-resume")
    one(driver, "#resume-end").click()
    wait_for(lambda: len(by_css(driver, "#scorecard .dimension")) == 9, "the scorecard")
    status, stored = servers.get(f"/api/sessions/{session_id}")
    assert status == 200 and stored["ended_at"] and len(stored["turns"]) == 3


def test_client_cues_are_italic(driver: Any, servers: Servers) -> None:
    driver.get(f"{servers.url}/app/signin.html")
    html = driver.execute_script(
        "const p = document.createElement('p');"
        "p.append(Rehearsal.cueText('Fine. (looks away) I guess <b>so</b>.'));"
        "return p.innerHTML;"
    )
    assert html == 'Fine. <em class="cue">(looks away)</em> I guess &lt;b&gt;so&lt;/b&gt;.'


def test_instructor_page_lists_and_opens_the_session(
    driver: Any, servers: Servers, finished: dict[str, str], people: dict[str, dict[str, str]]
) -> None:
    trainee = finished["trainee"]
    teacher = people["teacher"]
    sign_in(driver, servers, teacher["name"], teacher["password"],
            lands_on="/app/instructor.html")
    box = one(driver, "#f-trainee")
    box.clear()
    box.send_keys(trainee)
    one(driver, "#filters button[type='submit']").click()
    rows = wait_for(
        lambda: [r for r in by_css(driver, "#session-rows tr")
                 if r.get_attribute("data-session") == finished["session_id"]],
        "the session in the list",
    )
    assert "/ 54" in rows[0].text
    shoot(driver, "instructor-list")

    rows[0].find_element("css selector", "button.open-session").click()
    n = len(MESSAGES)
    wait_for(lambda: len(by_css(driver, "#detail-transcript li.turn[id^='turn-']")) == n + 1,
             "the transcript with the opening line")
    heading = one(driver, "#detail-h").text
    assert "Maya" in heading and trainee in heading and finished["session_id"] not in heading
    _, session = servers.get(f"/api/sessions/{finished['session_id']}")
    assert session["opening"] and one(driver, "#detail-transcript #turn-0").text.endswith(
        session["opening"].split(")")[-1].strip())
    first = one(driver, "#detail-transcript #turn-1")
    assert MESSAGES[0] in first.text
    assert "Intent:" in first.text and first.find_element("css selector", "code").text
    assert len(by_css(driver, "#detail-scorecard .dimension")) == 9
    assert ESTIMATES in one(driver, "#detail-scorecard .estimate-label").text
    shoot(driver, "instructor-session")

    wait_for(lambda: visible(driver, "#progress"), "the progress view")
    wait_for(lambda: by_css(driver, "#progress-chart svg circle"), "a point in the chart")
    rows = by_css(driver, "#progress-rows tr")
    assert rows and "/ 54" in rows[0].text


def test_instructor_list_is_paged(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]]
) -> None:
    crowd = f"web-crowd-{uuid.uuid4().hex[:6]}"
    for i in range(27):
        servers.say(f"{crowd}-{i}", '/start_rehearsal{"persona": "sam"}', account=crowd)
    teacher = people["teacher"]
    sign_in(driver, servers, teacher["name"], teacher["password"],
            lands_on="/app/instructor.html")
    box = one(driver, "#f-trainee")
    box.send_keys(crowd)
    one(driver, "#filters button[type='submit']").click()
    wait_for(lambda: one(driver, "#page-info").text == "Page 1 of 2", "two pages")
    assert len(by_css(driver, "#session-rows tr")) == 25
    assert "27 sessions" in one(driver, "#list-status").text
    newest = by_css(driver, "#session-rows tr")[0].get_attribute("data-session")
    assert newest == f"{crowd}-26"
    one(driver, "#page-next").click()
    wait_for(lambda: one(driver, "#page-info").text == "Page 2 of 2", "the second page")
    wait_for(lambda: len(by_css(driver, "#session-rows tr")) == 2, "the two oldest")
    shoot(driver, "instructor-page-2")


def test_a_second_trainee_can_neither_read_nor_write_the_first_ones_sessions(
    driver: Any, servers: Servers, finished: dict[str, str], people: dict[str, dict[str, str]]
) -> None:
    b = people["b"]
    a_session = finished["session_id"]
    _, before = servers.get(f"/api/sessions/{a_session}")
    sign_in(driver, servers, b["name"], b["password"])
    open_trainee_page(driver, servers)
    assert not visible(driver, "#resume"), "B is offered someone else's rehearsal"

    # Through the pages: the instructor view is refused, with a way back.
    driver.get(f"{servers.url}/app/instructor.html")
    assert "for the instructor role" in one(driver, "body").text
    assert not by_css(driver, "#session-rows")
    shoot(driver, "forbidden")

    # Through the API, with B's own cookie and CSRF token from the page.
    driver.get(f"{servers.url}/app/")
    wait_for(lambda: one(driver, "#account-name").text == b["name"], "B's page")
    read = browser_fetch(driver, "GET", f"/api/sessions/{a_session}")
    assert read["status"] == 403 and MESSAGES[1] not in read["text"]
    listed = browser_fetch(driver, "GET", f"/api/sessions?trainee={finished['trainee']}")
    assert listed["status"] == 403
    mine = browser_fetch(driver, "GET", "/api/sessions")
    assert mine["status"] == 200 and a_session not in mine["text"]
    for message in ("What else did you notice?", "/end_rehearsal",
                    '/start_rehearsal{"persona": "maya"}'):
        wrote = browser_fetch(driver, "POST", "/webhooks/rest/webhook",
                              {"sender": a_session, "message": message})
        assert wrote["status"] == 403, (message, wrote)
    # Without the CSRF header even B's own conversation is refused.
    forged = driver.execute_async_script(
        "const done = arguments[0];"
        "fetch('/webhooks/rest/webhook', {method: 'POST', credentials: 'same-origin',"
        "  headers: {'Content-Type': 'application/json'},"
        "  body: JSON.stringify({sender: 'b-own', message: 'hello'})})"
        ".then((r) => done(r.status));")
    assert forged == 403
    _, after = servers.get(f"/api/sessions/{a_session}")
    assert after == before

    # Signing out ends the cookie's power.
    one(driver, "#signout").click()
    wait_for(lambda: "signed_out=1" in driver.current_url, "the signed-out page")
    gone = browser_fetch(driver, "GET", "/api/me")
    assert gone["status"] == 401


def test_a_failed_send_shows_an_error_and_keeps_the_text(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]]
) -> None:
    sign_in(driver, servers, people["a"]["name"], people["a"]["password"])
    open_trainee_page(driver, servers)
    start_rehearsal(driver)
    text = "How did the walking plan go this week?"

    for failure in (
        "Promise.reject(new TypeError('Failed to fetch'))",
        "Promise.resolve(new Response('{\"error\": \"boom\"}', {status: 500}))",
        "Promise.resolve(new Response('[]', {status: 200}))",
    ):
        # The next REST call fails once; everything else goes to the real server.
        driver.execute_script(
            "const real = window.fetch;"
            "window.fetch = function (url, options) {"
            "  if (String(url).includes('/webhooks/rest/webhook')) {"
            "    window.fetch = real;"
            f"    return {failure};"
            "  }"
            "  return real.apply(this, arguments);"
            "};"
        )
        box = one(driver, "#message")
        if not box.get_attribute("value"):
            box.send_keys(text)
        one(driver, "#send").click()
        wait_for(lambda: visible(driver, "#chat-error"), f"an error message ({failure})")
        assert one(driver, "#chat-error").text.strip()
        assert one(driver, "#message").get_attribute("value") == text
        assert not by_css(driver, "#turn-1"), "a turn without a reply is shown as sent"
        assert one(driver, "#send").is_enabled()
    shoot(driver, "rehearsal-error")

    # While a reply is on its way, the send button is disabled; then the resend works.
    driver.execute_script(
        "const real = window.fetch;"
        "window.fetch = function (url, options) {"
        "  if (String(url).includes('/webhooks/rest/webhook')) {"
        "    window.fetch = real;"
        "    return new Promise((resolve) => { window.__release = () => resolve("
        "      real.call(window, url, options)); });"
        "  }"
        "  return real.apply(this, arguments);"
        "};"
    )
    one(driver, "#send").click()
    wait_for(lambda: not one(driver, "#send").is_enabled(), "the send button to be disabled")
    assert not by_css(driver, "#turn-1 .msg.client")
    driver.execute_script("window.__release()")
    wait_for(lambda: by_css(driver, "#turn-1 .msg.client"), "the reply after resending")
    assert not visible(driver, "#chat-error")
    assert one(driver, "#message").get_attribute("value") == ""
    assert one(driver, "#turn-1 .msg.trainee p").text == text
    # The resends carried one idempotency key: the turn was stored once.
    session_id = one(driver, "#chat").get_attribute("data-session")
    _, stored = servers.get(f"/api/sessions/{session_id}")
    assert [t["trainee"] for t in stored["turns"]] == [text]


def test_a_resent_turn_is_answered_once(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]]
) -> None:
    """A reply lost on the way back (time-out): the page sends the turn again with the
    same key, gets the first reply, and the server stores the turn once."""
    end_unfinished(servers, people["a"]["name"])
    sign_in(driver, servers, people["a"]["name"], people["a"]["password"])
    open_trainee_page(driver, servers)
    start_rehearsal(driver)
    driver.execute_script(
        "const real = window.fetch;"
        "window.fetch = function (url, options) {"
        "  if (String(url).includes('/webhooks/rest/webhook')) {"
        "    window.fetch = real;"
        "    window.__firstBody = options.body;"
        "    return real.call(window, url, options).then(() => {"
        "      throw new TypeError('Failed to fetch'); });"
        "  }"
        "  return real.apply(this, arguments);"
        "};"
    )
    text = "How did the walks go in the end?"
    one(driver, "#message").send_keys(text)
    one(driver, "#send").click()
    wait_for(lambda: visible(driver, "#chat-error"), "the lost reply's error")
    one(driver, "#send").click()
    wait_for(lambda: by_css(driver, "#turn-1 .msg.client"), "the reply to the resend")
    first = json.loads(driver.execute_script("return window.__firstBody"))
    assert first["metadata"]["idempotency_key"]
    session_id = one(driver, "#chat").get_attribute("data-session")
    _, stored = servers.get(f"/api/sessions/{session_id}")
    assert [t["trainee"] for t in stored["turns"]] == [text]
    assert one(driver, "#turn-1 .msg.client p").text == stored["turns"][0]["client"]


def test_shift_enter_is_a_new_line_and_the_page_fits_a_phone(
    driver: Any, servers: Servers, people: dict[str, dict[str, str]]
) -> None:
    from selenium.webdriver.common.keys import Keys

    sign_in(driver, servers, people["a"]["name"], people["a"]["password"])
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        open_trainee_page(driver, servers)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the set-up page is {overflow}px wider than a 375px screen"
        start_rehearsal(driver)
        box = one(driver, "#message")
        box.send_keys("First line")
        box.send_keys(Keys.SHIFT, Keys.ENTER)
        box.send_keys("second line")
        assert box.get_attribute("value") == "First line\nsecond line"
        assert not by_css(driver, "#turn-1"), "Shift+Enter sent the message"
        box.send_keys(Keys.ENTER)
        wait_for(lambda: by_css(driver, "#turn-1 .msg.client"), "a reply")
        assert one(driver, "#live").get_attribute("aria-live") == "polite"
        assert one(driver, "#live").text.strip(), "the new client line was not announced"
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the conversation is {overflow}px wider than a 375px screen"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

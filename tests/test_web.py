"""The trainee and instructor pages in a real headless Chromium against real servers.

Needs Debian's `chromium` and `chromium-driver` (scripts/test.sh installs them when it
can). When they are missing the tests fail, saying what to install: a browser test that
silently skips in CI protects nothing.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.servers import Servers

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path("/tmp")
INSTALL_HINT = (
    "the browser tests need Chromium and its driver at /usr/bin/chromium and "
    "/usr/bin/chromedriver: install them with `apt-get install -y chromium chromium-driver` "
    "(Debian/Ubuntu; scripts/test.sh does this when run as root), and the Python package "
    "`selenium` from requirements.lock"
)
ESTIMATES = "this project's estimates, not validated instrument scores"

MESSAGES = [
    "Hi Maya, it's good to see you. How did the walking plan from last week go?",
    "What did you notice on the days you did manage to walk?",
    "It sounds like you were really hard on yourself about the days you missed.",
    "What do you think might be worth trying this week?",
]


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: {INSTALL_HINT}", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail(f"selenium is not installed: {INSTALL_HINT}", pytrace=False)

    profile = tempfile.mkdtemp(prefix="rehearsal-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    """Poll until `condition()` is truthy; fail naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - elements come and go while the page works
            last_error = exc
        time.sleep(0.1)
    detail = f": {last_error}" if last_error else ""
    raise AssertionError(f"timed out waiting for {what}{detail}")


def by_css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def one(driver: Any, selector: str) -> Any:
    found = by_css(driver, selector)
    assert found, f"nothing matches {selector!r}"
    return found[0]


def visible(driver: Any, selector: str) -> bool:
    found = by_css(driver, selector)
    return bool(found) and found[0].is_displayed()


def full_page_screenshot(driver: Any, path: Path, width: int = 1280) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(int(height) + 140, 600), 8000))
    time.sleep(0.3)
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)


def open_trainee_page(driver: Any, servers: Servers, trainee: str, persona: str = "maya") -> None:
    driver.get(f"{servers.url}/app/")
    box = one(driver, "#trainee-id")
    box.clear()
    box.send_keys(trainee)
    wait_for(lambda: by_css(driver, f"label[for='persona-{persona}']"), "the client list")
    one(driver, f"label[for='persona-{persona}']").click()
    wait_for(lambda: visible(driver, "#briefing"), "the briefing")
    assert one(driver, "#briefing-text").text.strip(), "the briefing is empty"


def start_rehearsal(driver: Any) -> None:
    one(driver, "#start").click()
    wait_for(lambda: visible(driver, "#chat"), "the conversation to open")
    wait_for(lambda: by_css(driver, "#turn-0 .msg.client"), "the client's opening line")


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


@pytest.fixture(scope="module")
def finished(driver: Any, servers: Servers) -> dict[str, str]:
    """One whole rehearsal through the trainee page; its ids for the later tests."""
    trainee = f"web-{uuid.uuid4().hex[:6]}"
    open_trainee_page(driver, servers, trainee)
    driver.save_screenshot(str(SCREENSHOTS / "rehearsal-setup.png"))
    start_rehearsal(driver)
    for i, text in enumerate(MESSAGES):
        send(driver, text, with_enter=i % 2 == 0)
    full_page_screenshot(driver, SCREENSHOTS / "rehearsal-chat.png")
    session_id = one(driver, "#chat").get_attribute("data-session")
    assert session_id and session_id.startswith("web-")
    one(driver, "#end").click()
    wait_for(lambda: len(by_css(driver, "#scorecard .dimension")) == 9, "the nine dimensions")
    return {"trainee": trainee, "session_id": session_id}


def test_a_rehearsal_in_the_browser_ends_with_a_scorecard(
    driver: Any, servers: Servers, finished: dict[str, str]
) -> None:
    # The four trainee turns and four client replies, in order, as the server stored them.
    turns = by_css(driver, "#transcript li.turn[id^='turn-']")
    assert [t.get_attribute("id") for t in turns] == [f"turn-{n}" for n in range(5)]
    trainee_lines = [e.text for e in by_css(driver, "#transcript .msg.trainee p")]
    assert trainee_lines == MESSAGES
    replies = client_replies(driver)
    assert len(replies) == 4 and all(r.strip() for r in replies)
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
    full_page_screenshot(driver, SCREENSHOTS / "rehearsal-scorecard.png")


def test_client_cues_are_italic(driver: Any, servers: Servers) -> None:
    driver.get(f"{servers.url}/app/")
    html = driver.execute_script(
        "const p = document.createElement('p');"
        "p.append(Rehearsal.cueText('Fine. (looks away) I guess <b>so</b>.'));"
        "return p.innerHTML;"
    )
    assert html == 'Fine. <em class="cue">(looks away)</em> I guess &lt;b&gt;so&lt;/b&gt;.'


def test_instructor_page_lists_and_opens_the_session(
    driver: Any, servers: Servers, finished: dict[str, str]
) -> None:
    trainee = finished["trainee"]
    driver.get(f"{servers.url}/app/instructor.html")
    assert "Accounts do not exist yet" in one(driver, "footer").text
    rows = wait_for(
        lambda: [r for r in by_css(driver, "#session-rows tr") if trainee in r.text],
        "the session in the list",
    )
    assert [r.get_attribute("data-session") for r in rows] == [finished["session_id"]]
    assert "/ 54" in rows[0].text
    driver.save_screenshot(str(SCREENSHOTS / "instructor-list.png"))

    rows[0].find_element("css selector", "button.open-session").click()
    wait_for(lambda: len(by_css(driver, "#detail-transcript li.turn[id^='turn-']")) == 4,
             "the transcript of four turns")
    first = one(driver, "#detail-transcript #turn-1")
    assert MESSAGES[0] in first.text
    assert "Intent:" in first.text and first.find_element("css selector", "code").text
    assert len(by_css(driver, "#detail-scorecard .dimension")) == 9
    assert ESTIMATES in one(driver, "#detail-scorecard .estimate-label").text
    full_page_screenshot(driver, SCREENSHOTS / "instructor-session.png", width=1280)

    # The trainee filter also shows that trainee's progress over time.
    box = one(driver, "#f-trainee")
    box.clear()
    box.send_keys(trainee)
    one(driver, "#filters button[type='submit']").click()
    wait_for(lambda: visible(driver, "#progress"), "the progress view")
    wait_for(lambda: by_css(driver, "#progress-chart svg circle"), "a point in the chart")
    rows = by_css(driver, "#progress-rows tr")
    assert len(rows) == 1 and "/ 54" in rows[0].text
    driver.execute_script("document.getElementById('progress').scrollIntoView()")
    driver.save_screenshot(str(SCREENSHOTS / "instructor-progress.png"))


def test_a_failed_send_shows_an_error_and_keeps_the_text(
    driver: Any, servers: Servers
) -> None:
    open_trainee_page(driver, servers, f"web-fail-{uuid.uuid4().hex[:6]}")
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
    driver.save_screenshot(str(SCREENSHOTS / "rehearsal-error.png"))

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


def test_shift_enter_is_a_new_line_and_the_page_fits_a_phone(
    driver: Any, servers: Servers
) -> None:
    from selenium.webdriver.common.keys import Keys

    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    try:
        open_trainee_page(driver, servers, f"web-phone-{uuid.uuid4().hex[:6]}")
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the set-up page is {overflow}px wider than a 375px screen"
        driver.save_screenshot(str(SCREENSHOTS / "rehearsal-phone-setup.png"))
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
        driver.save_screenshot(str(SCREENSHOTS / "rehearsal-phone-chat.png"))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

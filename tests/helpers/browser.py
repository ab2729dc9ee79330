"""Driving the pages in a real headless Chromium (selenium): shared by the browser tests.

The `driver` and `people` fixtures (tests/conftest.py) are built from `open_browser` and
`make_people`; screenshots go to var/screenshots/ (git-ignored).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.servers import ROOT, Servers

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "var" / "screenshots"
PHONE = {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True}
INSTALL_HINT = (
    "the browser tests need Chromium and its driver at /usr/bin/chromium and "
    "/usr/bin/chromedriver: install them with `apt-get install -y chromium chromium-driver` "
    "(Debian/Ubuntu; scripts/test.sh does this when run as root), and the Python package "
    "`selenium` from requirements.lock"
)


@contextmanager
def open_browser() -> Iterator[Any]:
    """A headless Chromium (fails, never skips, with what to install when it is missing)."""
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


def shoot(driver: Any, name: str) -> None:
    """The page as it is now, at desktop width and at a phone's, to var/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    full_page_screenshot(driver, SCREENSHOTS / f"{name}-desktop.png")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        time.sleep(0.3)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        driver.save_screenshot(str(SCREENSHOTS / f"{name}-phone.png"))
        assert overflow <= 0, f"{name} is {overflow}px wider than a 375px phone screen"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def sign_in(driver: Any, servers: Servers, name: str, password: str,
            lands_on: str = "/app/") -> None:
    driver.delete_all_cookies()
    driver.get(f"{servers.url}/app/signin.html")
    driver.execute_script("sessionStorage.clear(); localStorage.clear();")
    one(driver, "#name").send_keys(name)
    one(driver, "#password").send_keys(password)
    one(driver, "#signin").click()
    wait_for(lambda: driver.current_url.split("?")[0].endswith(lands_on),
             f"{name} to land on {lands_on}")
    wait_for(lambda: one(driver, "#account-name").text == name, "the signed-in name")


def browser_fetch(driver: Any, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """fetch() from inside the signed-in page, with its cookie and CSRF token."""
    return driver.execute_async_script(
        "const [method, path, body, done] = arguments;"
        "const headers = {'Content-Type': 'application/json'};"
        "if (method !== 'GET') headers['X-CSRF-Token'] = Rehearsal.account.csrf_token;"
        "fetch(path, {method, headers, credentials: 'same-origin',"
        "  body: body === null ? undefined : JSON.stringify(body)})"
        ".then(async (r) => done({status: r.status, text: await r.text()}))"
        ".catch((e) => done({status: 0, text: String(e)}));",
        method, path, body)


def make_people(servers: Servers) -> dict[str, dict[str, str]]:
    """Two trainees and an instructor, with passwords for the sign-in page."""
    tag = uuid.uuid4().hex[:6]
    names = {"a": (f"web-a-{tag}", "trainee"), "b": (f"web-b-{tag}", "trainee"),
             "teacher": (f"web-teacher-{tag}", "instructor")}
    return {key: {"name": name, "password": servers.password(name, role)}
            for key, (name, role) in names.items()}

"""The officer's counter screen in Debian's Chromium: every action by its keyboard shortcut."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def log_in(page: Any, server: Any, path: str = "/counter") -> None:
    server.sign_in(page, path)
    page.wait_for_selector("#conn.conn-on")


def count(page: Any, service: str) -> Any:
    return page.locator(f"#waiting tr[data-service='{service}'] .count")


# Each action's key and its button: a key is ignored while its button is disabled (the screen
# is re-reading after the last action), as a busy screen should; a test presses once it is on.
KEYS = {"n": "#btn-call-next", "r": "#btn-recall", "s": "#btn-start", "x": "#btn-no-show",
        "f": "#btn-finish", "t": "#btn-transfer-open"}  # fmt: skip


def press(page: Any, key: str) -> None:
    expect(page.locator(KEYS[key])).to_be_enabled()
    page.keyboard.press(key)


def test_every_action_from_the_keyboard(browser: Any, live_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/counter")
    expect(page.locator("h1")).to_have_text("Màn hình quầy")  # Vietnamese by default
    page.screenshot(path=str(SHOTS / "counter-login.png"))
    log_in(page, live_server)
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    expect(page.locator("#counter-number")).to_have_value("1")
    expect(page.locator("#btn-call-next")).to_be_enabled()
    for idle in ("#btn-recall", "#btn-start", "#btn-no-show", "#btn-finish", "#btn-transfer-open"):
        expect(page.locator(idle)).to_be_disabled()
    page.evaluate("window.__sameDocument = true")

    # Nobody waits yet: N says so in the notice, not as an error.
    press(page, "n")
    expect(page.locator("#counter-notice")).to_have_text("Không còn ai đang chờ")
    expect(page.locator("#counter-error")).to_be_hidden()

    # Tickets issued through the API arrive by push, without a reload.
    for _ in range(3):
        live_server.issue("A")
    live_server.issue("B")
    expect(count(page, "A")).to_have_text("3")
    expect(count(page, "B")).to_have_text("1")
    assert page.evaluate("window.__sameDocument") is True

    # N calls A001; the timer ticks; only the actions that make sense are enabled.
    press(page, "n")
    expect(page.locator("#current-number")).to_have_text("A001")
    expect(page.locator("#current-state")).to_have_text("Đang gọi")
    expect(page.locator("#current")).to_have_class("current card state-called")
    expect(count(page, "A")).to_have_text("2")
    expect(page.locator("#btn-call-next")).to_be_disabled()
    expect(page.locator("#btn-recall")).to_be_enabled()
    first = page.inner_text("#current-timer")
    expect(page.locator("#current-timer")).not_to_have_text(first, timeout=3000)

    # R three times: the screen then suggests a no-show; X marks it.
    for times in (1, 2, 3):
        expect(page.locator("#btn-recall")).to_be_enabled()
        press(page, "r")
        expect(page.locator("#current-recalls")).to_have_text(f"Đã gọi lại {times} lần")
    expect(page.locator("#no-show-hint")).to_be_visible()
    expect(page.locator("#btn-no-show")).to_have_class("btn action action-warn suggested")
    press(page, "x")
    expect(page.locator("#current-number")).to_have_text("—")
    expect(page.locator("#today-no-show")).to_have_text("1")
    expect(page.locator("#no-show-hint")).to_be_hidden()

    # N, S, F: a full service.
    press(page, "n")
    expect(page.locator("#current-number")).to_have_text("A002")
    press(page, "s")
    expect(page.locator("#current-state")).to_have_text("Đang phục vụ")
    expect(page.locator("#timer-label")).to_have_text("Thời gian phục vụ")
    expect(page.locator("#btn-start")).to_be_disabled()
    expect(page.locator("#btn-recall")).to_be_disabled()
    press(page, "f")
    expect(page.locator("#current-number")).to_have_text("—")
    expect(page.locator("#today-served")).to_have_text("1")
    expect(page.locator("#today-service")).to_contain_text("phút")

    # T opens the transfer form with the focus in it; Enter sends A003 to service C.
    press(page, "n")
    expect(page.locator("#current-number")).to_have_text("A003")
    press(page, "t")
    expect(page.locator("#transfer")).to_be_visible()
    expect(page.locator("#transfer-target")).to_be_focused()
    page.select_option("#transfer-target", "service:C")
    page.screenshot(path=str(SHOTS / "counter-transfer.png"))
    page.keyboard.press("Enter")
    expect(page.locator("#current-number")).to_have_text("—")
    expect(page.locator("#transfer")).to_be_hidden()
    expect(count(page, "C")).to_have_text("1")
    expect(page.locator("#today-transferred")).to_have_text("1")

    # ...and B001 to counter 2.
    press(page, "n")
    expect(page.locator("#current-number")).to_have_text("B001")
    press(page, "t")
    page.select_option("#transfer-target", "counter:2")
    page.keyboard.press("Enter")
    expect(page.locator("#current-number")).to_have_text("—")
    expect(page.locator("#today-transferred")).to_have_text("2")
    expect(count(page, "B")).to_have_text("1")

    # A declared priority: shown prominently, confirmed with one click.
    for service in ("B", "C", "C", "D", "A", "A"):
        live_server.issue(service)
    live_server.issue("A", priority="elderly_80")
    live_server.issue("A", priority="pregnant")
    expect(count(page, "A")).to_have_text("4")
    press(page, "n")
    expect(page.locator("#current-number")).to_have_text("A006")  # rank 3 goes first
    expect(page.locator("#priority-box")).to_be_visible()
    expect(page.locator("#priority-label")).to_have_text("Người từ 80 tuổi")
    page.click("#btn-priority-yes")
    expect(page.locator("#priority-result")).to_have_text("Đã xác nhận ưu tiên")
    expect(page.locator("#priority-actions")).to_be_hidden()
    press(page, "s")
    expect(page.locator("#current-state")).to_have_text("Đang phục vụ")
    page.wait_for_timeout(1200)  # let the timer show a few seconds
    page.screenshot(path=str(SHOTS / "counter-desk.png"))

    # A stale screen: someone else checks the next priority first; the 409 is shown.
    press(page, "f")
    expect(page.locator("#current-number")).to_have_text("—")
    press(page, "n")
    expect(page.locator("#current-number")).to_have_text("A007")
    # The other check, then this screen's click at once, in one script: the other check's push
    # (sent after the commit, from the background sender) cannot refresh the screen between them.
    staff = live_server.login()
    checked = page.evaluate(
        """async (auth) => {
            const answer = await fetch("/api/v1/counters/1/priority", {
                method: "POST",
                headers: {"Content-Type": "application/json", "Authorization": auth},
                body: JSON.stringify({confirmed: true}),
            });
            document.querySelector("#btn-priority-no").click();
            return answer.status;
        }""",
        staff["Authorization"],
    )
    assert checked == 200
    expect(page.locator("#counter-error")).to_be_visible()
    expect(page.locator("#counter-error-text")).to_have_text(
        "Ưu tiên của số này đã được kiểm tra rồi."
    )
    expect(page.locator("#priority-result")).to_have_text("Đã xác nhận ưu tiên")
    page.screenshot(path=str(SHOTS / "counter-error.png"))

    page.click("#counter-error-close")
    expect(page.locator("#counter-error")).to_be_hidden()
    page.close()


def test_counter_is_remembered_language_and_expired_session(browser: Any, live_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    log_in(page, live_server, "/counter?lang=en")
    expect(page.locator("h1")).to_have_text("Counter screen")
    expect(page.locator("#conn")).to_have_text("Online")
    page.select_option("#counter-number", "4")
    for service in ("A", "B", "C", "D", "D"):
        live_server.issue(service)
    expect(count(page, "D")).to_have_text("2")
    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text("D001")
    expect(page.locator("#timer-label")).to_have_text("Since called")
    page.screenshot(path=str(SHOTS / "counter-desk-en.png"))

    # The counter survives a reload; the token lives for the browser session.
    page.reload()
    page.wait_for_selector("#conn.conn-on")
    expect(page.locator("#counter-number")).to_have_value("4")
    expect(page.locator("#current-number")).to_have_text("D001")

    # An expired or revoked token: back to the login form, with the reason.
    page.evaluate("sessionStorage.setItem('onestop.token', 'expired-token')")
    page.reload()
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    expect(page.locator("#counter-error-text")).to_have_text(
        "Your session has expired. Please log in again."
    )
    expect(page.locator("#conn")).to_have_class("conn conn-off")

    # The VI link switches the language (and the cookie remembers it).
    page.click(".lang-switch a[lang='vi']")
    expect(page.locator("#login-button")).to_have_text("Đăng nhập")
    page.close()


def test_no_action_before_the_counters_are_read(browser: Any, live_server: Any) -> None:
    """Logged in and connected, but the counters not read yet: Call next must wait (a click at
    once used to meet an empty choice of counter and call nobody)."""
    live_server.issue("A")
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    held: list[Any] = []

    def hold(route: Any) -> None:  # the counters' reads hang until let go
        held.append(route)

    page.route("**/api/v1/counters", hold)
    log_in(page, live_server)
    expect(page.locator("#btn-call-next")).to_be_disabled()
    page.keyboard.press("n")
    assert held  # the screen did ask for them
    page.unroute("**/api/v1/counters", hold)  # the held reads go on to the server
    expect(page.locator("#btn-call-next")).to_be_enabled()
    expect(page.locator("#counter-error")).to_be_hidden()  # the key press asked for nothing
    page.click("#btn-call-next")
    expect(page.locator("#current-number")).to_have_text("A001")


def test_staff_of_another_office_see_their_office_named(browser: Any, live_server: Any) -> None:
    """One deployment, two communes: an officer of the second signs in to the counter screen
    and the back office, both served for the first, and each names the officer's own office
    (and still does after a reload)."""
    from tests.helpers import invoke_cli

    live_server.cli("office", "add", "XA-2", "--name", "UBND xã Hai", "--like", "UBND-XA-DEMO")
    added = invoke_cli(
        ["user", "add", "hai1", "--role", "admin", "--password-stdin", "--office", "XA-2"],
        {**live_server.env, "ONESTOP_CONFIG": None},
        stdin="a-long-password\n",
    )
    assert added.returncode == 0, added.stderr
    page = browser.new_page()
    for path in ("/counter", "/admin/evaluation"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(".office-name").first).not_to_have_text("UBND xã Hai")
        page.fill("#username", "hai1")
        page.fill("#password", "a-long-password")
        page.click("#login-button")
        expect(page.locator(".office-name").first).to_have_text("UBND xã Hai")
        assert page.title().endswith("— UBND xã Hai")
        page.reload()
        expect(page.locator(".office-name").first).to_have_text("UBND xã Hai")

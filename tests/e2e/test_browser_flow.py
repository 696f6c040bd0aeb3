"""In Debian's Chromium: take a ticket at /kiosk, call it at /counter, see it on /display."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_kiosk_counter_display_flow(browser: Any, live_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    display = browser.new_page(viewport={"width": 1920, "height": 1080})
    display.goto(f"{base}/display")
    display.wait_for_selector("#conn.conn-on")

    kiosk = browser.new_page(viewport={"width": 1080, "height": 1920})
    kiosk.goto(f"{base}/kiosk?key={live_server.creds['devices']['kiosk-1']}")
    assert "key=" not in kiosk.url  # the device key leaves the address bar
    with kiosk.expect_response(lambda r: "/qr.svg?k=" in r.url) as qr_response:
        kiosk.click("button.service-button[data-service='A']")
    assert qr_response.value.status == 200
    kiosk.wait_for_selector("#screen-ticket:not([hidden])")
    assert kiosk.inner_text("#t-number") == "A001"
    expect(kiosk.locator("#t-print")).to_contain_text("in")
    qr_drawn = "img => img.complete && img.naturalWidth > 0"
    for _ in range(50):  # the image decodes just after its response arrives
        if kiosk.locator("#t-qr").evaluate(qr_drawn):
            break
        kiosk.wait_for_timeout(100)
    assert kiosk.locator("#t-qr").evaluate(qr_drawn)
    kiosk.screenshot(path=str(SHOTS / "kiosk-ticket.png"))

    counter = browser.new_page(viewport={"width": 1366, "height": 900})
    live_server.sign_in(counter, "/counter")
    counter.wait_for_selector("#conn.conn-on")
    expect(counter.locator("#waiting tr[data-service='A'] .count")).to_have_text("1")
    counter.keyboard.press("n")  # the call-next shortcut
    expect(counter.locator("#current-number")).to_have_text("A001")
    counter.screenshot(path=str(SHOTS / "counter-called.png"))

    expect(display.locator("#serving tr[data-counter='1'] td.number")).to_have_text(
        "A001", timeout=5000
    )
    expect(display.locator("#serving tr[data-counter='1'] td.counter")).to_have_text("1")
    display.screenshot(path=str(SHOTS / "display-called.png"))

    status = browser.new_page(viewport={"width": 390, "height": 844})
    status.goto(f"{base}/api/v1/display/state")
    assert "A001" in status.content()
    for page in (display, kiosk, counter, status):
        page.close()

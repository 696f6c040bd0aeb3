"""The kiosk in Debian's Chromium at its touchscreen sizes: both languages, priority, catalog,
the printing-failed path, double taps, the idle return and the offline screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.conftest import free_port
from tests.e2e.conftest import SHOTS, LiveServer, running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}


def open_kiosk(browser: Any, server: LiveServer, viewport: dict[str, int] = PORTRAIT) -> Page:
    page: Page = browser.new_page(viewport=viewport, has_touch=True)
    page.goto(f"{server.url}/kiosk?key={server.creds['devices']['kiosk-1']}")
    page.wait_for_selector(".service-button[data-service='A']")
    return page


def waiting(server: LiveServer) -> dict[str, int]:
    state = requests.get(f"{server.url}/api/v1/display/state", timeout=5).json()
    return dict(state["waiting"])


def wait_for_qr(page: Page) -> None:
    drawn = "img => img.complete && img.naturalWidth > 0"
    expect(page.locator("#t-qr")).to_be_visible()
    page.wait_for_function(f"() => ({drawn})(document.getElementById('t-qr'))", timeout=5000)


def test_vietnamese_flow_with_priority_and_catalog(browser: Any, live_server: LiveServer) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_kiosk(browser, live_server)
    assert "key=" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#start-title")).to_have_text("Chạm vào dịch vụ để lấy số thứ tự")
    # Services are grouped by field (the demo has one service per field, named after it, so
    # no heading repeats the button), with live waiting counts.
    expect(page.locator(".field-group")).to_have_count(4)
    expect(page.locator(".field-title")).to_have_count(0)
    expect(page.locator(".service-button[data-service='B'] .waiting")).to_have_text("Đang chờ: 0")
    box = page.locator(".service-button[data-service='A']").bounding_box()
    assert box is not None
    assert box["height"] >= 64
    assert box["width"] >= 64
    page.screenshot(path=str(SHOTS / "kiosk-start-vi.png"))

    # Another kiosk issues a ticket: the count changes here without a reload.
    requests.post(
        f"{live_server.url}/api/v1/tickets", json={"service": "B"}, headers=live_server.kiosk()
    ).raise_for_status()
    expect(page.locator(".service-button[data-service='B'] .waiting")).to_have_text("Đang chờ: 1")

    # The public catalog: required papers, legal time and fee.
    page.click("#open-catalog")
    page.click(".catalog-tab[data-field='HT']")
    page.click(".procedure-button[data-procedure='1.001193']")
    detail = page.locator(".procedure-detail[data-procedure='1.001193']")
    expect(detail).to_be_visible()
    expect(detail.locator(".procedure-title")).to_have_text("Đăng ký khai sinh")
    expect(detail.locator(".procedure-facts")).to_contain_text(
        "Trong ngày (nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo)"
    )
    expect(detail.locator(".documents li").first).to_contain_text("Tờ khai đăng ký khai sinh")
    page.screenshot(path=str(SHOTS / "kiosk-catalog-detail-vi.png"))
    page.click(".procedure-detail[data-procedure='1.001193'] [data-back='catalog']")
    page.click("#screen-catalog [data-back='start']")

    # The priority path: declared at the kiosk, printed on the ticket, called first.
    page.click("#open-priority")
    page.click(".priority-button[data-priority='elderly_80']")
    expect(page.locator("#priority-chosen")).to_contain_text("Người từ 80 tuổi")
    page.click(".service-button[data-service='B']")
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(page.locator("#t-number")).to_have_text("B002")
    expect(page.locator("#t-priority")).to_have_text("Người từ 80 tuổi")
    expect(page.locator("#t-ahead")).to_have_text("Số người chờ trước ông/bà: 0")
    expect(page.locator("#t-print")).to_have_text(
        "Phiếu số thứ tự đã được in. Kính mời ông/bà nhận phiếu.", timeout=10000
    )
    wait_for_qr(page)
    page.screenshot(path=str(SHOTS / "kiosk-ticket-vi.png"))
    page.click("#t-done")
    expect(page.locator("#screen-start")).to_be_visible()
    expect(page.locator("#priority-chosen")).to_be_hidden()  # the next citizen starts clean

    # The counter calls the priority ticket before the earlier B001.
    called = requests.post(
        f"{live_server.url}/api/v1/counters/1/call-next", headers=live_server.login(), timeout=5
    )
    assert called.json()["number"] == "B002"
    page.close()


def test_english_flow_and_idle_return_to_vietnamese(browser: Any, tmp_path: Path) -> None:
    # This server runs its own `onestop init --demo` (a child process), not a copy of the demo.
    with running_server(tmp_path, {"ONESTOP_KIOSK__IDLE_SECONDS": "2"}, fresh_init=True) as server:
        page = open_kiosk(browser, server, LANDSCAPE)
        page.click(".lang[data-lang='en']")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#start-title")).to_have_text("Touch a service to take a number")
        expect(page.locator(".service-button[data-service='A'] .name")).to_have_text(
            "Certification"
        )
        page.click("#open-catalog")
        expect(
            page.locator(".procedure-button[data-procedure='2.000815'] .procedure-time")
        ).to_have_text("Same day (received after 15:00: the next working day)")
        page.click("#screen-catalog [data-back='start']")
        page.screenshot(path=str(SHOTS / "kiosk-start-en-landscape.png"))
        page.click(".service-button[data-service='A']")
        expect(page.locator("#t-number")).to_have_text("A001")
        expect(page.locator("#t-ahead")).to_have_text("People ahead of you: 0")
        expect(page.locator("#t-wait")).to_have_text("You are next")
        wait_for_qr(page)
        page.screenshot(path=str(SHOTS / "kiosk-ticket-en-landscape.png"))
        page.click("#t-done")
        # Left alone, the English kiosk returns to its Vietnamese start screen.
        expect(page.locator("html")).to_have_attribute("lang", "vi", timeout=8000)
        expect(page.locator("#start-title")).to_have_text("Chạm vào dịch vụ để lấy số thứ tự")
        page.close()


@pytest.fixture
def broken_printer_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The kiosk's printer is a network printer on a loopback port where nothing listens."""
    env = {
        "ONESTOP_PRINTERS__KIOSK_1__TRANSPORT": "network",
        "ONESTOP_PRINTERS__KIOSK_1__HOST": "127.0.0.1",
        "ONESTOP_PRINTERS__KIOSK_1__PORT": str(free_port()),
        "ONESTOP_PRINTERS__KIOSK_1__TIMEOUT_SECONDS": "1",
    }
    with running_server(tmp_path, env) as server:
        yield server


def test_printing_failed_keeps_the_qr_up(browser: Any, broken_printer_server: LiveServer) -> None:
    page = open_kiosk(browser, broken_printer_server)
    page.click(".service-button[data-service='C']")
    expect(page.locator("#t-number")).to_have_text("C001")
    expect(page.locator("#t-print")).to_have_text("Đang in phiếu số thứ tự…")
    # Three attempts with backoff, then the printer is given up on: the screen says so.
    expect(page.locator("#t-print")).to_contain_text("Máy in đang gặp sự cố", timeout=20000)
    expect(page.locator("#screen-ticket")).to_have_class("screen ticket-screen print-failed")
    wait_for_qr(page)
    qr = page.locator("#t-qr").bounding_box()
    assert qr is not None
    assert qr["width"] >= 300
    page.screenshot(path=str(SHOTS / "kiosk-print-failed.png"))
    # The ticket itself is valid and waiting.
    assert waiting(broken_printer_server)["C"] == 1
    page.close()


def test_double_tap_issues_one_ticket(browser: Any, live_server: LiveServer) -> None:
    page = open_kiosk(browser, live_server)
    requests_seen: list[str] = []
    page.on(
        "request",
        lambda r: (
            requests_seen.append(r.headers.get("idempotency-key", ""))
            if r.url.endswith("/api/v1/tickets") and r.method == "POST"
            else None
        ),
    )
    button = page.locator(".service-button[data-service='D']")
    button.dblclick()  # two taps 0.1 s apart: the second lands while the first is in flight
    expect(page.locator("#t-number")).to_have_text("D001")
    page.wait_for_timeout(500)
    assert waiting(live_server)["D"] == 1
    assert len(requests_seen) == 1
    assert len(requests_seen[0]) == 32
    page.close()


def test_offline_screen_recovers_by_itself(browser: Any, live_server: LiveServer) -> None:
    page = open_kiosk(browser, live_server)
    expect(page.locator("#screen-offline")).to_be_hidden()
    live_server.stop()
    expect(page.locator("#screen-offline")).to_be_visible(timeout=10000)
    expect(page.locator("#screen-offline h2")).to_have_text("Tạm thời gián đoạn")
    page.screenshot(path=str(SHOTS / "kiosk-offline.png"))
    live_server.start()
    expect(page.locator("#screen-offline")).to_be_hidden(timeout=15000)
    page.click(".service-button[data-service='A']")
    expect(page.locator("#t-number")).to_have_text("A001")
    page.close()

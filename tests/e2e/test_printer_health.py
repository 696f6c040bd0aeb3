"""A kiosk printer runs out of paper and is refilled, seen in Chromium on the kiosk (a polite
notice) and at the counter (an alert), with a reprint from the counter to the refilled printer.
The printer is a fake raw-port printer on loopback answering the real status queries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS, LiveServer, running_server
from tests.e2e.test_counter_page import log_in
from tests.e2e.test_kiosk_page import open_kiosk
from tests.printer.fakes import ONLINE, PAPER_OUT, FakeNetworkPrinter

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def paperless(tmp_path: Path) -> Iterator[tuple[LiveServer, FakeNetworkPrinter]]:
    fake = FakeNetworkPrinter(PAPER_OUT)
    env = {
        "ONESTOP_PRINTERS__KIOSK_1__TRANSPORT": "network",
        "ONESTOP_PRINTERS__KIOSK_1__HOST": "127.0.0.1",
        "ONESTOP_PRINTERS__KIOSK_1__PORT": str(fake.port),
        "ONESTOP_PRINTERS__KIOSK_1__TIMEOUT_SECONDS": "1",
        "ONESTOP_PRINTERS__KIOSK_1__QUERY_STATUS": "true",
        "ONESTOP_PRINTING__HEALTH_SECONDS": "1",
    }
    try:
        with running_server(tmp_path, env) as server:
            yield server, fake
    finally:
        fake.close()


def test_paper_out_is_told_to_kiosk_and_counter_and_clears(
    browser: Any, paperless: tuple[LiveServer, FakeNetworkPrinter]
) -> None:
    server, fake = paperless
    SHOTS.mkdir(parents=True, exist_ok=True)
    kiosk = open_kiosk(browser, server)
    notice = kiosk.locator("#printer-notice")
    expect(notice).to_contain_text("Máy in vé tạm hết giấy", timeout=8000)
    expect(notice).to_contain_text("Quý vị vẫn lấy số được")
    kiosk.screenshot(path=str(SHOTS / "kiosk-paper-out.png"))

    counter = browser.new_page(viewport={"width": 1366, "height": 768})
    log_in(counter, server)
    alert = counter.locator("#printer-alert")
    expect(alert).to_contain_text("kiosk-1: hết giấy")
    counter.screenshot(path=str(SHOTS / "counter-printer-alert.png"))

    # A citizen still gets a number; it shows on screen, the printer gets nothing.
    kiosk.click(".service-button[data-service='A']")
    expect(kiosk.locator("#t-number")).to_have_text("A001")
    expect(kiosk.locator("#t-print")).to_contain_text("chụp", timeout=20000)
    assert fake.job == b""

    # Paper refilled: both screens clear by themselves at the next health check.
    fake.replies = dict(ONLINE)
    expect(notice).to_be_hidden(timeout=8000)
    expect(alert).to_be_hidden(timeout=8000)

    # The officer calls A001 and reprints the ticket that never came out.
    counter.keyboard.press("n")
    expect(counter.locator("#current-number")).to_have_text("A001")
    counter.click("#btn-reprint")
    expect(counter.locator("#counter-notice")).to_contain_text("Đang in lại số A001")
    for _ in range(50):  # the worker sends within a few seconds
        if fake.job:
            break
        counter.wait_for_timeout(100)
    assert fake.job.startswith(b"\x1b@")
    assert len(fake.job) < 40_000
    assert server.issue("B") == "B001"  # the kiosk path still works afterwards
    jobs = requests.get(f"{server.url}/api/v1/printers", headers=server.login(), timeout=5).json()
    [row] = [p for p in jobs if p["printer"] == "kiosk-1"]
    assert row["status"] == "online"
    assert [j["number"] for j in row["failed_jobs"]] == ["A001"]


def test_back_office_printers_page(
    browser: Any, paperless: tuple[LiveServer, FakeNetworkPrinter]
) -> None:
    server, fake = paperless
    requests.post(
        f"{server.url}/api/v1/tickets", json={"service": "A"}, headers=server.kiosk(), timeout=5
    ).raise_for_status()  # fails: the printer has no paper
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    server.sign_in(page, "/admin/printers")
    expect(page.locator("h1")).to_have_text("Quản trị")
    expect(page.locator("#watch-none")).to_be_visible()  # no dossier yet: nothing due
    card = page.locator("article.printer[data-printer='kiosk-1']")
    expect(card.locator(".status")).to_have_text("Hết giấy", timeout=10_000)
    row = card.locator("tbody tr")
    expect(row).to_have_count(1, timeout=30_000)  # after its retries, by the auto-refresh
    expect(row.locator("td").first).to_have_text("A001")
    expect(row).to_contain_text("out of paper")
    page.wait_for_function(
        "() => document.querySelector('article.printer img').naturalWidth === 576"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "admin-printers.png"), full_page=True)
    fake.replies = dict(ONLINE)  # paper refilled: print it again from the back office
    row.locator("button.retry").click()
    expect(page.locator("#admin-notice")).to_contain_text("Đã đưa lệnh in")
    expect(card.locator("tbody tr")).to_have_count(0)
    for _ in range(50):
        if fake.job:
            break
        page.wait_for_timeout(100)
    assert fake.job.startswith(b"\x1b@")

"""The waiting-room board in Debian's Chromium at 1920×1080: calls, flashing, area filters,
the notice ticker, the audio hook, and recovery after a server restart (no reload)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import free_port
from tests.e2e.conftest import SHOTS, LiveServer, running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FLASH_SECONDS = 2
TV = {"width": 1920, "height": 1080}
FLASHING = re.compile(r"\bflash\b")
COUNT_CALLS = """() => {
  window.heardCalls = [];
  document.addEventListener("onestop:called", (e) => window.heardCalls.push(
    {number: e.detail.number, counter: e.detail.counter, recall: e.detail.recall}));
}"""


@pytest.fixture
def quick_flash_server(tmp_path: Path) -> Iterator[LiveServer]:
    with running_server(tmp_path, {"ONESTOP_DISPLAY__FLASH_SECONDS": str(FLASH_SECONDS)}) as server:
        yield server


def act(server: LiveServer, staff: dict[str, str], counter: int, action: str = "call-next") -> Any:
    answer = requests.post(
        f"{server.url}/api/v1/counters/{counter}/{action}", headers=staff, timeout=5
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def row(page: Any, counter: int) -> Any:
    return page.locator(f"#serving tr[data-counter='{counter}']")


def open_display(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport=TV)
    page.goto(url)
    page.wait_for_selector("#conn.conn-on")
    page.evaluate(COUNT_CALLS)
    return page


def heard(page: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate("() => window.heardCalls")
    return result


def test_board_shows_flashes_and_scrolls_notices(browser: Any, quick_flash_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    server, staff = quick_flash_server, quick_flash_server.login()
    page = open_display(browser, f"{server.url}/display")
    expect(row(page, 3).locator("td.number")).to_have_text("—")
    expect(page.locator("#clock-time")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    expect(page.locator("#clock-date")).to_have_text(re.compile(r"^Thứ .+, \d{2}/\d{2}/\d{4}$"))
    expect(page.locator("#office-name")).to_contain_text("Trung tâm Phục vụ hành chính công")

    server.issue("A", "B", "C", "D")
    started = time.perf_counter()
    assert act(server, staff, 1)["number"] == "A001"
    number = row(page, 1).locator("td.number")
    expect(number).to_have_text("A001", timeout=1000)
    assert time.perf_counter() - started < 1.5
    expect(row(page, 1).locator("td.counter")).to_have_text("1")
    expect(row(page, 1)).to_have_class(FLASHING, timeout=1000)
    expect(page.locator("#call-line")).to_have_text("Mời số A001 đến Quầy 1")
    size = number.evaluate(
        "el => ({font: parseFloat(getComputedStyle(el).fontSize),"
        " height: el.getBoundingClientRect().height})"
    )
    assert size["font"] >= 120, size
    assert size["height"] >= 120, size
    expect(row(page, 1)).not_to_have_class(FLASHING, timeout=(FLASH_SECONDS + 2) * 1000)
    expect(row(page, 1)).to_have_class(re.compile(r"\blatest\b"))

    act(server, staff, 1, "recall")
    expect(row(page, 1)).to_have_class(FLASHING, timeout=1000)
    expect(page.locator("#call-line")).to_contain_text("Gọi lại")
    assert heard(page) == [
        {"number": "A001", "counter": 1, "recall": False},
        {"number": "A001", "counter": 1, "recall": True},
    ]

    for counter, expected in ((2, "B001"), (3, "C001"), (4, "D001")):
        act(server, staff, counter)
        expect(row(page, counter).locator("td.number")).to_have_text(expected, timeout=1000)
    expect(row(page, 4)).to_have_class(FLASHING)
    page.screenshot(path=str(SHOTS / "display-flash.png"))
    expect(row(page, 1)).not_to_have_class(FLASHING)
    expect(page.locator("#recent li")).to_have_count(4)
    expect(page.locator("#recent li").first).to_contain_text("D001")
    server.issue("A", "A", "B")
    expect(page.locator("#waiting li[data-service='A'] .waiting-count")).to_have_text("2")
    expect(page.locator("#waiting li[data-service='A'] .waiting-name")).to_have_text("Chứng thực")
    assert len(heard(page)) == 5

    server.cli("notice", "add", "Hôm nay nhận hồ sơ đến 16:30.", "--en", "Open until 16:30 today.")
    expect(page.locator("#ticker-track")).to_contain_text("Hôm nay nhận hồ sơ đến 16:30.")
    expect(page.locator("#ticker-track")).to_have_class(re.compile(r"\bscrolling\b"))
    expect(page.locator("#ticker")).to_be_visible()
    track_x = "() => document.getElementById('ticker-track').getBoundingClientRect().x"
    before = page.evaluate(track_x)
    page.wait_for_timeout(3000)  # let the ticker move into view for the picture
    assert page.evaluate(track_x) < before - 100  # it scrolls
    assert page.evaluate("() => document.documentElement.scrollHeight") <= TV["height"]
    page.screenshot(path=str(SHOTS / "display-board.png"))

    english = browser.new_page(viewport=TV)
    english.goto(f"{server.url}/display?lang=en")
    english.wait_for_selector("#conn.conn-on")
    expect(english.locator("#serving-title")).to_have_text("Now serving")
    expect(english.locator("#ticker-track")).to_contain_text("Open until 16:30 today.")
    expect(english.locator("#clock-date")).to_have_text(re.compile(r"day, \d{2}/\d{2}/\d{4}$"))
    english.wait_for_timeout(1500)
    english.screenshot(path=str(SHOTS / "display-board-en.png"))
    for p in (page, english):
        p.close()


def test_area_filters_and_eight_counters(browser: Any, live_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = live_server.login()
    area = open_display(browser, f"{live_server.url}/display?counters=2")
    expect(area.locator("#area")).to_have_text("Khu vực: Quầy 2")
    expect(area.locator("#serving tr")).to_have_count(1)
    wall = open_display(browser, f"{live_server.url}/display?counters=1,2,3,4,5,6,7,8")

    live_server.issue("A", "B", "C", "D")
    act(live_server, staff, 1)
    expect(wall.locator("#serving tr[data-counter='1'] td.number")).to_have_text("A001")
    area.wait_for_timeout(500)
    expect(row(area, 2).locator("td.number")).to_have_text("—")
    expect(area.locator("#recent li")).to_have_count(0)
    assert heard(area) == []

    act(live_server, staff, 2)
    expect(row(area, 2).locator("td.number")).to_have_text("B001", timeout=1000)
    expect(row(area, 2)).to_have_class(FLASHING)
    assert heard(area) == [{"number": "B001", "counter": 2, "recall": False}]
    area.screenshot(path=str(SHOTS / "display-area.png"))

    act(live_server, staff, 3)
    act(live_server, staff, 4)
    expect(row(wall, 4).locator("td.number")).to_have_text("D001")
    expect(wall.locator("#serving tr")).to_have_count(8)
    boxes = wall.evaluate(
        """() => [...document.querySelectorAll('#serving tr')].map((tr) => {
             const box = tr.getBoundingClientRect(), number = tr.querySelector('td.number');
             return {bottom: box.bottom, right: box.right,
                     font: parseFloat(getComputedStyle(number).fontSize),
                     clipped: number.scrollWidth > number.clientWidth};
           })"""
    )
    for box in boxes:
        assert box["bottom"] <= TV["height"], box
        assert box["right"] <= TV["width"], box
        assert box["font"] >= 120, box
        assert not box["clipped"], box
    wall.screenshot(path=str(SHOTS / "display-8-counters.png"))

    services = open_display(browser, f"{live_server.url}/display?services=C&lang=en")
    expect(services.locator("#area")).to_have_text("Area: Social protection")
    expect(row(services, 3).locator("td.number")).to_have_text("C001")
    # Counters 3 and 4 serve C in the demo: both belong to this area, 4 has no call yet.
    expect(services.locator("#serving tr")).to_have_count(2)
    expect(row(services, 4).locator("td.number")).to_have_text("—")
    expect(services.locator("#waiting li")).to_have_count(1)
    for page in (area, wall, services):
        page.close()


def test_display_recovers_after_a_server_restart(browser: Any, live_server: Any) -> None:
    page = open_display(browser, f"{live_server.url}/display")
    page.evaluate("() => { window.sameDocument = true; }")
    live_server.issue("A", "B")
    act(live_server, live_server.login(), 1)
    expect(row(page, 1).locator("td.number")).to_have_text("A001", timeout=1000)

    live_server.stop()
    expect(page.locator("#conn.conn-off")).to_be_visible(timeout=5000)
    expect(page.locator("#conn")).to_have_text("Mất kết nối, đang kết nối lại…")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "display-offline.png"))
    live_server.start()  # same port, same database
    act(live_server, live_server.login(), 2)
    expect(row(page, 2).locator("td.number")).to_have_text("B001", timeout=5000)
    expect(page.locator("#conn.conn-on")).to_be_attached()
    expect(row(page, 1).locator("td.number")).to_have_text("A001")
    assert page.evaluate("() => window.sameDocument === true")  # never reloaded


def test_a_display_behind_a_proxy_without_websockets_falls_back_to_polling(
    browser: Any, live_server: Any
) -> None:
    """A proxy that refuses WebSocket upgrades (an office's old firewall) must not leave the
    waiting room dark: the page falls back to long-polling and still shows each call."""
    staff = live_server.login()
    page = browser.new_page(viewport=TV)
    # Every WebSocket the page opens goes to a closed loopback port: refused, as the proxy
    # would refuse the upgrade (an error before it opens, not a close after).
    page.add_init_script(REFUSED_WEBSOCKETS.replace("PORT", str(free_port())))
    page.goto(f"{live_server.url}/display")
    page.wait_for_selector("#conn.conn-on", timeout=10_000)
    assert page.evaluate("() => window.refusedWebSockets") >= 1  # it did try them first
    live_server.issue("A")
    assert act(live_server, staff, 1)["number"] == "A001"
    expect(row(page, 1).locator("td.number")).to_have_text("A001", timeout=5000)


REFUSED_WEBSOCKETS = """(() => {
  const Real = window.WebSocket;
  window.refusedWebSockets = 0;
  function Refused(url, protocols) {
    window.refusedWebSockets += 1;
    return new Real("ws://127.0.0.1:PORT/", protocols);  // nothing listens there
  }
  Refused.prototype = Real.prototype;
  Object.assign(Refused, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Refused;
})()"""


#: Keeps the page's Socket.IO client reachable, so that a test can hand the display's own
#: handlers events as a server would send them (out of order, or with a seq never sent).
CATCH_SOCKET = """(() => {
  let real;
  Object.defineProperty(window, "io", {
    configurable: true,
    get: () => real && ((...args) => (window.testSocket = real(...args))),
    set: (value) => { real = value; },
  });
})()"""


def push(page: Any, name: str, payload: dict[str, Any]) -> None:
    page.evaluate(
        "([name, payload]) => window.testSocket.listeners(name).forEach((f) => f(payload))",
        [name, payload],
    )


def test_pushes_out_of_order_neither_roll_the_counts_back_nor_refetch(
    browser: Any, live_server: Any
) -> None:
    """Two requests that commit together, or two server processes, may deliver seq 7 before 6:
    the display waits a moment for 6 instead of fetching the state, and 6's older counts never
    replace 7's. A seq that never comes still brings a fresh state, a second later."""
    live_server.issue("A", "A")
    page = browser.new_page(viewport=TV)
    page.add_init_script(CATCH_SOCKET)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/display/state" in r.url else None)
    page.goto(f"{live_server.url}/display")
    page.wait_for_selector("#conn.conn-on")
    count = page.locator("#waiting li[data-service='A'] .waiting-count")
    expect(count).to_have_text("2")
    seq = requests.get(f"{live_server.url}/api/v1/display/state", timeout=5).json()["seq"]
    before = len(fetched)

    push(page, "queue_changed", {"seq": seq + 2, "waiting": {"A": 7}})
    push(page, "queue_changed", {"seq": seq + 1, "waiting": {"A": 5}})  # late, and older
    expect(count).to_have_text("7")
    time.sleep(1.5)  # past the display's wait for a missing seq
    expect(count).to_have_text("7")
    assert len(fetched) == before, "a gap that was filled must not fetch the state"

    push(page, "queue_changed", {"seq": seq + 4, "waiting": {"A": 9}})  # seq + 3 never comes
    expect(count).to_have_text("9")
    expect(count).to_have_text("2", timeout=5000)  # the true state, fetched after the wait
    assert len(fetched) == before + 1

"""The office head at the month's end, in Chromium: the dashboard of the month just ended read
against the plan's targets (the same figures the API gives), Biểu 06 downloaded as XLSX and
opened again, the page printed on A4 landscape; then in English. And the public page a
citizen or the idle kiosk shows: the figures, today's board by procedure name, the catalogue,
and no applicant's name anywhere. The office has four months of made-up history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import SHOTS, LiveServer, running_server
from tests.e2e.test_kiosk_page import open_kiosk

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    idle = {"ONESTOP_KIOSK__PUBLIC_AFTER_SECONDS": "3"}  # (an office's would be minutes)
    with running_server(tmp_path_factory.mktemp("reports"), idle) as server:
        made = server.cli("history", "--days", "100", "--per-day", "40")
        assert made["dossier"] > 500
        yield server


def last_month() -> date:
    """A day of the month before this one, in the office's days."""
    return datetime.now(ZONE).date().replace(day=1) - timedelta(days=1)


def api(server: LiveServer, path: str) -> Any:
    answer = requests.get(f"{server.url}{path}", headers=server.login(), timeout=60)
    answer.raise_for_status()
    return answer.json() if "json" in answer.headers["Content-Type"] else answer.content


def test_office_head_reads_last_month_and_files_bieu06(
    browser: Any, office: LiveServer, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    office.sign_in(page, "/admin/reports")
    expect(page.locator("#result")).to_be_visible(timeout=20000)  # this month, by default

    day = last_month()
    page.fill("#at", day.isoformat())
    page.click("#show")
    expect(page.locator("#period-label")).to_contain_text(f"{day:%Y-%m}")
    figures = api(office, f"/api/v1/reports/dashboard?period=month&at={day}")
    for key in ("on_time", "on_the_spot", "time_reduction", "online", "satisfaction"):
        value = figures[key]["percent"]
        assert value is not None, key  # a month of history has every figure
        # As the page's script writes the JSON number: 33.0 is "33" there (seen on a month
        # whose time reduction came out whole).
        expect(page.locator(f"#g-{key} text.number")).to_have_text(f"{value:g}%")
    expect(page.locator("#f-to-handle")).to_have_text(str(figures["dossiers"]["to_handle"]))
    expect(page.locator("#f-tickets")).to_have_text(str(figures["queue"]["tickets"]["issued"]))
    assert figures["queue"]["tickets"]["issued"] > 300
    # The trend has a line per series, the heat map a cell per weekday and hour.
    expect(page.locator("#trend svg path.line")).to_have_count(3)
    assert page.locator("#heat td").count() >= 5 * 9
    expect(page.locator("#indicators tr")).to_have_count(len(figures["indicators_766"]))
    first = figures["indicators_766"][0]  # named in the page's language
    expect(page.locator("#indicators tr").first).to_contain_text(first["name"])
    page.screenshot(path=str(SHOTS / "admin-reports-month.png"), full_page=True)

    with page.expect_download() as downloading:
        page.click("button.download[data-kind='bieu06'][data-format='xlsx']")
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(saved).active
    assert sheet is not None
    assert sheet["C6"].value == "Số hồ sơ nhận giải quyết"
    rows = {sheet.cell(r, 2).value: r for r in range(10, sheet.max_row + 1)}
    bieu = api(office, f"/api/v1/reports/bieu06?period=month&at={day}")
    total = rows["Tổng cộng"]
    assert sheet.cell(total, 3).value == bieu["total"]["received_total"] > 0
    assert sheet.cell(total, 7).value == bieu["total"]["resolved_total"]

    # Printed: the downloads and the menu stay off the paper, the charts on it.
    page.emulate_media(media="print")
    expect(page.locator("section[aria-labelledby='dl-title']")).to_be_hidden()
    expect(page.locator("#g-on_time svg")).to_be_visible()
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pdf.startswith(b"%PDF")
    assert 1 <= pages <= 3, pages
    page.screenshot(path=str(SHOTS / "admin-reports-print.png"), full_page=True)
    page.emulate_media(media="screen")

    english = browser.new_page(viewport={"width": 1366, "height": 768})
    office.sign_in(english, "/admin/reports?lang=en")
    expect(english.locator("#plan-title")).to_have_text("The plan's targets", timeout=20000)
    expect(english.locator("#g-on_time figcaption")).to_have_text("Returned on time")
    expect(english.locator("#result")).to_be_visible()
    expect(english.locator("#indicators tr").first).to_contain_text(first["name_en"])
    english.screenshot(path=str(SHOTS / "admin-reports-en.png"), full_page=True)


def test_public_page_posts_the_figures_and_no_names(browser: Any, office: LiveServer) -> None:
    engine = create_engine(office.env["ONESTOP_DATABASE__URL"])
    with engine.connect() as conn:
        names = {
            row[0]
            for row in conn.execute(text("SELECT json_extract(applicant, '$.name') FROM dossier"))
        }
    engine.dispose()
    assert len(names) > 50
    kpi = api(office, "/api/v1/reports/kpi?period=year")
    month = api(office, "/api/v1/reports/kpi?period=month")

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{office.url}/public")
    expect(page.locator("#p-year-on-time")).to_have_text(f"{kpi['on_time']['percent']} %")
    expect(page.locator("#p-year-received")).to_have_text(str(kpi["dossiers"]["received"]))
    expect(page.locator("#p-year-satisfied")).to_have_text(f"{kpi['satisfaction']['percent']} %")
    expect(page.locator("#p-month-received")).to_have_text(str(month["dossiers"]["received"]))
    # Today's board names the procedures (a dossier in progress), the catalogue lists them.
    board = requests.get(f"{office.url}/api/v1/board", timeout=10).json()
    first = board["in_progress"][0]
    cell = page.locator("table.in-progress tbody tr").first.locator("td").nth(1)
    expect(cell).to_have_text(first["procedure_name"])
    assert page.locator("table.catalog tr").count() > 20
    content = page.content()
    assert not [name for name in names if name in content]  # nobody's name is posted
    page.screenshot(path=str(SHOTS / "public-vi.png"), full_page=True)

    english = browser.new_page(viewport={"width": 1366, "height": 768})
    english.goto(f"{office.url}/public?lang=en")
    expect(english.locator("#results-title")).to_have_text("Results")
    expect(english.locator("#catalog-title")).to_have_text("Procedures received here")
    english.screenshot(path=str(SHOTS / "public-en.png"), full_page=True)


def test_an_idle_kiosk_shows_the_public_figures_until_touched(
    browser: Any, office: LiveServer
) -> None:
    kiosk = open_kiosk(browser, office)
    kiosk.wait_for_url("**/public?kiosk=1*", timeout=20000)
    kpi = api(office, "/api/v1/reports/kpi?period=year")
    expect(kiosk.locator("#p-year-on-time")).to_have_text(f"{kpi['on_time']['percent']} %")
    expect(kiosk.locator("#kiosk-return")).to_have_text("Chạm vào màn hình để lấy số thứ tự")
    kiosk.screenshot(path=str(SHOTS / "kiosk-idle-public.png"))
    kiosk.locator("#results-title").tap()  # a touch anywhere
    kiosk.wait_for_selector(".service-button[data-service='A']")
    assert "/kiosk" in kiosk.url
    kiosk.click(".service-button[data-service='A']")  # still the registered kiosk: a number
    expect(kiosk.locator("#t-number")).to_have_text(re.compile(r"^A\d{3}$"))

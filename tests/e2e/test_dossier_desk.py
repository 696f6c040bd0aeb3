"""The dossier desk on the counter screen in Chromium: serve a number, receive a dossier with
the procedure search and the papers checklist, resolve and return it in one sitting, and see it
on the citizen's public page; the due-soon list and a guidance-only visit."""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS
from tests.e2e.test_counter_page import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def serving_desk(browser: Any, live_server: Any) -> Any:
    """The counter screen with a number B001 called: what a dossier is received from."""
    live_server.issue("B")
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    log_in(page, live_server)
    page.click("#btn-call-next")
    expect(page.locator("#current-number")).to_have_text("B001")  # the desk needs the ticket
    return page


def receive_one(page: Any, applicant: str, procedure: str = "1.001193") -> None:
    """A dossier received at the desk (khai sinh by default), shown as received: the new one
    (the dossier shown before may be "received" too, and its buttons must not be clicked)."""
    shown = page.locator("#d-code").inner_text() if page.locator("#dossier").is_visible() else ""
    page.click("#btn-receive-open")
    page.select_option("#procedure", procedure)
    page.fill("#a-name", applicant)
    page.click("#btn-receive")
    expect(page.locator("#d-state")).to_have_text("Đã tiếp nhận")
    if shown:
        expect(page.locator("#d-code")).not_to_have_text(shown)


def test_receive_resolve_and_return_at_the_counter(browser: Any, live_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    live_server.issue("B")
    live_server.issue("B")
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    log_in(page, live_server)
    # A click waits for the button to be enabled again: a refresh in flight (the screen
    # re-syncs on every queue change) briefly disables the actions, and ignores the N key.
    page.click("#btn-call-next")
    expect(page.locator("#current-number")).to_have_text("B001")
    expect(page.locator("#visit-dossiers")).to_contain_text("Số này chưa có hồ sơ")

    page.click("#btn-receive-open")
    page.fill("#procedure-search", "khai sinh")  # without accents it still finds "Khai sinh"
    expect(page.locator("#procedure option").first).to_contain_text("Đăng ký khai sinh")
    page.select_option("#procedure", "1.001193")
    expect(page.locator("#procedure-rule")).to_contain_text("ngày")
    page.fill("#a-name", "Lê Thị Hoa")
    page.fill("#a-phone", "0987654321")
    papers = page.locator("#documents input[type=checkbox]")
    listed = papers.count()
    assert listed >= 2
    assert papers.evaluate_all("boxes => boxes.filter((b) => b.checked).length") == 0
    for n in range(1, listed):  # each paper ticked as it is checked in hand; the first missing
        papers.nth(n).check()
    page.screenshot(path=str(SHOTS / "desk-receive.png"), full_page=True)
    page.click("#btn-receive")
    expect(page.locator("#counter-notice")).to_contain_text("Đã tiếp nhận hồ sơ")
    code = page.locator("#d-code").inner_text()
    assert code.startswith("UBND-XA-DEMO-")
    expect(page.locator("#d-state")).to_have_text("Đã tiếp nhận")
    expect(page.locator("#visit-dossiers")).to_contain_text(code)

    # Resolving cannot be undone: the desk asks first, and a "no" leaves the dossier as it was.
    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("#d-actions button[data-action='resolve']")
    expect(page.locator("#d-state")).to_have_text("Đã tiếp nhận")
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("#d-actions button[data-action='resolve']")
    expect(page.locator("#d-state")).to_have_text("Đã giải quyết xong")
    assert len(asked) == 2
    assert code in asked[0]
    assert "không thể hoàn tác" in asked[0]
    page.click("#d-actions button[data-action='return']")
    page.click("#d-submit")
    expect(page.locator("#d-state")).to_have_text("Đã trả kết quả")
    expect(page.locator("#d-actions button")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "desk-returned.png"), full_page=True)

    staff = live_server.login()
    view = requests.get(f"{live_server.url}/api/v1/dossiers/{code}", headers=staff, timeout=5)
    body = view.json()
    assert [s["action"] for s in body["control"]] == ["receive", "resolve", "return"]
    assert body["applicant"]["name"] == "Lê Thị Hoa"
    assert len(body["documents"]) == listed - 1
    public = browser.new_page(viewport={"width": 390, "height": 844})
    public.goto(f"{live_server.url}/d/{body['token']}")
    expect(public.locator("#d-state")).to_have_text("Đã trả kết quả")
    assert "Lê Thị Hoa" not in public.content()

    # A dossier due soon shows on the watch list; the next number is guidance only.
    other = requests.post(
        f"{live_server.url}/api/v1/dossiers",
        json={"procedure": "2.001035", "applicant": {"name": "Phạm Văn C"}},
        headers=staff,
        timeout=5,
    ).json()
    page.locator("body").focus()
    page.keyboard.press("f")
    expect(page.locator("#btn-call-next")).to_be_enabled()
    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text("B002")
    expect(page.locator("#watch")).to_contain_text(other["code"])  # refreshed for B002
    # Just received: listed as due soon, never in red as needing an apology.
    row = page.locator("#watch li", has_text=other["code"])
    expect(row).to_contain_text("sắp đến hạn")
    expect(row).not_to_have_class(re.compile(r"\balert\b"))
    page.click("#btn-guidance")
    expect(page.locator("#current-number")).to_have_text("—")

    # The back office flags it too.
    office = browser.new_page(viewport={"width": 1366, "height": 900})
    live_server.sign_in(office, "/admin/")
    expect(office.locator("#watch")).to_contain_text(other["code"])
    office.screenshot(path=str(SHOTS / "admin-watch.png"))


def test_the_officer_gives_the_appointment_where_the_law_states_none(
    browser: Any, live_server: Any
) -> None:
    """A procedure without a stated time asks the officer for the appointment (nothing is
    received without it) and the dossier keeps the date given."""
    page = serving_desk(browser, live_server)
    page.click("#btn-receive-open")
    page.fill("#procedure-search", "than nhan cua nguoi co cong")  # typed without accents
    page.select_option("#procedure", "1.010833")
    expect(page.locator("#due-row")).to_be_visible()
    page.fill("#a-name", "Nguyễn Văn Công")
    page.click("#btn-receive")  # the browser holds the form: the appointment is required
    expect(page.locator("#d-code")).to_be_hidden()
    assert page.locator("#due-at").evaluate("input => !input.validity.valid")
    page.fill("#due-at", "2031-03-04T16:30")  # a Tuesday afternoon
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#receive").screenshot(path=str(SHOTS / "desk-no-stated-time.png"))
    page.click("#btn-receive")
    expect(page.locator("#counter-notice")).to_contain_text("Đã tiếp nhận hồ sơ")
    expect(page.locator("#d-due")).to_contain_text("16:30")
    expect(page.locator("#d-due")).to_contain_text("04/03/2031")
    code = page.locator("#d-code").inner_text()
    staff = live_server.login()
    body = requests.get(f"{live_server.url}/api/v1/dossiers/{code}", headers=staff, timeout=5)
    assert body.json()["due_at"] == "2031-03-04T16:30:00+07:00"
    # A procedure with its own legal time does not ask.
    page.click("#btn-receive-open")
    page.select_option("#procedure", "1.001193")
    expect(page.locator("#due-row")).to_be_hidden()


def test_a_supplement_request_asks_what_is_missing_and_why(browser: Any, live_server: Any) -> None:
    """The papers to add and the reason are two fields, as the slip has them: the request
    does not go without its reason, and both are kept."""
    page = serving_desk(browser, live_server)
    receive_one(page, "Lê Văn Tâm")
    page.click("#d-actions button[data-action='request_supplement']")
    expect(page.locator("#d-reason-row")).to_be_visible()
    expect(page.locator("#d-date-row")).to_be_hidden()
    page.fill("#d-note", "Bản sao Giấy chứng sinh\nCCCD của cha")
    page.click("#d-submit")  # no reason yet: the browser holds the form
    expect(page.locator("#d-state")).to_have_text("Đã tiếp nhận")
    page.fill("#d-reason", "Bản sao nộp kèm chưa được chứng thực")
    page.click("#d-submit")
    expect(page.locator("#d-state")).to_have_text("Chờ bổ sung")
    code = page.locator("#d-code").inner_text()
    staff = live_server.login()
    body = requests.get(f"{live_server.url}/api/v1/dossiers/{code}", headers=staff, timeout=5)
    [asked] = [s for s in body.json()["control"] if s["action"] == "request_supplement"]
    assert asked["note"] == "Bản sao Giấy chứng sinh\nCCCD của cha"
    assert asked["data"]["reason"] == "Bản sao nộp kèm chưa được chứng thực"


def test_a_refusal_shows_beside_the_action_in_vietnamese(browser: Any, live_server: Any) -> None:
    """The server refuses a new date before the appointment: the officer reads why next to the
    form they used, in Vietnamese, not in English at the top of the screen."""
    page = serving_desk(browser, live_server)
    receive_one(page, "Đỗ Thị Mai")
    page.click("#d-actions button[data-action='extend']")
    page.fill("#d-note", "Cần xác minh")
    page.fill("#d-date", "2026-01-05T09:00")  # long before its appointment
    page.click("#d-submit")
    error = page.locator("#dossier #desk-error")  # in the dossier, under its form
    expect(error).to_have_text(re.compile("Thông tin nhập chưa hợp lệ"))
    expect(page.locator("#counter-error")).to_be_hidden()
    assert "must" not in error.inner_text()


def test_slips_print_on_the_counters_printer_and_the_desk_says_so(
    browser: Any, live_server: Any
) -> None:
    """The desk's printer is chosen once and kept (it was a select inside the receive form,
    reset after each receipt, so the supplement slip printed nowhere without a word)."""
    page = serving_desk(browser, live_server)
    page.select_option("#desk-printer", "desk-1")
    receive_one(page, "Vũ Văn Hải")
    expect(page.locator("#counter-notice")).to_contain_text("Phiếu được gửi tới máy in desk-1")
    page.reload()
    page.wait_for_selector("#conn.conn-on")
    expect(page.locator("#desk-printer")).to_have_value("desk-1")  # kept for this counter
    page.click("#visit-dossiers li button")  # the visit's dossier, opened again
    page.click("#d-actions button[data-action='request_supplement']")
    page.fill("#d-note", "CCCD của mẹ")
    page.fill("#d-reason", "Thiếu giấy tờ tùy thân của người đi khai")
    page.click("#d-submit")
    expect(page.locator("#counter-notice")).to_contain_text("Phiếu được gửi tới máy in desk-1")
    page.click("#d-actions button[data-action='supplement_received']")
    page.select_option("#desk-printer", "")
    page.click("#d-actions button[data-action='request_supplement']")
    page.fill("#d-note", "Bản sao")
    page.fill("#d-reason", "Chưa chứng thực")
    page.click("#d-submit")
    expect(page.locator("#counter-notice")).to_contain_text("Không in phiếu")
    # The demo's desk printer keeps each slip as a PDF: the receipt and the first request.
    prints = live_server.folder / "var" / "prints"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(list(prints.glob("*.pdf"))) < 2:
        time.sleep(0.1)
    made = sorted(p.name.split("-")[3] for p in prints.glob("*.pdf"))
    assert made == ["receipt", "supplement_request"], made


def test_a_result_is_found_and_returned_when_the_citizen_comes_back_next_week(
    browser: Any, live_server: Any
) -> None:
    """Once the officer moved on, a dossier was on no staff screen: a citizen back for the
    result another day could not be given it. Received and resolved last week (the database's
    clock moved back), it waits in "Kết quả chờ trả" and is found by name without accents,
    and by the receipt's QR link as a scanner types it."""
    page = serving_desk(browser, live_server)
    receive_one(page, "Đặng Thị Thu")
    code = page.locator("#d-code").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#d-actions button[data-action='resolve']")
    expect(page.locator("#d-state")).to_have_text("Đã giải quyết xong")
    page.close()
    with sqlite3.connect(live_server.folder / "live.db") as db:  # a week goes by
        db.execute(
            "UPDATE dossier SET received_at = datetime(received_at, '-7 days'), "
            "resolved_at = datetime(resolved_at, '-7 days') WHERE code = ?",
            (code,),
        )
        db.execute(
            "UPDATE dossier_event SET at = datetime(at, '-7 days') "
            "WHERE dossier_id = (SELECT id FROM dossier WHERE code = ?)",
            (code,),
        )

    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    log_in(page, live_server)  # a new day's session, nobody called yet
    waiting = page.locator("#awaiting li", has_text=code)
    expect(waiting).to_contain_text("Đặng Thị Thu")
    page.fill("#find-q", "dang thi thu")
    page.click("#btn-find")
    expect(page.locator("#d-code")).to_have_text(code)  # one match: opened at once
    expect(page.locator("#d-state")).to_have_text("Đã giải quyết xong")
    page.screenshot(path=str(SHOTS / "desk-found.png"), full_page=True)
    page.click("#d-actions button[data-action='return']")
    page.click("#d-submit")
    expect(page.locator("#d-state")).to_have_text("Đã trả kết quả")
    expect(page.locator("#awaiting")).not_to_contain_text(code)

    staff = live_server.login()
    body = requests.get(f"{live_server.url}/api/v1/dossiers/{code}", headers=staff, timeout=5)
    steps = body.json()["control"]
    assert [s["action"] for s in steps] == ["receive", "resolve", "return"]
    assert steps[0]["at"][:10] != steps[-1]["at"][:10]  # received one day, returned another
    # A scanner reads the receipt's QR into the box: the link with its key finds the dossier.
    page.fill("#find-q", body.json()["status_url"] + "?k=scanned")
    page.click("#d-cancel") if page.locator("#d-form").is_visible() else None
    page.click("#btn-find")
    expect(page.locator("#d-code")).to_have_text(code)
    page.fill("#find-q", "nobody-like-this")
    page.click("#btn-find")
    expect(page.locator("#find-results")).to_contain_text("Không tìm thấy hồ sơ")


def test_guidance_and_refusal_at_reception_print_at_the_counter_and_receive_nothing(
    browser: Any, live_server: Any, tmp_path: Any
) -> None:
    """The papers are incomplete: the officer leaves the missing ones unticked and gives the
    request to complete them, without receiving; a refusal at reception likewise. Each paper
    prints on the counter's printer, as does a reprinted queue ticket and the control slip."""
    from tests.printer.test_slips import pdf_text

    page = serving_desk(browser, live_server)
    page.select_option("#desk-printer", "desk-1")
    page.click("#btn-receive-open")
    page.select_option("#procedure", "1.001193")  # khai sinh: its papers listed, unticked
    papers = page.locator("#documents input[type=checkbox]")
    first = papers.nth(0).get_attribute("value")
    papers.nth(1).check()  # in hand; the others are missing
    page.fill("#a-name", "Hoàng Văn Nam")
    page.fill("#r-missing", "Giấy xác nhận cư trú")
    page.click("#btn-guide")
    expect(page.locator("#desk-error")).to_contain_text("lý do")  # the reason first
    page.fill("#r-reason", "Thiếu giấy chứng sinh bản chính")
    page.click("#btn-guide")
    expect(page.locator("#counter-notice")).to_contain_text("hồ sơ chưa được tiếp nhận")
    expect(page.locator("#counter-notice")).to_contain_text("desk-1")
    expect(page.locator("#receive")).to_be_hidden()
    page.click("#btn-receive-open")
    page.select_option("#procedure", "2.000806")
    page.fill("#a-name", "Hoàng Văn Nam")
    page.fill("#r-reason", "Không thuộc thẩm quyền của xã")
    page.click("#btn-refuse-reception")
    expect(page.locator("#counter-notice")).to_contain_text("Đã ghi nhận từ chối tiếp nhận")
    page.click("#btn-reprint")
    # On the counter's printer, not the kiosk's (the notice before named desk-1 too).
    expect(page.locator("#counter-notice")).to_have_text("Đang in lại số B001 trên máy desk-1.")
    receive_one(page, "Hoàng Văn Nam")
    page.click("#d-control")
    expect(page.locator("#counter-notice")).to_have_text("Phiếu được gửi tới máy in desk-1.")
    page.screenshot(path=str(SHOTS / "desk-not-received.png"), full_page=True)

    staff = live_server.login()
    visit = requests.get(f"{live_server.url}/api/v1/dossiers/register", headers=staff, timeout=5)
    assert len(visit.json()) == 1  # only the dossier received: guidance and refusal are not
    prints = live_server.folder / "var" / "prints"
    # The kiosk printed B001 as ESC/POS (.bin); the reprint came out of desk-1, a page printer.
    kinds = ["supplement_request-*", "refusal-*", "B001-*.pdf", "control-*"]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not all(list(prints.glob(f"*-{k}")) for k in kinds):
        time.sleep(0.2)
    [guided] = prints.glob("*-supplement_request-*.pdf")
    text = " ".join(pdf_text(guided.read_bytes(), tmp_path).split())
    assert first in text
    assert "Giấy xác nhận cư trú" in text
    assert "Thiếu giấy chứng sinh bản chính" in text
    [refusal] = prints.glob("*-refusal-*.pdf")
    assert "Không thuộc thẩm quyền của xã" in " ".join(
        pdf_text(refusal.read_bytes(), tmp_path).split()
    )
    assert len(list(prints.glob("*-B001-*.pdf"))) == 1
    [control] = prints.glob("*-control-*.pdf")
    assert "PHIẾU KIỂM SOÁT" in pdf_text(control.read_bytes(), tmp_path)


def test_an_organisation_by_an_authorised_filer_by_post_then_a_lawful_extension(
    browser: Any, live_server: Any, tmp_path: Any
) -> None:
    """The receive form asks what applies (a tax code, the filer's papers, the postal address);
    the receipt carries it; a lawful extension is offered with the law's
    bound on the picker, and prints a new receipt with the new date."""
    from tests.printer.test_slips import pdf_text

    page = serving_desk(browser, live_server)
    page.select_option("#desk-printer", "desk-1")
    page.click("#btn-receive-open")
    page.select_option("#procedure", "1.004859")  # cải chính: 3 working days, +3 by law
    expect(page.locator("#a-tax-row")).to_be_hidden()
    page.select_option("#a-kind", "organisation")
    page.fill("#a-name", "Hợp tác xã Đồng Tâm")
    page.fill("#a-tax", "2300123456")
    page.check("#a-authorised")
    page.fill("#f-name", "Trịnh Văn Long")
    page.fill("#f-id", "024088000123")
    page.fill("#f-document", "Giấy ủy quyền số 05/UQ")
    expect(page.locator("#postal-row")).to_be_hidden()
    page.select_option("#delivery", "post")
    page.fill("#postal-address", "Thôn Đông Tâm, xã Demo")
    page.screenshot(path=str(SHOTS / "desk-organisation.png"), full_page=True)
    page.click("#btn-receive")
    expect(page.locator("#d-state")).to_have_text("Đã tiếp nhận")
    expect(page.locator("#filer")).to_be_hidden()  # the form is back to its plain state

    page.click("#d-actions button[data-action='extend_by_law']")
    limit = page.locator("#d-date").get_attribute("max")
    assert limit
    expect(page.locator("#d-date-limit")).to_contain_text("Pháp luật cho phép chậm nhất đến")
    page.fill("#d-note", "Cần xác minh tại nơi đăng ký trước đây")
    page.fill("#d-date", limit)
    page.click("#d-submit")
    expect(page.locator("#counter-notice")).to_have_text(
        "Phiếu được gửi tới máy in desk-1."
    )  # the step's own notice
    expect(page.locator("#d-actions button[data-action='extend_by_law']")).to_have_count(0)
    expect(page.locator("#d-due")).to_contain_text(f"{limit[11:16]} {limit[8:10]}/{limit[5:7]}")

    prints = live_server.folder / "var" / "prints"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(list(prints.glob("*-receipt-*.pdf"))) < 2:
        time.sleep(0.2)
    first, again = sorted(prints.glob("*-receipt-*.pdf"), key=lambda p: int(p.stem.split("-")[-1]))
    text = " ".join(pdf_text(first.read_bytes(), tmp_path).split())
    for words in (
        "Mã số doanh nghiệp/mã số thuế: 2300123456",
        "Người được ủy quyền nộp hồ sơ: Trịnh Văn Long",
        "Giấy ủy quyền: Giấy ủy quyền số 05/UQ",
        "Địa chỉ nhận kết quả qua bưu chính: Thôn Đông Tâm, xã Demo",
    ):
        assert words in text, words
    renewed = " ".join(pdf_text(again.read_bytes(), tmp_path).split())
    assert "Gia hạn theo quy định: Cần xác minh tại nơi đăng ký trước đây" in renewed
    assert f"ngày {limit[8:10]}/{limit[5:7]}/{limit[:4]}" in renewed


def test_the_desk_offers_four_on_the_spot_before_15_and_the_post_after(
    browser: Any, live_server: Any
) -> None:
    """The 2022 plan, on the receive form, by the office's time (the page's clock set): a 2–5
    working-day procedure may be taken "4 tại chỗ" by 15:00; a same-day one after 15:00 is
    offered the return by public post, which one click chooses."""
    page = serving_desk(browser, live_server)

    def at(clock: str) -> None:  # the office's wall clock (UTC+7) on a working day
        page.clock.set_fixed_time(datetime.fromisoformat(f"2026-11-30T{clock}:00+07:00"))
        page.click("#btn-receive-cancel") if page.locator("#receive").is_visible() else None
        page.click("#btn-receive-open")

    at("14:30")
    page.select_option("#procedure", "2.001035")  # 2 working days
    expect(page.locator("#on-spot-row")).to_be_visible()
    expect(page.locator("#post-hint")).to_be_hidden()
    page.select_option("#procedure", "1.001776")  # 10 working days
    expect(page.locator("#on-spot-row")).to_be_hidden()
    page.select_option("#procedure", "1.001193")  # same day, before the cut-off
    expect(page.locator("#post-hint")).to_be_hidden()
    at("15:30")
    page.select_option("#procedure", "2.001035")
    expect(page.locator("#on-spot-row")).to_be_hidden()
    page.select_option("#procedure", "1.001193")
    expect(page.locator("#post-hint")).to_be_visible()
    page.screenshot(path=str(SHOTS / "desk-post-hint.png"), full_page=True)
    page.click("#btn-post")
    expect(page.locator("#delivery")).to_have_value("post")
    expect(page.locator("#postal-row")).to_be_visible()


def test_a_refusal_a_stop_and_an_apology_print_their_forms_from_their_actions(
    browser: Any, live_server: Any, tmp_path: Any
) -> None:
    from tests.printer.test_slips import pdf_text

    page = serving_desk(browser, live_server)
    # The apology's new date is given on a working day before the appointment (the server's
    # real clock): a 5-working-day dossier received today allows it on any working day.
    from onestop import workcalendar
    from onestop.config import load_config

    today = datetime.now(VN).date()
    if workcalendar.OfficeCalendar.from_config(load_config({})).is_working_day(today):
        page.select_option("#desk-printer", "desk-1")
        receive_one(page, "Lý Thị Mơ", "1.004884")  # đăng ký lại khai sinh: 5 working days
        page.click("#d-actions button[data-action='extend']")
        due = page.locator("#d-due").inner_text()  # "HH:MM dd/mm/yyyy"
        later = datetime.strptime(due, "%H:%M %d/%m/%Y").replace(hour=16, minute=0)  # noqa: DTZ007
        later += timedelta(days=7)
        while later.weekday() >= 5:
            later += timedelta(days=1)
        page.fill("#d-note", "Cần xác minh thêm")
        page.fill("#d-date", later.strftime("%Y-%m-%dT%H:%M"))
        page.click("#d-submit")
        expect(page.locator("#d-due")).to_have_text(later.strftime("%H:%M %d/%m/%Y"))
    page.select_option("#desk-printer", "desk-1")
    page.on("dialog", lambda dialog: dialog.accept())  # both cannot be undone: confirmed
    for action, reason in (("refuse", "Hồ sơ không thuộc thẩm quyền"), ("stop", "Quá hạn bổ sung")):
        receive_one(page, "Lý Thị Mơ", "1.004873")
        page.click(f"#d-actions button[data-action='{action}']")
        page.fill("#d-note", reason)
        page.click("#d-submit")
        expect(page.locator("#d-actions button")).to_have_count(0)
        expect(page.locator("#counter-notice")).to_have_text("Phiếu được gửi tới máy in desk-1.")
    prints = live_server.folder / "var" / "prints"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not (
        list(prints.glob("*-refusal-*.pdf")) and list(prints.glob("*-stop_notice-*.pdf"))
    ):
        time.sleep(0.2)
    [refusal] = prints.glob("*-refusal-*.pdf")
    assert "Hồ sơ không thuộc thẩm quyền" in " ".join(
        pdf_text(refusal.read_bytes(), tmp_path).split()
    )
    [stop] = prints.glob("*-stop_notice-*.pdf")
    text = " ".join(pdf_text(stop.read_bytes(), tmp_path).split())
    assert "Về việc dừng giải quyết hồ sơ" in text
    assert "Quá hạn bổ sung" in text
    if workcalendar.OfficeCalendar.from_config(load_config({})).is_working_day(today):
        [apology] = prints.glob("*-apology-*.pdf")
        text = " ".join(pdf_text(apology.read_bytes(), tmp_path).split())
        assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
        assert "Cần xác minh thêm" in text

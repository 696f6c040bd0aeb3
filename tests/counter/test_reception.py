"""What the counter gives instead of receiving, and the slips that were missing (issue 14 §3,
§4): guidance at reception is no round and no dossier, a refusal at reception is not counted as
received, a refusal after receipt and a stop print their forms, and the control slip is built
from the steps, printable and as a PDF. Each paper is read back from the PDF it printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from onestop.db import db
from onestop.models import Dossier, ReceptionNote
from tests.counter.test_dossier_api import act, receive
from tests.helpers import APPLICANT, LONG_SESSIONS, SAME_DAY, local
from tests.printer.test_slips import pdf_text


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(security=LONG_SESSIONS)


def printed(app: Any, tmp_path: Path, slip: str) -> str:
    """The text of the one ``slip`` PDF the worker printed, on one line."""
    from printer.worker import process_pending

    process_pending(app)
    [pdf] = (tmp_path / "prints").glob(f"*-{slip}-*.pdf")
    return " ".join(pdf_text(pdf.read_bytes(), tmp_path).split())


def reception(client: FlaskClient, headers: dict[str, str], **body: Any) -> Any:
    base = {"procedure": SAME_DAY, "applicant": APPLICANT}
    return client.post("/api/v1/reception", json={**base, **body}, headers=headers)


def counts(app: Any) -> tuple[int, int]:
    with app.app_context():
        dossiers = db.session.scalar(select(func.count()).select_from(Dossier))
        notes = db.session.scalar(select(func.count()).select_from(ReceptionNote))
    return dossiers or 0, notes or 0


def test_guidance_at_reception_prints_the_request_and_receives_nothing(
    client: FlaskClient,
    staff_headers: dict[str, str],
    kiosk_headers: dict[str, str],
    app: Any,
    tmp_path: Path,
    desk_printer: str,
    frozen: Any,
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers)
    ticket = client.post("/api/v1/counters/1/call-next", headers=staff_headers).get_json()
    missing = ["Bản chính giấy khai sinh", "Bản sao CCCD có chứng thực"]
    answer = reception(
        client,
        staff_headers,
        kind="guidance",
        ticket=ticket["token"],
        missing=missing,
        reason="Thiếu bản chính để đối chiếu",
        print=desk_printer,
    )
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert (body["kind"], body["missing"]) == ("guidance", missing)
    assert body["print_job"]
    assert counts(app) == (0, 1)  # no dossier: no clock, no register entry, no round
    board = client.get("/api/v1/board").get_json()
    assert board["received"] == 0
    text = printed(app, tmp_path, "supplement_request")
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Bản chính giấy khai sinh" in text
    assert "Lý do: Thiếu bản chính để đối chiếu" in text
    assert "Mã hồ sơ" not in text
    # The same citizen, back with the papers: the dossier received then has no round yet,
    # and its first request is its first.
    dossier = receive(client, staff_headers, SAME_DAY, ticket=ticket["token"]).get_json()
    assert dossier["supplement_count"] == 0
    asked = act(client, staff_headers, dossier["code"], "request_supplement",
                note="Bản sao", reason="Chưa chứng thực").get_json()  # fmt: skip
    assert asked["supplement_count"] == 1  # the first round: only a second makes it late
    assert asked["warning"] is None
    act(client, staff_headers, dossier["code"], "supplement_received")
    done = act(client, staff_headers, dossier["code"], "resolve").get_json()
    assert done["timeliness"] == "on_time"
    for wrong, code in (
        ({"kind": "guidance", "reason": "x"}, "missing_field"),  # guidance lists the papers
        ({"kind": "guidance", "missing": ["x"]}, "missing_field"),  # and says why
        ({"kind": "advice", "reason": "x"}, "invalid_field"),
        ({"kind": "refusal", "reason": "x", "procedure": "9.999"}, "unknown_procedure"),
    ):
        bad = reception(client, staff_headers, **wrong)
        assert bad.get_json()["error"]["code"] == code, wrong
    assert counts(app) == (1, 1)


def test_a_refusal_at_reception_is_not_counted_as_received(
    client: FlaskClient,
    staff_headers: dict[str, str],
    app: Any,
    tmp_path: Path,
    desk_printer: str,
    frozen: Any,
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    answer = reception(
        client,
        staff_headers,
        kind="refusal",
        reason="Thủ tục không thuộc thẩm quyền của xã",
        print=desk_printer,
    )
    assert answer.status_code == 201
    assert counts(app) == (0, 1)
    assert client.get("/api/v1/board").get_json()["received"] == 0
    assert client.get("/api/v1/dossiers/register", headers=staff_headers).get_json() == []
    text = printed(app, tmp_path, "refusal")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Thủ tục không thuộc thẩm quyền của xã" in text
    assert APPLICANT["name"] in text
    assert "Demo, ngày 30 tháng 11 năm 2026" in text  # the place name of the date line


def test_refusal_after_receipt_and_stop_print_their_forms(
    client: FlaskClient,
    staff_headers: dict[str, str],
    app: Any,
    tmp_path: Path,
    desk_printer: str,
    frozen: Any,
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    refused = receive(client, staff_headers).get_json()["code"]
    stopped = receive(client, staff_headers).get_json()["code"]
    answer = act(client, staff_headers, refused, "refuse", note="Sai đối tượng", print=desk_printer)
    assert answer.get_json()["print_job"]
    answer = act(
        client,
        staff_headers,
        stopped,
        "stop",
        note="Người yêu cầu không bổ sung hồ sơ",
        signer="Phạm Minh Tuấn",
        print=desk_printer,
    )
    assert answer.get_json()["state"] == "stopped"
    text = printed(app, tmp_path, "refusal")
    assert refused in text
    assert "Sai đối tượng" in text
    notice = printed(app, tmp_path, "stop_notice")
    assert "Về việc dừng giải quyết hồ sơ" in notice
    assert stopped in notice
    assert "Người yêu cầu không bổ sung hồ sơ" in notice
    assert "Phạm Minh Tuấn" in notice
    # A refused dossier stays a received one (today's path), counted as refused.
    rows = client.get("/api/v1/dossiers/register", headers=staff_headers).get_json()
    assert [(r["code"], r["state"]) for r in rows] == [(refused, "refused"), (stopped, "stopped")]


def test_the_control_slip_lists_every_step_judged_and_prints_as_a_pdf(
    client: FlaskClient,
    staff_headers: dict[str, str],
    app: Any,
    tmp_path: Path,
    desk_printer: str,
    frozen: Any,
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    code = receive(client, staff_headers).get_json()["code"]  # 3 working days: Thu 03/12 09:00
    frozen.set(local("2026-12-01 10:00"))
    act(client, staff_headers, code, "start")
    frozen.set(local("2026-12-03 15:00"))
    act(client, staff_headers, code, "resolve")
    frozen.set(local("2026-12-04 08:00"))
    act(client, staff_headers, code, "return", delivery="counter")
    pdf = client.get(f"/api/v1/dossiers/{code}/control.pdf", headers=staff_headers)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    text = " ".join(pdf_text(pdf.get_data(), tmp_path).split())
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    for line in (
        "1. 09 giờ 00 phút, ngày 30/11/2026 — Tiếp nhận hồ sơ",
        "2. 10 giờ 00 phút, ngày 01/12/2026 — Bắt đầu giải quyết",
        "3. 15 giờ 00 phút, ngày 03/12/2026 — Hoàn thành giải quyết",
        "4. 08 giờ 00 phút, ngày 04/12/2026 — Trả kết quả",
    ):
        assert line in text, line
    assert "Trung tâm Phục vụ hành chính công xã Demo, Quản trị viên" in text  # unit, officer
    assert "Trước hạn" in text  # the start, a day ahead
    assert "Đúng hạn" in text  # resolved on the day
    assert "Quá hạn" in text  # handed back the day after
    queued = client.post(
        f"/api/v1/dossiers/{code}/control", json={"print": desk_printer}, headers=staff_headers
    )
    assert queued.status_code == 202
    assert "PHIẾU KIỂM SOÁT" in printed(app, tmp_path, "control")
    assert client.get(f"/api/v1/dossiers/{code}/control.pdf").status_code == 401
    missing = client.get("/api/v1/dossiers/NOPE/control.pdf", headers=staff_headers)
    assert missing.status_code == 404

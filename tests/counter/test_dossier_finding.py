"""Finding a dossier again (§7 of issue 14): the desk's search, the results awaiting return,
and the register of dossiers (Sổ theo dõi hồ sơ) whose entry is the receipt's Số."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from onestop.db import db
from onestop.models import AuditEvent
from tests.counter.test_dossier_api import act, receive
from tests.helpers import LONG_SESSIONS, SAME_DAY, local


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(security=LONG_SESSIONS)


def find(client: FlaskClient, headers: dict[str, str], query: str) -> Any:
    return client.get("/api/v1/dossiers/search", query_string={"q": query}, headers=headers)


def codes(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.get_json()
    return [row["code"] for row in answer.get_json()]


def test_a_dossier_is_found_by_what_the_citizen_says_or_holds(
    client: FlaskClient, staff_headers: dict[str, str], frozen: Any
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    an = receive(client, staff_headers).get_json()
    other = {"name": "Trần Thị Bình", "id_number": "079190000001", "phone": "0987 654 321"}
    binh = receive(client, staff_headers, applicant=other).get_json()
    for query, expected in (
        ("nguyen van an", [an["code"]]),  # no accents, any case
        ("NGUYỄN VĂN", [an["code"]]),
        ("0912345678", [an["code"]]),
        ("0987654321", [binh["code"]]),  # the phone as typed with spaces, found by digits
        ("079190000001", [binh["code"]]),
        (binh["code"].lower(), [binh["code"]]),
        ("261130", [binh["code"], an["code"]]),  # part of the code: newest first
        ("nguyen binh", []),  # every word must match one dossier
        ("100%_", []),  # LIKE's wildcards are plain characters here
    ):
        assert codes(find(client, staff_headers, query)) == expected, query
    # The receipt's QR, read by a scanner into the search box: the link with its key.
    scanned = an["status_url"] + "?k=abc"
    assert codes(find(client, staff_headers, scanned)) == [an["code"]]
    [row] = find(client, staff_headers, "van an").get_json()
    assert row["register"] == "1/2026"
    assert row["applicant"] == "Nguyễn Văn An"
    assert find(client, staff_headers, " ").status_code == 400
    assert find(client, staff_headers, "x" * 201).get_json()["error"]["code"] == "too_long"
    assert client.get("/api/v1/dossiers/search?q=an").status_code == 401  # staff only


def test_a_result_waits_in_the_list_until_it_is_returned_another_day(
    client: FlaskClient, staff_headers: dict[str, str], frozen: Any
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    code = receive(client, staff_headers).get_json()["code"]
    still_open = receive(client, staff_headers).get_json()["code"]
    frozen.set(local("2026-12-02 10:00"))
    assert act(client, staff_headers, code, "resolve").status_code == 200

    def waiting() -> list[str]:
        return codes(client.get("/api/v1/dossiers/awaiting-return", headers=staff_headers))

    assert waiting() == [code]
    frozen.set(local("2026-12-07 09:00"))  # the citizen comes back the next week
    hits = find(client, staff_headers, "nguyen van an 0912").get_json()
    assert [(h["code"], h["state"]) for h in hits] == [
        (still_open, "received"),
        (code, "resolved"),
    ]
    hit = hits[1]
    returned = act(client, staff_headers, hit["code"], "return", delivery="counter")
    assert returned.get_json()["returned_at"] == "2026-12-07T09:00:00+07:00"
    assert waiting() == []
    assert still_open not in waiting()


def test_the_register_numbers_a_book_a_year_and_exports_it(
    client: FlaskClient, staff_headers: dict[str, str], frozen: Any, app: Any
) -> None:
    frozen.set(local("2026-12-31 16:00"))
    first = receive(client, staff_headers, SAME_DAY).get_json()["code"]
    second = receive(client, staff_headers).get_json()["code"]
    frozen.set(local("2027-01-04 08:00"))
    new_year = receive(client, staff_headers).get_json()["code"]
    act(client, staff_headers, first, "resolve")

    def book(year: int, **args: str) -> Any:
        return client.get(
            "/api/v1/dossiers/register", query_string={"year": year, **args}, headers=staff_headers
        )

    rows = book(2026).get_json()
    assert [(r["number"], r["code"]) for r in rows] == [(1, first), (2, second)]
    # Received after 15:00 on 31/12, due on the next working day (1/1 is a holiday): Mon 4/1.
    assert (rows[0]["due_at"], rows[0]["timeliness"]) == ("2027-01-04T17:00:00+07:00", "on_time")
    assert [r["number"] for r in book(2027).get_json()] == [1]
    this_year = client.get("/api/v1/dossiers/register", headers=staff_headers).get_json()
    assert [r["code"] for r in this_year] == [new_year]

    text = book(2026, format="csv").get_data().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["Số thứ tự", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert lines[1][0] == "1"
    assert lines[1][1] == first
    assert "Đúng hạn" in lines[1]
    assert "Nhận kết quả điện tử" not in lines[1]
    assert lines[2][6] == "16:00 31/12/2026"

    xlsx = book(2026, format="xlsx")
    assert "so-theo-doi-ho-so-" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][0].startswith("SỔ THEO DÕI HỒ SƠ NĂM 2026")
    assert [row[1] for row in cells[2:]] == [first, second]
    with app.app_context():
        exported = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "register_exported")
        ).all()
        assert [e.data["format"] for e in exported] == ["csv", "xlsx"]
    assert book(2026, format="pdf").status_code == 400
    assert client.get("/api/v1/dossiers/register?year=abc", headers=staff_headers).status_code == (
        400
    )
    assert client.get("/api/v1/dossiers/register").status_code == 401


def test_the_exports_never_hand_a_spreadsheet_a_formula(
    client: FlaskClient, staff_headers: dict[str, str], frozen: Any
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    trap = '=HYPERLINK("http://x.invalid","Nguyễn")'
    receive(client, staff_headers, applicant={"name": trap, "phone": "+84912345678"})
    query = {"year": 2026, "format": "xlsx"}
    xlsx = client.get("/api/v1/dossiers/register", query_string=query, headers=staff_headers)
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    row = [c.value for c in next(sheet.iter_rows(min_row=3, max_row=3))]
    assert row[3] == "'" + trap  # text, not a formula
    assert sheet.cell(3, 4).data_type == "s"
    text = client.get("/api/v1/dossiers/register", query_string={**query, "format": "csv"},
                      headers=staff_headers).get_data().decode("utf-8-sig")  # fmt: skip
    assert "'=HYPERLINK" in text
    assert "'+84912345678" in text

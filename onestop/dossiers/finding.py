"""Finding a dossier again: the desk's search (code, the receipt's QR, the applicant's name
without accents, phone, ID number), the results awaiting return, and the office's register of
dossiers (Sổ theo dõi hồ sơ), listed and exported. All staff-only: they carry personal data."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlalchemy.orm import Session

from onestop import clock, queries
from onestop.dossiers.reading import timeliness_of
from onestop.errors import InvalidInput
from onestop.models import Dossier, DossierState, Office
from onestop.searchkeys import plain
from onestop.workcalendar import OfficeCalendar

MAX_QUERY = 200
MAX_FOUND = 50
# The public page's path in a receipt's QR code: /d/<token>[?k=…]
_QR = re.compile(r"/d/([A-Za-z0-9_-]{16,64})")


def brief(dossier: Dossier, calendar: OfficeCalendar) -> dict[str, Any]:
    """A dossier as a line of a staff list."""
    tz = calendar.timezone
    return {
        "code": dossier.code,
        "register": _entry(dossier),
        "procedure": dossier.procedure_code,
        "procedure_name": dossier.procedure_name,
        "applicant": dossier.applicant.get("name", ""),
        "state": dossier.state.value,
        "received_at": clock.iso(dossier.received_at, tz),
        "due_at": clock.iso(dossier.due_at, tz),
        "resolved_at": clock.iso(dossier.resolved_at, tz),
        "delivery": dossier.delivery,
    }


def _entry(dossier: Dossier) -> str | None:
    if dossier.register_number is None:
        return None
    return f"{dossier.register_number}/{dossier.register_year}"


def search(
    session: Session, office: Office, calendar: OfficeCalendar, query: str
) -> list[dict[str, Any]]:
    """The office's dossiers that match ``query``, newest first: the receipt's QR link (as a
    scanner types it) or its token finds that one dossier; otherwise every word must appear in
    the code, a name, an ID or tax number or a phone, accents and case aside."""
    text = (query or "").strip()
    if not text:
        raise InvalidInput("'q' is required: a code, a name, a phone or an ID number",
                           code="missing_field")  # fmt: skip
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"'q' is longer than {MAX_QUERY} characters", code="too_long")
    scanned = _QR.search(text)
    if scanned:
        found = queries.dossier_by_token(session, scanned.group(1))
        hits = [found] if found is not None and found.office_id == office.id else []
    else:
        hits = queries.dossiers_matching(session, office.id, plain(text).split(), limit=MAX_FOUND)
    return [brief(d, calendar) for d in hits]


def awaiting_return(
    session: Session, office: Office, calendar: OfficeCalendar
) -> list[dict[str, Any]]:
    """Resolved dossiers whose result has not gone out yet, the longest waiting first."""
    waiting = queries.dossiers_in_state(session, office.id, DossierState.RESOLVED, limit=200)
    return [brief(d, calendar) for d in waiting]


# -- the register (Sổ theo dõi hồ sơ) -------------------------------------------------------

#: The register's columns, as the book heads them (a Vietnamese paper).
REGISTER_COLUMNS = (
    ("number", "Số thứ tự"),
    ("code", "Mã hồ sơ"),
    ("procedure", "Tên thủ tục hành chính"),
    ("applicant", "Tên cá nhân, tổ chức"),
    ("address", "Địa chỉ"),
    ("phone", "Số điện thoại"),
    ("received_at", "Nhận hồ sơ"),
    ("due_at", "Hẹn trả kết quả"),
    ("resolved_at", "Có kết quả"),
    ("returned_at", "Trả kết quả"),
    ("delivery", "Hình thức nhận kết quả"),
    ("state", "Tình trạng"),
    ("timeliness", "Đánh giá thời hạn"),
)
STATE_WORDS = {
    "received": "Đã tiếp nhận",
    "in_progress": "Đang giải quyết",
    "supplement_requested": "Chờ bổ sung hồ sơ",
    "awaiting_fee": "Chờ nộp phí, lệ phí",
    "resolved": "Đã có kết quả",
    "returned": "Đã trả kết quả",
    "refused": "Từ chối giải quyết",
    "stopped": "Dừng giải quyết",
    "withdrawn": "Đã rút hồ sơ",
}
TIMELINESS_WORDS = {
    "early": "Trước hạn",
    "on_time": "Đúng hạn",
    "late": "Quá hạn",
    "within": "Trong hạn",
    "overdue": "Quá hạn",
    "closed": "",
}
DELIVERY_WORDS = {
    "counter": "Tại nơi tiếp nhận",
    "post": "Qua dịch vụ bưu chính công ích",
    "electronic": "Nhận kết quả điện tử",
}


def register(
    session: Session, office: Office, calendar: OfficeCalendar, year: int
) -> list[dict[str, Any]]:
    """The Sổ theo dõi hồ sơ of ``year``: one row a dossier received, by its number."""
    if not 2000 <= year <= 2100:
        raise InvalidInput("'year' must be a year like 2026", code="invalid_field")
    tz, now = calendar.timezone, clock.now()
    rows = []
    for d in queries.register_entries(session, office.id, year):
        person = d.applicant
        rows.append(
            {
                "number": d.register_number,
                "code": d.code,
                "procedure": d.procedure_name,
                "procedure_code": d.procedure_code,
                "applicant": person.get("name", ""),
                "address": person.get("address", ""),
                "phone": person.get("phone", ""),
                "received_at": clock.iso(d.received_at, tz),
                "due_at": clock.iso(d.due_at, tz),
                "resolved_at": clock.iso(d.resolved_at, tz),
                "returned_at": clock.iso(d.returned_at, tz),
                "delivery": d.delivery,
                "state": d.state.value,
                "timeliness": timeliness_of(calendar, d, period_end=now),
            }
        )
    return rows


#: What makes a spreadsheet read a cell as a formula (a name typed "=HYPERLINK(…)").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cells(row: dict[str, Any]) -> list[Any]:
    """A register row as the book prints it: Vietnamese words, local times to the minute."""
    words = {
        "state": STATE_WORDS.get(row["state"], row["state"]),
        "timeliness": TIMELINESS_WORDS.get(row["timeliness"], row["timeliness"]),
        "delivery": DELIVERY_WORDS.get(row["delivery"], row["delivery"]),
    }
    cells: list[Any] = []
    for key, _title in REGISTER_COLUMNS:
        value = words.get(key, row[key])
        if key.endswith("_at") and value:
            value = f"{value[11:16]} {value[8:10]}/{value[5:7]}/{value[:4]}"
        elif isinstance(value, str) and value[:1] in FORMULA_STARTS:
            value = "'" + value  # typed text, never a formula the spreadsheet would run
        cells.append("" if value is None else value)
    return cells


def register_csv(rows: list[dict[str, Any]]) -> bytes:
    """The register as CSV (UTF-8 with a BOM, which spreadsheet programs read as Unicode)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([title for _key, title in REGISTER_COLUMNS])
    writer.writerows(_cells(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")


def register_xlsx(rows: list[dict[str, Any]], office_name: str, year: int) -> bytes:
    """The register as a workbook: a title line, the column heads, a row a dossier."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"Sổ theo dõi {year}")
    sheet.append([f"SỔ THEO DÕI HỒ SƠ NĂM {year} — {office_name}"])
    sheet.append([title for _key, title in REGISTER_COLUMNS])
    for row in rows:
        sheet.append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

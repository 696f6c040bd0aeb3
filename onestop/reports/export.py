"""A report as a file: XLSX (openpyxl), CSV, JSON or PDF (fpdf2), with Vietnamese headings.

Every report is first laid out as titled tables (:func:`tables`); CSV writes them one after
another, XLSX a sheet each under the office's header block, PDF a landscape A4 page run. Biểu
06 has its own sheet in the official layout: the three header rows with the merged group
cells ("Số hồ sơ nhận giải quyết", "Trong đó", …) and the column numbers (1)…(13).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from onestop import fonts
from onestop.errors import InvalidInput

FORMATS = ("json", "csv", "xlsx", "pdf")
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
TITLES = {
    "bieu06": "Tình hình, kết quả giải quyết thủ tục hành chính tại cơ quan, đơn vị trực tiếp "
    "giải quyết thủ tục hành chính",
    "kpi": "Các chỉ tiêu của kế hoạch và Bộ chỉ số 766",
    "summary": "Tổng hợp các chỉ tiêu",
    "queue": "Tình hình xếp hàng, chờ và phục vụ",
    "officers": "Kết quả công tác của cán bộ, công chức",
    "satisfaction": "Mức độ hài lòng của người dân",
}
BIEU06_FORM = "Biểu số 06/VPCP/KSTT"
# Biểu 06's columns after STT and the row's name: (group, sub-heading, key).
BIEU06_HEADINGS = (
    ("Số hồ sơ nhận giải quyết", "Tổng số", "received_total"),
    ("Số hồ sơ nhận giải quyết", "Từ kỳ trước", "carried"),
    ("Số hồ sơ nhận giải quyết", "Trực tuyến", "online"),
    ("Số hồ sơ nhận giải quyết", "Trực tiếp, dịch vụ bưu chính", "direct_post"),
    ("Số hồ sơ đã giải quyết", "Tổng số", "resolved_total"),
    ("Số hồ sơ đã giải quyết", "Trước hạn", "early"),
    ("Số hồ sơ đã giải quyết", "Đúng hạn", "on_time"),
    ("Số hồ sơ đã giải quyết", "Quá hạn", "late"),
    ("Số hồ sơ đang giải quyết", "Tổng số", "pending_total"),
    ("Số hồ sơ đang giải quyết", "Trong hạn", "pending_within"),
    ("Số hồ sơ đang giải quyết", "Quá hạn", "pending_overdue"),
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# openpyxl stamps the time it writes a file; a fixed one makes the same report the same bytes.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Table:
    title: str
    headings: tuple[str, ...]
    rows: list[list[Any]]


def _dash(value: Any) -> Any:
    return "—" if value is None else value


# -- each kind as tables ----------------------------------------------------------------------


def _bieu06_rows(report: dict[str, Any]) -> list[list[Any]]:
    keys = [key for _, _, key in BIEU06_HEADINGS]
    rows: list[list[Any]] = []
    for n, field in enumerate(report["fields"]):
        number = ROMAN[n] if n < len(ROMAN) else str(n + 1)
        rows.append([number, f"Lĩnh vực {field['name']}", *(field[k] for k in keys)])
        for i, procedure in enumerate(field["procedures"], 1):
            name = f"{procedure['code']} {procedure['name']}"
            rows.append([str(i), name, *(procedure[k] for k in keys)])
    rows.append(["", "Tổng cộng", *(report["total"][k] for k in keys)])
    return rows


def _bieu06_tables(report: dict[str, Any]) -> list[Table]:
    headings = ("STT", "Lĩnh vực, thủ tục", *(f"{g}: {s}" for g, s, _ in BIEU06_HEADINGS))
    beside = report["beside"]
    notes = [
        ["Hồ sơ rút, dừng giải quyết hoặc trả lại sau tiếp nhận", report["total"]["closed"]],
        ["Từ chối tiếp nhận (không tính là hồ sơ nhận giải quyết)", beside["refused_at_reception"]],
        ["Hướng dẫn bổ sung khi tiếp nhận (không tính)", beside["guidance_at_reception"]],
    ]
    return [
        Table(BIEU06_FORM, headings, _bieu06_rows(report)),
        Table("Ngoài biểu", ("Nội dung", "Số hồ sơ"), notes),
    ]


def _kpi_tables(report: dict[str, Any]) -> list[Table]:
    on_time, spot, cut = report["on_time"], report["on_the_spot"], report["time_reduction"]
    online, post, sat = report["online"], report["postal"], report["satisfaction"]
    plan = [
        ["Tỷ lệ hồ sơ trả đúng hạn (%)", _dash(on_time["percent"]), on_time["target"]],
        ["Hồ sơ đang giải quyết quá hạn", on_time["overdue_stock"], 0],
        ["Tỷ lệ hồ sơ 4 tại chỗ trả ngay (%)", _dash(spot["percent"]), spot["target"]],
        ["Thời gian giải quyết giảm so với quy định (%)", _dash(cut["percent"]), cut["target"]],
        ["Tỷ lệ hồ sơ trực tuyến (%)", _dash(online["percent"]), online["target"]],
        ["Tỷ lệ trả kết quả qua bưu chính (%)", _dash(post["percent"]), "—"],
        ["Tỷ lệ hài lòng (%)", _dash(sat["percent"]), sat["target"]],
        ["Số lần yêu cầu bổ sung", report["supplements"]["requests"], "—"],
        ["Số lần gia hạn theo quy định", report["extensions"]["lawful"], "—"],
        ["Số văn bản xin lỗi, hẹn lại", report["extensions"]["apologies"], "—"],
        ["Từ chối tiếp nhận", report["reception"]["refused"], "—"],
        ["Hướng dẫn bổ sung khi tiếp nhận", report["reception"]["guidance"], "—"],
    ]
    indicators = [
        [
            i["code"],
            i["name"],
            _dash(i.get("value")) if i["computable"] else "—",
            _dash(i.get("points")) if i["computable"] else "—",
            _dash(i.get("max")) if i["computable"] else "—",
            i.get("reason", ""),
        ]
        for i in report["indicators_766"]
    ]
    procedures = [
        [
            p["code"],
            p["name"],
            p["dossiers"],
            _dash(p["legal_days"]),
            _dash(p["internal_days"]),
            _dash(p["mean_days"]),
            _dash(p["percent"]),
            _dash(p["internal_target_percent"]),
            p["within_internal"],
        ]
        for p in cut["procedures"]
    ]
    return [
        Table("Chỉ tiêu kế hoạch", ("Chỉ tiêu", "Kết quả", "Mục tiêu"), plan),
        Table(
            "Bộ chỉ số 766",
            ("Mã", "Chỉ số", "Giá trị", "Điểm", "Tối đa", "Không tính được tại xã vì"),
            indicators,
        ),
        Table(
            "Giảm thời gian (thủ tục từ 2 ngày)",
            (
                "Mã",
                "Thủ tục",
                "Số hồ sơ",
                "Thời hạn luật định (ngày)",
                "Thời hạn nội bộ (ngày)",
                "Thời gian thực tế TB (ngày)",
                "Giảm đạt được (%)",
                "Giảm theo quy trình nội bộ (%)",
                "Số hồ sơ đạt thời hạn nội bộ",
            ),
            procedures,
        ),
    ]


def _stats_row(name: str, group: dict[str, Any]) -> list[Any]:
    wait, service = group["wait"], group["service"]
    return [
        name,
        group.get("legs", ""),
        group.get("served", ""),
        *(_dash(wait[k]) for k in ("mean", "median", "p90")),
        *(_dash(service[k]) for k in ("mean", "median", "p90")),
    ]


STATS_HEADINGS = (
    "Chờ TB (phút)",
    "Chờ trung vị",
    "Chờ p90",
    "Phục vụ TB (phút)",
    "Phục vụ trung vị",
    "Phục vụ p90",
)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def _queue_tables(report: dict[str, Any]) -> list[Table]:
    t = report["tickets"]
    totals = [
        ["Số phiếu đã cấp", t["issued"]],
        ["Đã phục vụ (lượt)", t["served"]],
        ["Vắng mặt khi gọi", t["no_show"]],
        ["Chuyển quầy", t["transferred"]],
        ["Hủy", t["cancelled"]],
        ["Chưa phục vụ", t["unserved"]],
        ["Phiếu ưu tiên", t["priority"]],
        ["Thời gian chờ TB (phút)", _dash(report["wait"]["mean"])],
        ["Thời gian phục vụ TB (phút)", _dash(report["service"]["mean"])],
        ["Số phiếu so sánh được thời gian chờ dự kiến", report["estimate"]["tickets"]],
        ["Chênh lệch TB thực tế − dự kiến (phút)", _dash(report["estimate"]["mean_error"])],
        ["Chênh lệch tuyệt đối TB (phút)", _dash(report["estimate"]["mean_absolute_error"])],
    ]
    tables = [Table("Tổng hợp", ("Nội dung", "Số liệu"), totals)]
    for key, title in (
        ("by_service", "Theo dịch vụ"),
        ("by_counter", "Theo quầy"),
        ("by_officer", "Theo cán bộ"),
        ("by_day", "Theo ngày"),
        ("by_hour", "Theo giờ"),
    ):
        rows = [_stats_row(g["name"], g) for g in report[key]]
        tables.append(
            Table(title, (title[5:].capitalize(), "Lượt", "Đã phục vụ", *STATS_HEADINGS), rows)
        )
    heat = report["heat_map"]
    tables.append(
        Table(
            "Giờ cao điểm (số phiếu)",
            ("Ngày", *(f"{h:02d}h" for h in heat["hours"])),
            [[WEEKDAYS[d], *heat["issued"][d]] for d in heat["weekdays"]],
        )
    )
    return tables


def _officer_tables(report: dict[str, Any]) -> list[Table]:
    rows = [
        [
            o["name"],
            o["tickets_served"],
            _dash(o["service_minutes"]),
            o["dossiers_received"],
            o["dossiers_resolved"],
            _dash(o["on_time_percent"]),
            _dash(o["satisfaction"]["percent"]),
            o["satisfaction"]["answered"],
            o["complaints"],
            o["apologies"],
        ]
        for o in report["officers"]
    ]
    headings = (
        "Cán bộ",
        "Lượt phục vụ",
        "Thời gian phục vụ TB (phút)",
        "Hồ sơ tiếp nhận",
        "Hồ sơ đã giải quyết",
        "Tỷ lệ đúng hạn (%)",
        "Tỷ lệ hài lòng (%)",
        "Số đánh giá",
        "Phản ánh",
        "Văn bản xin lỗi",
    )
    return [Table("Cán bộ", headings, rows)]


def _satisfaction_tables(report: dict[str, Any]) -> list[Table]:
    scores = report["scores"]
    totals = [
        ["Rất hài lòng", scores["very_satisfied"]],
        ["Hài lòng", scores["satisfied"]],
        ["Không hài lòng", scores["unsatisfied"]],
        ["Không trả lời", scores["no_answer"]],
        ["Tỷ lệ hài lòng (%)", _dash(report["percent"])],
        ["Phản ánh về thái độ", report["complaints"]],
    ]
    tables = [Table("Tổng hợp", ("Nội dung", "Số liệu"), totals)]
    for key, title in (
        ("by_officer", "Theo cán bộ"),
        ("by_counter", "Theo quầy"),
        ("by_service", "Theo dịch vụ"),
        ("by_week", "Theo tuần"),
    ):
        rows = [
            [
                g["name"],
                g["scores"]["very_satisfied"],
                g["scores"]["satisfied"],
                g["scores"]["unsatisfied"],
                g["scores"]["no_answer"],
                _dash(g["percent"]),
            ]
            for g in report[key]
        ]
        headings = ("", "Rất hài lòng", "Hài lòng", "Không hài lòng", "Không trả lời", "Tỷ lệ (%)")
        tables.append(Table(title, headings, rows))
    factors = report["survey"]["factors"]
    tables.append(
        Table(
            "Chỉ số SIPAS theo yếu tố",
            ("Yếu tố", "Số câu trả lời", "Hài lòng", "Tỷ lệ (%)"),
            [[n, f["answers"], f["satisfied"], _dash(f["percent"])] for n, f in factors.items()],
        )
    )
    criteria = report["evaluation"]["criteria"]
    tables.append(
        Table(
            "Chín tiêu chí đánh giá",
            ("STT", "Tiêu chí", "Điểm TB", "Số hồ sơ chấm"),
            [[c["number"], c["name"], _dash(c["average"]), c["scored"]] for c in criteria],
        )
    )
    return tables


def tables(report: dict[str, Any]) -> list[Table]:
    kind = report["kind"]
    if kind == "bieu06":
        return _bieu06_tables(report)
    if kind in ("kpi", "summary"):
        return _kpi_tables(report)
    if kind == "queue":
        return _queue_tables(report)
    if kind == "officers":
        return _officer_tables(report)
    return _satisfaction_tables(report)


def _period_line(report: dict[str, Any]) -> str:
    period = report["period"]
    start = date.fromisoformat(period["from"])
    end = date.fromisoformat(period["to"])
    return f"Kỳ báo cáo: từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


# -- the formats -----------------------------------------------------------------------------


def to_json(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2).encode()


def to_csv(report: dict[str, Any]) -> bytes:
    """UTF-8 with a byte-order mark (what Excel needs to read Vietnamese); one block a table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([report["office"]["name"], TITLES[report["kind"]], _period_line(report)])
    for table in tables(report):
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headings)
        writer.writerows(table.rows)
    return ("\ufeff" + out.getvalue()).encode()


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


def _letterhead(sheet: Worksheet, report: dict[str, Any], title: str, width: int) -> int:
    """The header block: the body and the office on the left, the national motto on the right,
    the title and the period; returns the next free row."""
    office = report["office"]
    half = max(1, width // 2)
    left = f"{office['parent_body']}\n{office['name']}".strip()
    motto = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=half)
    sheet.merge_cells(start_row=1, start_column=half + 1, end_row=1, end_column=width)
    sheet.cell(1, 1, left.upper()).font = BOLD
    sheet.cell(1, half + 1, motto).font = BOLD
    for column in (1, half + 1):
        sheet.cell(1, column).alignment = CENTRE
    sheet.row_dimensions[1].height = 42
    for row, text in ((3, title.upper()), (4, _period_line(report))):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = sheet.cell(row, 1, text)
        cell.alignment = CENTRE
        cell.font = BOLD if row == 3 else Font(italic=True)
    sheet.row_dimensions[3].height = 36
    return 6


def _bieu06_sheet(sheet: Worksheet, report: dict[str, Any]) -> None:
    width = 2 + len(BIEU06_HEADINGS)
    sheet.cell(2, width, BIEU06_FORM).font = Font(italic=True)
    top = _letterhead(sheet, report, TITLES["bieu06"], width)
    # Three heading rows: the groups, "Tổng số" / "Trong đó", the sub-headings; then (1)…(13).
    for column, text in ((1, "STT"), (2, "Lĩnh vực, thủ tục")):
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 2, end_column=column)
        sheet.cell(top, column, text)
    column = 3
    for group in dict.fromkeys(g for g, _, _ in BIEU06_HEADINGS):
        subs = [s for g, s, _ in BIEU06_HEADINGS if g == group]
        sheet.merge_cells(
            start_row=top, start_column=column, end_row=top, end_column=column + len(subs) - 1
        )
        sheet.cell(top, column, group)
        sheet.merge_cells(
            start_row=top + 1, start_column=column, end_row=top + 2, end_column=column
        )
        sheet.cell(top + 1, column, subs[0])
        sheet.merge_cells(
            start_row=top + 1,
            start_column=column + 1,
            end_row=top + 1,
            end_column=column + len(subs) - 1,
        )
        sheet.cell(top + 1, column + 1, "Trong đó")
        for offset, sub in enumerate(subs[1:], 1):
            sheet.cell(top + 2, column + offset, sub)
        column += len(subs)
    for n in range(1, width + 1):
        sheet.cell(top + 3, n, f"({n})")
    for row in range(top, top + 4):
        for n in range(1, width + 1):
            cell = sheet.cell(row, n)
            cell.alignment, cell.border, cell.font = CENTRE, BOX, BOLD
    first = top + 4
    for r, values in enumerate(_bieu06_rows(report), first):
        for n, value in enumerate(values, 1):
            cell = sheet.cell(r, n, value)
            cell.border = BOX
            cell.alignment = WRAP if n == 2 else CENTRE
            if values[0] in ROMAN or values[1] == "Tổng cộng":
                cell.font = BOLD
    last = first + len(_bieu06_rows(report))
    notes = _bieu06_tables(report)[1]
    for r, (text, value) in enumerate(notes.rows, last + 1):
        sheet.cell(r, 2, text).font = Font(italic=True)
        sheet.cell(r, 3, value)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 48
    for n in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 12
    sheet.freeze_panes = f"C{first}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _table_sheet(sheet: Worksheet, report: dict[str, Any], table: Table) -> None:
    width = max(2, len(table.headings))
    top = _letterhead(sheet, report, f"{TITLES[report['kind']]}: {table.title}", width)
    for n, heading in enumerate(table.headings, 1):
        cell = sheet.cell(top, n, heading)
        cell.alignment, cell.border, cell.font = CENTRE, BOX, BOLD
    for r, values in enumerate(table.rows, top + 1):
        for n, value in enumerate(values, 1):
            cell = sheet.cell(r, n, value)
            cell.border, cell.alignment = BOX, WRAP
    for n in range(1, width + 1):
        longest = max(
            [len(str(table.headings[n - 1])) if n <= len(table.headings) else 0]
            + [len(str(row[n - 1])) for row in table.rows if n <= len(row)]
        )
        sheet.column_dimensions[get_column_letter(n)].width = min(60, max(10, longest + 2))
    sheet.freeze_panes = f"A{top + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4


def _sheet_name(title: str, taken: set[str]) -> str:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def to_xlsx(report: dict[str, Any]) -> bytes:
    book = Workbook()
    book.properties.creator = "onestop"
    book.properties.created = book.properties.modified = EPOCH.replace(tzinfo=None)
    first = book.active
    assert first is not None
    book.remove(first)
    taken: set[str] = set()
    for table in tables(report):
        sheet = book.create_sheet(_sheet_name(table.title, taken))
        if table.title == BIEU06_FORM:
            _bieu06_sheet(sheet, report)
        else:
            _table_sheet(sheet, report, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("NotoSans", "", 8)
        self.cell(0, 5, f"{self.page_no()}", align="C")


def to_pdf(report: dict[str, Any]) -> bytes:
    """The tables on landscape A4 pages, with the bundled Unicode font."""
    pdf = _Pdf(orientation="landscape", unit="mm", format="A4")
    pdf.add_font("NotoSans", "", str(fonts.REGULAR))
    pdf.add_font("NotoSans", "B", str(fonts.BOLD))
    pdf.set_creation_date(EPOCH)
    pdf.set_creator("onestop")
    pdf.set_lang("vi")
    pdf.set_title(TITLES[report["kind"]])
    pdf.set_auto_page_break(True, 14)
    pdf.add_page()
    office = report["office"]
    pdf.set_font("NotoSans", "B", 10)
    pdf.multi_cell(0, 5, f"{office['parent_body']}\n{office['name']}".strip().upper())
    pdf.ln(2)
    pdf.set_font("NotoSans", "B", 13)
    pdf.multi_cell(0, 7, TITLES[report["kind"]].upper(), align="C")
    pdf.set_font("NotoSans", "", 10)
    pdf.cell(0, 6, _period_line(report), align="C", new_x="LMARGIN", new_y="NEXT")
    for table in tables(report):
        pdf.ln(3)
        pdf.set_font("NotoSans", "B", 11)
        pdf.cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoSans", "", 7 if len(table.headings) > 8 else 8)
        widths = _widths(table, pdf.epw)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=4) as grid:
            heading = grid.row()
            for text in table.headings:
                heading.cell(str(text))
            for values in table.rows:
                row = grid.row()
                for value in values:
                    row.cell(str(value))
    return bytes(pdf.output())


def _widths(table: Table, total: float) -> Sequence[float]:
    """Wider columns for longer text: each column's share by its longest cell (bounded)."""
    lengths = []
    for n, heading in enumerate(table.headings):
        cells = [len(str(row[n])) for row in table.rows if n < len(row)]
        lengths.append(min(60, max(6, len(str(heading)) // 2, *cells)))
    scale = total / sum(lengths)
    return [length * scale for length in lengths]


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput(
            f"unknown format {fmt!r}; one of {', '.join(FORMATS)}", code="invalid_field"
        )


def render(report: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    return to_pdf(report)


def filename(report: dict[str, Any], fmt: str) -> str:
    period = report["period"]
    return f"{report['office']['code']}-{report['kind']}-{period['from']}-{period['to']}.{fmt}"

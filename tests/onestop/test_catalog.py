"""Catalog import from CSV and XLSX, its validation, and the public notices."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from onestop import auth, catalog, demo, notices, queries
from onestop.errors import InvalidInput, NotFound
from onestop.models import AuditEvent, Procedure

HEADER = ["code", "field_code", "field_name", "name", "time_value", "time_unit"]
EXTRA = [*HEADER, "internal_time_value", "on_the_spot", "effective_from"]


@pytest.fixture
def office(session: Any, app: Any) -> Any:
    demo.ensure_office(session, app.config["ONESTOP"]["office"])
    return auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])


def procedure(session: Any, office: Any, code: str) -> Procedure:
    return next(p for p in queries.procedures(session, office.id) if p.code == code)


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def test_sample_loads_and_reimport_updates_in_place(session: Any, office: Any) -> None:
    assert catalog.load_sample(session, office) == 47
    assert catalog.load_sample(session, office) == 47
    assert len(queries.procedures(session, office.id)) == 47
    assert [f.code for f in queries.catalog_fields(session, office.id)] == [
        "CT",
        "HT",
        "BTXH",
        "NCC",
    ]
    birth = procedure(session, office, "1.001193")
    assert birth.time_unit == "same_day"
    assert birth.same_day_cutoff == "15:00"
    assert len(birth.documents) == 3
    marriage_status = procedure(session, office, "1.004873")
    assert marriage_status.time_value == 3
    assert marriage_status.time_unit == "working_day"


def test_xlsx_import_and_nfd_text(session: Any, office: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([*HEADER, "fee_text", "documents"])
    nfd_name = "Đăng ký khai sinh"  # written decomposed below, as Vietnamese keyboards send it

    sheet.append(
        [
            "9.000001",
            "HT",
            "Hộ tịch",
            unicodedata.normalize("NFD", nfd_name),
            5,
            "working_day",
            "free",
            "Tờ khai\nGiấy chứng sinh",
        ]
    )
    path = tmp_path / "catalog.xlsx"
    book.save(path)
    assert catalog.import_procedures(session, office, path) == 1
    row = procedure(session, office, "9.000001")
    assert row.name == unicodedata.normalize("NFC", nfd_name)
    assert row.time_value == 5
    assert row.documents == ["Tờ khai", "Giấy chứng sinh"]
    # An unknown field is created from field_name so the kiosk can group it.
    assert [f.name for f in queries.catalog_fields(session, office.id)] == ["Hộ tịch"]


def test_internal_target_on_the_spot_and_effective_date(
    session: Any, office: Any, tmp_path: Path
) -> None:
    rows = [
        ["1", "CT", "x", "Khai sinh", "", "same_day", "", "", ""],
        ["2", "CT", "x", "Xác nhận", "3", "working_day", "2", "có", "2026-07-01"],
        ["3", "CT", "x", "Giám hộ", "3", "working_day", "", "no", ""],
    ]
    catalog.import_procedures(session, office, write_csv(tmp_path / "p.csv", rows, EXTRA))
    first, second, third = (procedure(session, office, code) for code in "123")
    assert first.on_the_spot
    assert first.internal_time_value is None
    assert second.on_the_spot
    assert second.internal_time_value == 2
    assert str(second.effective_from) == "2026-07-01"
    assert not third.on_the_spot
    session.rollback()


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        ([["1", "CT", "x", "P", "2", "fortnight"]], HEADER, "time_unit 'fortnight'"),
        ([["1", "CT", "x", "P", "", "working_day"]], HEADER, "needs time_value"),
        ([["1", "CT", "x", "P", "two", "working_day"]], HEADER, "not a number"),
        (
            [["1", "CT", "x", "P", "", "same_day"], ["1", "CT", "x", "Q", "", "same_day"]],
            HEADER,
            "appears twice",
        ),
        ([["1", "CT", "x", "", "", "same_day"]], HEADER, "are required"),
        ([["1", "CT"]], ["code", "field_code"], "lacks the column(s) name, time_unit"),
        ([["1", "CT", "x", "P", "3", "working_day", "5"]], EXTRA, "longer than the legal time 3"),
        ([["1", "CT", "x", "P", "3", "working_day", "", "maybe"]], EXTRA, "not yes or no"),
        ([["1", "CT", "x", "P", "3", "working_day", "", "", "1/7/26"]], EXTRA, "not a date"),
        (
            [["1", "CT", "x", "P", "", "same_day", "3pm"]],
            [*HEADER, "same_day_cutoff"],
            "not a time like 15:00",
        ),
    ],
)
def test_bad_files_are_refused_whole(
    session: Any, office: Any, tmp_path: Path, rows: Any, header: Any, message: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", rows, header)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        catalog.import_procedures(session, office, path)
    session.rollback()
    assert session.scalar(select(Procedure.id)) is None


def test_cli_import(tmp_path: Path, app: Any) -> None:
    import json

    from tests.helpers import run_cli

    env = {
        "ONESTOP_DATABASE__URL": app.config["ONESTOP"]["database"]["url"],
        "ONESTOP_SERVER__DATA_DIR": str(tmp_path),
    }
    initialised = run_cli(tmp_path, "init", **env)
    assert initialised.returncode == 0, initialised.stderr
    path = write_csv(tmp_path / "p.csv", [["7.1", "CT", "Chứng thực", "P", "", "same_day"]])
    done = run_cli(tmp_path, "catalog", "import", str(path), "--json", **env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "file": "p.csv",
        "procedures": 1,
        "fields": 0,
    }
    bad = write_csv(tmp_path / "bad.csv", [["7.2", "CT", "x", "P", "", "weekly"]])
    failed = run_cli(tmp_path, "catalog", "import", str(bad), **env)
    assert failed.returncode != 0
    assert "time_unit 'weekly'" in failed.stderr


def test_notices_are_ordered_audited_and_retired(session: Any, office: Any) -> None:
    first = notices.add_notice(
        session, office, "  Nghỉ lễ ngày 2/9  ", text_en="Closed 2 Sep", actor="t"
    )
    second = notices.add_notice(session, office, "Thông báo thứ hai", actor="t")
    assert [n.id for n in queries.notices(session, office.id)] == [first.id, second.id]
    assert first.text == "Nghỉ lễ ngày 2/9"
    notices.retire_notice(session, office, first.id, actor="t")
    assert [n.id for n in queries.notices(session, office.id)] == [second.id]
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("notice_added") == 2
    assert "notice_retired" in actions
    with pytest.raises(NotFound):
        notices.retire_notice(session, office, first.id, actor="t")
    with pytest.raises(InvalidInput):
        notices.add_notice(session, office, "   ", actor="t")
    with pytest.raises(InvalidInput):
        notices.add_notice(session, office, "x" * 501, actor="t")

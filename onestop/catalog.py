"""The procedure catalog: fields and procedures imported from CSV or XLSX, and how they are read.

The columns are those of the sample ``procedures.csv`` (see ``data/catalog/README.md``); the
optional ``fee_text_vi`` and ``documents`` columns are read when present. An import is a
whole-file upsert keyed by the national procedure code: a bad row rejects the whole file with
the row number, so a half-imported catalogue is never published.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from onestop import queries
from onestop.errors import InvalidInput
from onestop.languages import DEFAULT_LOCALE, localized, translations
from onestop.models import CatalogField, Office, Procedure
from onestop.workcalendar import Rule

SAMPLE = Path(__file__).parent / "data" / "catalog"
TIME_UNITS = ("same_day", "working_day", "calendar_day", "hour", "unknown")
# How a sector law words its extension: "thêm không quá N ngày" or "không quá N ngày" in all.
EXTENSION_COUNTS = ("added", "in_total")
EXTENSION_UNITS = ("working_day", "calendar_day")
REQUIRED_COLUMNS = ("code", "field_code", "name", "time_unit")
FIELD_COLUMNS = ("code", "name")


def _rows(path: Path) -> list[dict[str, str]]:
    """The file's rows as dicts of NFC-normalised, stripped strings (CSV or XLSX)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        cells = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        text = path.read_bytes().decode("utf-8-sig")
        cells = list(csv.reader(io.StringIO(text, newline="")))
    if not cells:
        raise InvalidInput(f"{path.name} is empty", code="invalid_catalog")
    header = [unicodedata.normalize("NFC", h).strip().lower() for h in cells[0]]
    return [
        {h: unicodedata.normalize("NFC", v).strip() for h, v in zip(header, row, strict=False)}
        for row in cells[1:]
        if any(v.strip() for v in row)
    ]


def _need(rows: list[dict[str, str]], columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if rows and c not in rows[0]]
    if missing:
        raise InvalidInput(
            f"{name} lacks the column(s) {', '.join(missing)}", code="invalid_catalog"
        )


def _number(text: str, where: str, kind: type) -> Any:
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise InvalidInput(f"{where}: {text!r} is not a number", code="invalid_catalog") from None
    if value < 0:
        raise InvalidInput(f"{where}: {text!r} is negative", code="invalid_catalog")
    return value


def import_fields(session: Session, office: Office, path: Path) -> int:
    """Upsert the fields (lĩnh vực) of ``path`` (columns code, name, name_en). Returns a count."""
    rows = _rows(path)
    _need(rows, FIELD_COLUMNS, path.name)
    existing = {f.code: f for f in queries.catalog_fields(session, office.id)}
    for position, row in enumerate(rows):
        if not row["code"] or not row["name"]:
            raise InvalidInput(
                f"{path.name} row {position + 2}: code and name are required",
                code="invalid_catalog",
            )
        item = existing.get(row["code"]) or CatalogField(office_id=office.id, code=row["code"])
        item.name, item.name_en, item.position = row["name"], row.get("name_en", ""), position
        session.add(item)
    session.flush()
    return len(rows)


def _cutoff(text: str, where: str) -> str | None:
    value = text.strip()
    if not value:
        return None
    try:
        time.fromisoformat(value)
    except ValueError:
        value = ""
    if len(value) != 5:
        raise InvalidInput(
            f"{where}: same_day_cutoff {text!r} is not a time like 15:00", code="invalid_catalog"
        )
    return value


def _flag(text: str, where: str, *, default: bool) -> bool:
    value = text.strip().lower()
    if not value:
        return default
    if value in ("1", "yes", "true", "có", "x"):
        return True
    if value in ("0", "no", "false", "không"):
        return False
    raise InvalidInput(f"{where}: on_the_spot {text!r} is not yes or no", code="invalid_catalog")


def _one_of(row: dict[str, str], column: str, choices: tuple[str, ...], where: str) -> str:
    value = row.get(column, "").strip() or choices[0]
    if value not in choices:
        raise InvalidInput(
            f"{where}: {column} {value!r} is not one of {', '.join(choices)}",
            code="invalid_catalog",
        )
    return value


def _day(text: str, where: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{where}: effective_from {text!r} is not a date (YYYY-MM-DD)", code="invalid_catalog"
        ) from None


def import_procedures(session: Session, office: Office, path: Path) -> int:
    """Upsert the procedures of ``path``; unknown fields are created from ``field_name``."""
    rows = _rows(path)
    _need(rows, REQUIRED_COLUMNS, path.name)
    fields = {f.code for f in queries.catalog_fields(session, office.id)}
    existing = queries.procedures_by_code(session, office.id)
    seen: set[str] = set()
    for position, row in enumerate(rows):
        where = f"{path.name} row {position + 2}"
        code, unit = row["code"], row["time_unit"]
        if not code or not row["name"] or not row["field_code"]:
            raise InvalidInput(
                f"{where}: code, field_code and name are required", code="invalid_catalog"
            )
        if code in seen:
            raise InvalidInput(f"{where}: procedure {code} appears twice", code="invalid_catalog")
        seen.add(code)
        if unit not in TIME_UNITS:
            raise InvalidInput(
                f"{where}: time_unit {unit!r} is not one of {', '.join(TIME_UNITS)}",
                code="invalid_catalog",
            )
        value = _number(row.get("time_value", ""), where, float)
        if unit not in ("same_day", "unknown") and value is None:
            raise InvalidInput(
                f"{where}: a {unit} procedure needs time_value", code="invalid_catalog"
            )
        if row["field_code"] not in fields:
            session.add(
                CatalogField(
                    office_id=office.id,
                    code=row["field_code"],
                    name=row.get("field_name") or row["field_code"],
                    name_en="",
                    position=len(fields),
                )
            )
            fields.add(row["field_code"])
        item = existing.get(code) or Procedure(office_id=office.id, code=code)
        item.field_code = row["field_code"]
        item.name = row["name"]
        item.time_value = value
        item.time_unit = unit
        item.same_day_cutoff = _cutoff(row.get("same_day_cutoff", ""), where)
        item.extension_max_working_days = _number(
            row.get("extension_max_working_days", ""), where, int
        )
        item.extension_counts = _one_of(row, "extension_counts", EXTENSION_COUNTS, where)
        item.extension_unit = _one_of(row, "extension_unit", EXTENSION_UNITS, where)
        item.fee_text = row.get("fee_text", "")
        item.fee_text_vi = row.get("fee_text_vi", "")
        item.evidence = (row.get("evidence") or "R")[:1]
        item.documents = [
            line.strip() for line in row.get("documents", "").splitlines() if line.strip()
        ]
        item.internal_time_value = _number(row.get("internal_time_value", ""), where, float)
        if (
            value is not None
            and item.internal_time_value is not None
            and (item.internal_time_value > value)
        ):
            raise InvalidInput(
                f"{where}: internal_time_value {item.internal_time_value:g} is longer than the "
                f"legal time {value:g}",
                code="invalid_catalog",
            )
        item.on_the_spot = _flag(row.get("on_the_spot", ""), where, default=unit == "same_day")
        item.effective_from = _day(row.get("effective_from", ""), where)
        item.position = position
        item.is_active = True
        session.add(item)
    session.flush()
    return len(rows)


def legal_time_text(procedure: Procedure, lang: str = DEFAULT_LOCALE) -> str:
    """The legal processing time as a citizen reads it, in ``lang`` (papers: Vietnamese)."""
    catalog = translations(lang)
    gettext, ngettext = catalog.gettext, catalog.ngettext  # the names pybabel extracts
    value = procedure.time_value
    count = int(value) if value is not None and float(value).is_integer() else value
    unit = procedure.time_unit
    if unit == "same_day":
        if procedure.same_day_cutoff:
            # DOMAIN §11: it says what happens after the cut-off (15:00 itself is in time),
            # in the hour as Vietnamese papers write it ("15 giờ").
            hour, minute = (int(part) for part in procedure.same_day_cutoff.split(":")[:2])
            if lang == DEFAULT_LOCALE:
                cutoff = f"{hour} giờ" + (f" {minute:02d}" if minute else "")
            else:
                cutoff = f"{hour}:{minute:02d}"
            text = gettext("Same day (received after %(cutoff)s: the next working day)")
            return text % {"cutoff": cutoff}
        return gettext("Same day")
    if count is not None and unit in ("working_day", "calendar_day", "hour"):
        # ngettext needs a whole number to choose the form; a half day reads as plural.
        many = count if isinstance(count, int) else 2
        if unit == "working_day":
            text = ngettext("%(num)s working day", "%(num)s working days", many)
        elif unit == "calendar_day":
            text = ngettext("%(num)s day", "%(num)s days", many)
        else:
            text = ngettext("%(num)s working hour", "%(num)s working hours", many)
        return text % {"num": count}
    return gettext("Ask at the counter")


def published(session: Session, office: Office, lang: str) -> list[dict[str, Any]]:
    """The public catalog, field by field, in ``lang``: what the office must post (no internal
    data)."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for p in queries.procedures(session, office.id):
        by_field.setdefault(p.field_code, []).append(
            {
                "code": p.code,
                "name": p.name,
                "legal_time": legal_time_text(p, lang),
                "time_unit": p.time_unit,
                "time_value": p.time_value,
                "same_day_cutoff": p.same_day_cutoff,
                # False: the officer gives the appointment at receipt (none is made up).
                "time_stated": Rule(p.time_value, p.time_unit).stated,
                # "[S]" marks a fee from a secondary source: for staff, not for citizens.
                "fee": localized(p.fee_text_vi or p.fee_text, p.fee_text, lang)
                .replace("[S]", "")
                .strip(),
                "documents": list(p.documents or []),
            }
        )
    return [
        {
            "code": f.code,
            "name": localized(f.name, f.name_en, lang),
            "procedures": by_field[f.code],
        }
        for f in queries.catalog_fields(session, office.id)
        if f.code in by_field
    ]


def load_sample(session: Session, office: Office) -> int:
    """The demo: the bundled sample fields and procedures."""
    import_fields(session, office, SAMPLE / "fields.csv")
    return import_procedures(session, office, SAMPLE / "procedures.csv")

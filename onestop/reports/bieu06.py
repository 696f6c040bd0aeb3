"""Biểu số 06/VPCP/KSTT (TT 01/2020/TT-VPCP): "Tình hình, kết quả giải quyết TTHC tại cơ quan,
đơn vị trực tiếp giải quyết TTHC", by field and procedure with the totals row (DOMAIN §4.3).

The columns, each a count of dossiers (see :mod:`onestop.reports.frame` for the outcomes):

- received (``received_total`` = ``carried`` + ``online`` + ``direct_post``): open when the period
  began, or received in it online, or in person or by post;
- resolved (``resolved_total`` = ``early`` + ``on_time`` + ``late``) in the period;
- in progress at its end (``pending_total`` = ``pending_within`` + ``pending_overdue``).

A dossier refused after receipt, stopped or withdrawn in the period is received but neither
resolved nor in progress: the form has no column for it, so it is given under the table
(``closed``), and received = resolved + in progress + closed holds on every row. Refusals at
reception and guidance are not dossiers: they are given under the table too, never counted in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from onestop.reports import queries
from onestop.reports.frame import Frame, Judged

COLUMNS = (
    "received_total",
    "carried",
    "online",
    "direct_post",
    "resolved_total",
    "early",
    "on_time",
    "late",
    "pending_total",
    "pending_within",
    "pending_overdue",
)


def counts(items: Iterable[Judged]) -> dict[str, int]:
    """The form's columns (and ``closed``) over these dossiers."""
    c = dict.fromkeys((*COLUMNS, "closed"), 0)
    for judged in items:
        if not judged.counted:
            continue
        if judged.carried:
            c["carried"] += 1
        elif judged.row.channel == "online":
            c["online"] += 1
        else:
            c["direct_post"] += 1
        outcome = judged.outcome
        if outcome in ("within", "overdue"):
            c[f"pending_{outcome}"] += 1
        else:
            c[str(outcome)] += 1
    c["received_total"] = c["carried"] + c["online"] + c["direct_post"]
    c["resolved_total"] = c["early"] + c["on_time"] + c["late"]
    c["pending_total"] = c["pending_within"] + c["pending_overdue"]
    return c


def bieu06(session: Session, office_id: int, frame: Frame) -> dict[str, Any]:
    fields = queries.fields_of(session, office_id)
    positions = queries.procedure_positions(session, office_id)
    by_field: dict[str, dict[str, list[Judged]]] = {}
    names: dict[str, str] = {}
    for judged in frame.counted:
        row = judged.row
        by_field.setdefault(row.field_code, {}).setdefault(row.procedure_code, []).append(judged)
        names[row.procedure_code] = row.procedure_name

    def field_order(code: str) -> tuple[int, str]:
        return (fields[code][2] if code in fields else 10**6, code)

    rows = []
    for code in sorted(by_field, key=field_order):
        procedures = by_field[code]
        name, name_en, _ = fields.get(code, (code or "—", code or "—", 0))
        ordered = sorted(procedures, key=lambda p: (positions.get(p, 10**6), p))
        rows.append(
            {
                "field": code,
                "name": name,
                "name_en": name_en,
                **counts(j for p in ordered for j in procedures[p]),
                "procedures": [
                    {"code": p, "name": names[p], **counts(procedures[p])} for p in ordered
                ],
            }
        )
    reception = frame.reception_counts()
    return {
        "columns": list(COLUMNS),
        "fields": rows,
        "total": counts(frame.counted),
        "beside": {
            "refused_at_reception": reception["refusal"],
            "guidance_at_reception": reception["guidance"],
        },
    }

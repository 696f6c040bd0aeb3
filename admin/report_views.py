"""The reports API and page (supervisors and admins): any report for any period as JSON or as
the XLSX, CSV or PDF file, and the dashboard's data. The figures live in ``onestop.reports``."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from admin import api, bp
from onestop import clock, reports
from onestop.context import settings
from onestop.db import db
from onestop.http import authenticated, caller_office
from onestop.models import SUPERVISING_ROLES, Office
from onestop.reports import export
from onestop.reports.periods import Period


def _period(office: Office) -> Period:
    cfg = settings()
    today = clock.local_day(clock.now(), office.timezone)
    return reports.period_from(request.args, cfg["reports"]["period_start_day"], today)


@api.get("/reports/dashboard")
@authenticated(staff=True, roles=SUPERVISING_ROLES)
def report_dashboard() -> Any:
    office = caller_office()
    return reports.dashboard(db.session, office, _period(office), settings())


@api.get("/reports/<kind>")
@authenticated(staff=True, roles=SUPERVISING_ROLES)
def report_file(kind: str) -> Any:
    """Report ``kind`` as JSON, or with ``format=xlsx|csv|pdf`` as a file to save; ``summary``
    is the plan's KPIs with the queue's headline (DESIGN §3.2)."""
    reports.check_kind(kind)
    fmt = request.args.get("format", "json")
    export.check_format(fmt)
    office = caller_office()
    result = reports.build(db.session, office, kind, _period(office), settings())
    if fmt == "json":
        return result
    name = export.filename(result, fmt)
    return Response(
        export.render(result, fmt),
        mimetype=export.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/reports")
def reports_page() -> str:
    """The office head's dashboard: the plan's targets, the weekly trend, the heat map."""
    return render_template("admin/reports.html", office=settings()["office"])

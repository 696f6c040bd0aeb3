"""Printer endpoints for staff: health and failed jobs, retry, reprint, and layout previews."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Flask, Response, request

from onestop import dossiers, printing, queue
from onestop.context import office_printers, rules
from onestop.db import db
from onestop.errors import InvalidInput, NotFound
from onestop.extensions import csrf
from onestop.http import actor_label, authenticated, caller_office, desk_for, json_body
from onestop.models import SUPERVISING_ROLES
from printer import raster
from printer.render import document_for

bp = Blueprint("printers", __name__, url_prefix="/api/v1")
PREVIEWS = ("ticket", *printing.SLIPS)


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # bearer-token API, no cookies
    app.register_blueprint(bp)


@bp.get("/printers")
@authenticated(staff=True)
def printers_overview() -> Any:
    """Every printer with its health, the devices on it and its recent failed jobs."""
    office = caller_office()
    return printing.printers_overview(db.session, office, office_printers(office))


@bp.post("/print-jobs/<int:job_id>/retry")
@authenticated(staff=True, roles=SUPERVISING_ROLES)
def retry_job(job_id: int) -> Any:
    job = printing.retry_job(db.session, caller_office(), job_id, actor=actor_label())
    db.session.commit()
    return {"job": job.id, "printer": job.printer, "status": job.status.value}, 202


@bp.post("/tickets/<token>/reprint")
@authenticated(staff=True)
def reprint_ticket(token: str) -> Any:
    body = json_body(required=False)
    printer = body.get("printer")
    if printer is not None and not isinstance(printer, str):
        raise InvalidInput("'printer' must be a printer name", code="invalid_field")
    office = caller_office()
    job = printing.reprint_ticket(
        db.session,
        office,
        token,
        printer=printer,
        printers=office_printers(office),
        actor=actor_label(),
    )
    db.session.commit()
    return {"job": job.id, "printer": job.printer, "status": job.status.value}, 202


@bp.get("/dossiers/<code>/control.pdf")
@authenticated(staff=True)
def control_pdf(code: str) -> Response:
    """The dossier's Phiếu kiểm soát quá trình giải quyết hồ sơ as an A4 PDF, from its steps."""
    from printer.pdf import render_pdf

    desk = desk_for(caller_office())
    dossier = dossiers.dossier_by_code(db.session, desk.office, code)
    url = queue.status_url(rules(), dossier.token, "d")
    # (409 where the office's papers lack their header, as for a printed slip)
    pdf = render_pdf(
        document_for("slip", dossiers.control_paper(db.session, desk, dossier, url)), "A4"
    )
    name = f"phieu-kiem-soat-{dossier.code}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.get("/printers/<name>/preview.png")
@authenticated(staff=True)
def preview(name: str) -> Response:
    """A sample ticket or slip drawn for this printer's paper (what the raster mode sends)."""
    office = caller_office()
    cfg = office_printers(office).get(name)
    if cfg is None:
        raise NotFound(f"there is no printer {name!r}", code="unknown_printer")
    kind = request.args.get("kind", "ticket")
    if kind not in PREVIEWS:
        raise InvalidInput(f"kind must be one of {', '.join(PREVIEWS)}", code="invalid_field")
    from printer import layout, slips

    if kind == "ticket":
        payload = {**layout.sample_ticket(), "office_name": office.name}
    else:
        payload = {**slips.sample(kind), "office_name": office.name, "slip": kind}
    doc = document_for("ticket" if kind == "ticket" else "slip", payload)
    buffer = io.BytesIO()
    raster.render(doc, cfg["paper_mm"]).save(buffer, format="PNG")
    return Response(buffer.getvalue(), mimetype="image/png")

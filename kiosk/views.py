"""Kiosk pages and the ticket API (thin: parse, call the domain, commit, respond)."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import Response, g, render_template, request

from kiosk import bp
from onestop import catalog, dossiers, feedback, i18n, printing, queue, readmodels
from onestop.context import office_calendar, rules, settings
from onestop.db import db
from onestop.errors import InvalidInput
from onestop.extensions import csrf, limiter
from onestop.http import (
    authenticated,
    caller_office,
    caller_office_ref,
    current_actor,
    field,
    json_body,
    limit,
    office_of,
    screen_office,
)
from onestop.models import DeviceKind

kiosk_or_staff = authenticated(staff=True, devices=(DeviceKind.KIOSK,))


@bp.get("/kiosk")
def kiosk_page() -> str:
    """The kiosk of its device's office (``?key=``), of ``?office=CODE``, else this server's."""
    cfg = settings()
    office, _ = screen_office(DeviceKind.KIOSK)
    return render_template(
        "kiosk/kiosk.html",
        office=office,
        priorities=cfg["priority_classes"],
        timing=cfg["kiosk"],
        catalog=catalog.published(db.session, office, i18n.current_locale()),
    )


@bp.get("/api/v1/procedures")
@limiter.limit(limit("public_rate_limit"))
def list_procedures() -> Any:
    """The public procedure catalog (the office must post it: no key needed) of the kiosk's
    office (``X-Device-Key``), of ``?office=CODE``, else of this server's office."""
    office, _ = screen_office(DeviceKind.KIOSK)
    return catalog.published(db.session, office, i18n.current_locale())


@bp.get("/api/v1/services")
@kiosk_or_staff
def list_services() -> Any:
    return readmodels.services_list(db.session, caller_office(), rules())


@bp.get("/api/v1/kiosk/printer")
@authenticated(devices=(DeviceKind.KIOSK,))
def kiosk_printer() -> Any:
    """How this kiosk's printer is, so the start screen can warn before a ticket is taken."""
    return printing.kiosk_printer(db.session, g.device, settings()["office"])


@bp.post("/api/v1/tickets")
@csrf.exempt
@kiosk_or_staff
@limiter.limit(limit("ticket_rate_limit"))
def create_ticket() -> Any:
    body = json_body()
    device = g.get("device")
    request_key = request.headers.get("Idempotency-Key") or None
    if request_key is not None and not 8 <= len(request_key) <= 64:
        raise InvalidInput("Idempotency-Key must be 8 to 64 characters", code="invalid_field")
    office = caller_office_ref()  # as the key came with it: no ORM load on the ticket's path
    issued = queue.issue_ticket(
        db.session,
        office,
        field(body, "service", str),
        priority=field(body, "priority", str, required=False),
        actor=current_actor(),
        printer=device.printer if device else None,
        rules=rules(office),
        request_key=request_key,
    )
    db.session.commit()
    status = issued.print_job.status.value if issued.print_job else "not_requested"
    answer = {
        key: issued.receipt[key]
        for key in (
            "number",
            "service",
            "service_name",
            "service_name_en",
            "token",
            "status_url",
            "issued_at",
            "waiting_ahead",
            "estimated_wait_minutes",
            "priority",
        )
    }
    if g.get("officer") is not None:  # the feedback key is for the citizen's paper only
        answer["status_url"] = queue.status_url(rules(), issued.receipt["token"])
    headers = {"Idempotent-Replayed": "true"} if issued.replayed else {}
    return {**answer, "print": {"status": status}}, 200 if issued.replayed else 201, headers


@bp.get("/api/v1/tickets/<token>")
@limiter.limit(limit("public_rate_limit"))
def ticket_status(token: str) -> Any:
    ticket = queue.find_ticket(db.session, token)
    return readmodels.ticket_status(db.session, ticket, rules(office_of(ticket)))


def _key(token: str) -> str | None:
    """The feedback key of the citizen's link (``?k=``), when it is the right one."""
    given = request.args.get("k")
    return given if feedback.key_matches(rules().link_secret, token, given) else None


@bp.get("/t/<token>")
@limiter.limit(limit("public_rate_limit"))
def ticket_page(token: str) -> Any:
    ticket = queue.find_ticket(db.session, token)
    status = readmodels.ticket_status(db.session, ticket, rules(office_of(ticket)))
    return render_template(
        "kiosk/ticket.html", status=status, token=token, office=office_of(ticket), key=_key(token)
    )


@bp.get("/d/<token>")
@limiter.limit(limit("public_rate_limit"))
def dossier_page(token: str) -> Any:
    """A dossier's public progress (the receipt's QR code): no personal data."""
    dossier = dossiers.find_by_token(db.session, token)
    office = office_of(dossier)
    url = queue.status_url(rules(office), token, "d")
    status = dossiers.public_view(db.session, dossier, office_calendar(office), url)
    return render_template(
        "kiosk/dossier.html", status=status, office=office, token=token, key=_key(token)
    )


@bp.get("/t/<token>/qr.svg")
@limiter.limit(limit("public_rate_limit"))
def ticket_qr(token: str) -> Response:
    office = office_of(queue.find_ticket(db.session, token))  # 404 for an unknown token
    # The kiosk asks with the key it was given, so the QR on its screen carries it too.
    links = rules(office)
    url = queue.citizen_url(links, token) if _key(token) else queue.status_url(links, token)
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
    )
    out = io.BytesIO()
    image.save(out)
    return Response(
        out.getvalue(),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "private, max-age=86400"},
    )

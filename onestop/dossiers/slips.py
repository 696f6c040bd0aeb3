"""The papers a dossier gives the citizen: the receipt and appointment slip, the supplement
request and the apology with its new date. Built from the dossier and queued on a printer in the
transaction of the step that calls for them (``printer.slips`` draws them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from onestop import catalog, clock, printing, queue
from onestop.dossiers.desk import Desk
from onestop.errors import Conflict
from onestop.models import Dossier, Office, Officer, PrintJob, Procedure

DEFAULT_SIGNER = "Thủ trưởng cơ quan"


def queue_slip(
    session: Session,
    desk: Desk,
    dossier: Dossier,
    slip: str,
    printer: str,
    *,
    procedure: Procedure | None = None,
    note: str = "",
    reason: str = "",
    signer: str = "",
    extension_note: str = "",
) -> PrintJob:
    """Build ``slip`` (``receipt``, ``supplement_request`` or ``apology``) for ``dossier`` and
    queue it on ``printer``; its QR code carries the citizen's key (the paper is theirs). A
    supplement request lists ``note``'s lines and gives ``reason``; an apology gives
    ``reason``; a receipt given again for a lawful extension says why (``extension_note``)."""
    if desk.links is None:
        raise RuntimeError("printing a slip needs the desk's links (public URL and key)")
    office = desk.office
    head = desk.letterhead
    for key, what in (("place_name", "place name"), ("parent_body", "parent body")):
        if not head.get(key):
            raise Conflict(
                f"office {office.code} has no {what} for its papers: set {key} in "
                f"[offices.{office.code}] (or in [office] for the server's own office)",
                code=f"{key}_missing",
            )
    url = queue.citizen_url(desk.links, dossier.token, "d")
    if slip == "receipt":
        procedure = procedure or session.get(Procedure, dossier.procedure_id)
        assert procedure is not None
        legal_time = catalog.legal_time_text(procedure)  # papers are in Vietnamese
        data = receipt_data(dossier, office, desk.officer, url, legal_time)
        if extension_note:
            data["extension_note"] = extension_note
    elif slip == "supplement_request":
        phone = head.get("phone") or "—"
        data = supplement_data(dossier, office, desk.officer, url, note, reason, phone)
    elif slip == "apology":
        data = apology_data(dossier, office, url, reason, signer)
    else:
        raise ValueError(f"no slip {slip!r} for a dossier")
    # NĐ 30/2020: the body above the unit, and the địa danh (never the unit's name).
    data.update(place=head["place_name"], parent_body=head["parent_body"])
    return printing.queue_slip(
        session, office, printer, slip, data, printers=desk.printers, actor=desk.actor
    )


def _base(dossier: Dossier, office: Office, status_url: str) -> dict[str, Any]:
    applicant, tz = dossier.applicant, office.timezone
    return {
        "office_name": office.name,
        "date": clock.iso(clock.now(), tz),
        "dossier_code": dossier.code,
        "applicant_name": applicant["name"],
        "applicant_id": applicant.get("id_number") or None,
        "address": applicant.get("address") or "—",
        "phone": applicant.get("phone") or "—",
        "email": applicant.get("email") or None,
        "procedure_name": dossier.procedure_name,
        "received_at": clock.iso(dossier.received_at, tz),
        "status_url": status_url,
    }


def _name(officer: Officer | None) -> str:
    return officer.display_name if officer else "—"


def receipt_data(
    dossier: Dossier, office: Office, officer: Officer | None, status_url: str, legal_time: str
) -> dict[str, Any]:
    """The receipt and appointment slip's data (printer.slips.receipt documents the keys)."""
    # Every dossier has its appointment from its receipt: the legal time's, or the officer's
    # where the law states none (receiving.receive_dossier); none is made up here.
    due = dossier.due_at
    assert due is not None, f"dossier {dossier.code} has no appointment"
    return {
        **_base(dossier, office, status_url),
        # Số: the entry in the Sổ theo dõi hồ sơ (the dossier code is its own field).
        "number": str(dossier.register_number or dossier.code),
        "register_book": str(dossier.register_year or ""),
        "register_no": str(dossier.register_number or ""),
        "date": clock.iso(dossier.received_at, office.timezone),
        "documents": dossier.documents or ["—"],
        "legal_time_text": legal_time or "—",
        "due_at": clock.iso(due, office.timezone),
        "return_place": office.name,
        "delivery": dossier.delivery,
        "officer_name": _name(officer),
    }


def supplement_data(
    dossier: Dossier,
    office: Office,
    officer: Officer | None,
    status_url: str,
    missing: str,
    reason: str,
    phone: str,
) -> dict[str, Any]:
    """The supplement request slip: every missing item at once, one per line of ``missing``,
    and why (``reason``); ``phone`` is the office's, whom the citizen asks for help."""
    items = [line.strip(" -•\t") for line in missing.splitlines() if line.strip(" -•\t")]
    return {
        **_base(dossier, office, status_url),
        "number": f"{dossier.code}/PBS",
        "items": items or [missing],
        "reason": reason or "—",
        "contact_name": _name(officer),
        "contact_phone": phone,
        "officer_name": _name(officer),
    }


def apology_data(
    dossier: Dossier, office: Office, status_url: str, reason: str, signer: str
) -> dict[str, Any]:
    """The apology and new date slip (after ``extend``: ``due_at`` is the new date)."""
    tz = office.timezone
    return {
        **_base(dossier, office, status_url),
        "number": f"{dossier.code}/PXL",
        "due_at": clock.iso(dossier.due_at_original, tz),
        "new_due_at": clock.iso(dossier.due_at, tz),
        "reason": reason,
        "signer_name": signer or DEFAULT_SIGNER,
    }

"""The papers a dossier gives the citizen: the receipt and appointment slip, the supplement
request and the apology with its new date. Built from the dossier and queued on a printer in the
transaction of the step that calls for them (``printer.slips`` draws them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from onestop import catalog, clock, printing, queries, queue
from onestop.dossiers.desk import Desk
from onestop.errors import Conflict
from onestop.models import Dossier, Office, PrintJob, Procedure, ReceptionNote
from onestop.refs import OfficerLike

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
    head = letterhead(desk)
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
    elif slip == "refusal":  # a refusal after receipt: the dossier's code is on it
        data = {
            **_base(dossier, office, url),
            "number": f"{dossier.code}/PTC",
            "reason": reason or note,
            "officer_name": _name(desk.officer),
        }
    elif slip == "stop_notice":
        data = {
            **_base(dossier, office, url),
            "number": f"{dossier.code}/TB",
            "reason": reason or note,
            "signer_name": signer or DEFAULT_SIGNER,
        }
    elif slip == "control":
        data = control_data(session, dossier, desk, url)
    else:
        raise ValueError(f"no slip {slip!r} for a dossier")
    return _queue(session, desk, slip, printer, data, head)


def letterhead(desk: Desk) -> dict[str, Any]:
    """What the office's papers say of it; a slip without its legal header is not printed."""
    head, office = desk.letterhead, desk.office
    for key, what in (("place_name", "place name"), ("parent_body", "parent body")):
        if not head.get(key):
            raise Conflict(
                f"office {office.code} has no {what} for its papers: set {key} in "
                f"[offices.{office.code}] (or in [office] for the server's own office)",
                code=f"{key}_missing",
            )
    return dict(head)


def _queue(
    session: Session,
    desk: Desk,
    slip: str,
    printer: str,
    data: dict[str, Any],
    head: dict[str, Any],
) -> PrintJob:
    return printing.queue_slip(
        session,
        desk.office,
        printer,
        slip,
        _headed(data, head),
        printers=desk.printers,
        actor=desk.actor,
    )


def _headed(data: dict[str, Any], head: dict[str, Any]) -> dict[str, Any]:
    """NĐ 30/2020: the body above the unit, and the địa danh (never the unit's name)."""
    return {**data, "place": head["place_name"], "parent_body": head["parent_body"]}


def control_paper(session: Session, desk: Desk, dossier: Dossier, url: str) -> dict[str, Any]:
    """The control slip's whole data with its header, for a PDF drawn at once (not queued)."""
    return {
        **_headed(control_data(session, dossier, desk, url), letterhead(desk)),
        "slip": "control",
    }


def queue_reception_slip(
    session: Session, desk: Desk, note: ReceptionNote, printer: str
) -> PrintJob:
    """The paper of a dossier not received: the Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ for
    guidance, or the Phiếu từ chối tiếp nhận giải quyết hồ sơ; no code, no QR (no dossier)."""
    office, head = desk.office, letterhead(desk)
    person = note.applicant
    data: dict[str, Any] = {
        "office_name": office.name,
        "date": clock.iso(note.at, office.timezone),
        "applicant_name": person["name"],
        "applicant_id": person.get("id_number") or None,
        "address": person.get("address") or "—",
        "phone": person.get("phone") or "—",
        "email": person.get("email") or None,
        "procedure_name": note.procedure_name,
        "reason": note.reason,
        "officer_name": _name(desk.officer),
        **_filer(person),
    }
    if note.kind == "guidance":
        slip = "supplement_request"
        data.update(
            number=f"{note.id}/PBS-TN",
            items=list(note.items),
            contact_name=_name(desk.officer),
            contact_phone=head.get("phone") or "—",
        )
    else:
        slip, data["number"] = "refusal", f"{note.id}/PTC"
    return _queue(session, desk, slip, printer, data, head)


#: The steps as the control slip words them (a Vietnamese paper).
STEP_WORDS = {
    "receive": "Tiếp nhận hồ sơ",
    "start": "Bắt đầu giải quyết",
    "request_supplement": "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    "supplement_received": "Nhận hồ sơ bổ sung",
    "request_fee": "Yêu cầu nộp phí, lệ phí",
    "fee_paid": "Đã nộp phí, lệ phí",
    "resolve": "Hoàn thành giải quyết",
    "return": "Trả kết quả",
    "refuse": "Từ chối giải quyết",
    "stop": "Dừng giải quyết",
    "withdraw": "Rút hồ sơ",
    "extend": "Xin lỗi và hẹn lại ngày trả kết quả",
    "extend_by_law": "Gia hạn theo quy định",
}


def control_data(session: Session, dossier: Dossier, desk: Desk, url: str) -> dict[str, Any]:
    """The Phiếu kiểm soát quá trình giải quyết hồ sơ, from the dossier's steps: each hand-over
    with its time, unit and officer, judged by date against the date the dossier is judged by
    (before it early, on it on time, after it late; the receipt itself is not judged)."""
    office = desk.office
    tz = office.timezone
    judged = dossier.due_at_original or dossier.due_at
    assert judged is not None, f"dossier {dossier.code} has no appointment"
    judged_day = clock.local_day(judged, tz)
    names = {o.id: o.display_name for o in queries.officers_of_office(session, office.id)}
    steps = []
    for event in queries.dossier_steps(session, dossier.id):
        day = clock.local_day(event.at, tz)
        verdict = ""
        if event.action != "receive":
            verdict = "early" if day < judged_day else "on_time" if day == judged_day else "late"
        steps.append(
            {
                "at": clock.iso(event.at, tz),
                "step": STEP_WORDS.get(event.action, event.action),
                "unit": event.unit or office.name,
                "officer": names.get(event.officer_id or 0, "—"),
                "timeliness": verdict,
                "note": event.note,
            }
        )
    return {
        **_base(dossier, office, url),
        "number": str(dossier.register_number or dossier.code),
        "due_at": clock.iso(dossier.due_at, tz),
        "steps": steps,
    }


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
        **_filer(applicant),
    }


def _filer(applicant: dict[str, Any]) -> dict[str, Any]:
    """An organisation's tax code and an authorised filer, where the applicant has them."""
    out: dict[str, Any] = {}
    if applicant.get("tax_code"):
        out["tax_code"] = applicant["tax_code"]
    if applicant.get("authorised"):
        out["authorised"] = dict(applicant["authorised"])
    return out


def _name(officer: OfficerLike | None) -> str:
    return officer.display_name if officer else "—"


def receipt_data(
    dossier: Dossier, office: Office, officer: OfficerLike | None, status_url: str, legal_time: str
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
        "postal_address": dossier.applicant.get("postal_address") or None,
        "officer_name": _name(officer),
    }


def supplement_data(
    dossier: Dossier,
    office: Office,
    officer: OfficerLike | None,
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

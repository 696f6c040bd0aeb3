"""The dossier rules, straight over a session (no HTTP): the table of actions, receiving, the
supplement pause, the single extension, returning, timeliness, the watch list and the slips
each step queues. The API tests (tests/counter/test_dossier_api.py) cover the same through
the desk's endpoints."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from onestop import auth, dossiers, queries, queue, workcalendar
from onestop.clock import as_utc
from onestop.config import LETTERHEAD
from onestop.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from onestop.models import (
    DOSSIER_ACTIONS,
    OPEN_DOSSIER_STATES,
    DossierState,
    PrintJob,
    Role,
    Ticket,
)
from tests.helpers import APPLICANT, SAME_DAY, THREE_DAYS, local
from tests.printer.fakes import config as printer_config


@pytest.fixture
def desk(app: Any, creds: Any, session: Any, frozen: Any) -> dossiers.Desk:
    """An admin's desk at the demo office on Monday 30/11/2026 09:00, with a slip printer."""
    frozen.set(local("2026-11-30 09:00"))
    cfg = app.config["ONESTOP"]
    office = auth.office_by_code(session, cfg["office"]["code"])
    admin = queries.officer_by_username(session, "admin")
    return dossiers.Desk(
        office,
        workcalendar.calendar_for(session, office, cfg),
        officer=admin,
        links=app.extensions["onestop.rules"],
        printers={"desk-1": printer_config(page="A5")},
        letterhead={key: cfg["office"][key] for key in LETTERHEAD},
        actor="officer:admin",
    )


def receive(session: Any, desk: dossiers.Desk, procedure: str = THREE_DAYS, **kw: Any) -> Any:
    handled = dossiers.receive_dossier(
        session, desk, procedure_code=procedure, applicant=APPLICANT, **kw
    )
    session.commit()
    return handled


def act(session: Any, desk: dossiers.Desk, code: str, action: str, **given: Any) -> Any:
    printer = given.pop("printer", None)
    handled = dossiers.act(
        session, desk, code, action, dossiers.ActionInput(**given), printer=printer
    )
    session.commit()
    return handled


# -- the table ---------------------------------------------------------------------------------


def test_the_table_is_what_the_page_reads() -> None:
    rules = dossiers.action_rules()
    assert set(rules) == set(DOSSIER_ACTIONS)
    assert {name for name, r in rules.items() if r["needs_reason"]} == {
        "request_supplement",
        "refuse",
        "stop",
        "withdraw",
        "extend",
        "extend_by_law",
    }
    assert {name for name, r in rules.items() if r["head_of_unit"]} == {"extend", "stop"}
    assert {name: r["slip"] for name, r in rules.items() if r["slip"]} == {
        "request_supplement": "supplement_request",
        "extend": "apology",
        "extend_by_law": "receipt",  # a new Giấy tiếp nhận và hẹn trả kết quả
        "refuse": "refusal",
        "stop": "stop_notice",
    }
    assert rules["extend"]["asks"] == rules["extend_by_law"]["asks"] == ["new_due_at"]
    assert rules["return"]["asks"] == ["tracking"]
    # A slip the table names is one the printer can draw.
    from onestop.printing import SLIPS

    assert {r["slip"] for r in rules.values() if r["slip"]} <= set(SLIPS)


def test_closing_actions_start_from_every_open_state() -> None:
    for name in ("stop", "withdraw", "extend", "extend_by_law"):
        assert DOSSIER_ACTIONS[name].allowed_from == OPEN_DOSSIER_STATES
    assert DOSSIER_ACTIONS["return"].allowed_from == {DossierState.RESOLVED}


# -- receiving -----------------------------------------------------------------------------------


def test_receiving_gives_a_code_a_token_an_appointment_and_a_first_step(
    session: Any, desk: dossiers.Desk
) -> None:
    handled = receive(session, desk)
    dossier = handled.dossier
    assert handled.print_job is None
    assert dossier.code == "UBND-XA-DEMO-261130-0001"
    assert dossier.state == DossierState.RECEIVED
    assert as_utc(dossier.due_at) == local("2026-12-03 09:00")  # 3 working days of 8 hours
    assert dossier.due_at_original == dossier.due_at
    assert dossier.rule["value"] == 3
    assert dossier.received_by == desk.officer.id
    [step] = dossiers.events(session, dossier)
    assert (step.action, step.from_state, step.to_state) == ("receive", None, "received")
    assert step.unit == desk.office.name
    assert receive(session, desk).dossier.code.endswith("-0002")


def test_receiving_refuses_what_is_not_a_dossier(session: Any, desk: dossiers.Desk) -> None:
    with pytest.raises(NotFound) as unknown:
        receive(session, desk, "9.999999")
    assert unknown.value.code == "unknown_procedure"
    for kw, code in (
        ({"documents": "CCCD"}, "invalid_field"),
        ({"documents": ["x"] * 61}, "too_long"),
        ({"channel": "fax"}, "invalid_field"),
        ({"delivery": "pigeon"}, "invalid_field"),
        ({"ticket_token": "no-such-ticket"}, "unknown_ticket"),
    ):
        with pytest.raises((InvalidInput, NotFound)) as refused:
            dossiers.receive_dossier(
                session, desk, procedure_code=THREE_DAYS, applicant=APPLICANT, **kw
            )
        session.rollback()
        assert refused.value.code == code, kw
    with pytest.raises(InvalidInput) as nameless:
        dossiers.receive_dossier(session, desk, procedure_code=THREE_DAYS, applicant={"phone": "1"})
    assert nameless.value.code == "missing_field"


def test_a_dossier_comes_from_the_visit_being_served(
    app: Any, session: Any, desk: dossiers.Desk
) -> None:
    rules = app.extensions["onestop.rules"]
    waiting = session.get(
        Ticket, queue.issue_ticket(session, desk.office, "A", rules=rules).ticket.id
    )
    session.commit()
    with pytest.raises(Conflict) as early:
        receive(session, desk, ticket_token=waiting.token)
    assert early.value.code == "invalid_ticket_state"
    session.rollback()
    actor = queue.Actor(officer=desk.officer)
    queue.call_next(session, desk.office, 1, actor=actor, rules=rules)
    session.commit()
    dossier = receive(session, desk, ticket_token=waiting.token).dossier
    assert dossier.ticket_id == waiting.id


def test_with_a_printer_the_receipt_is_queued_in_the_same_step(
    session: Any, desk: dossiers.Desk
) -> None:
    handled = receive(session, desk, SAME_DAY, printer="desk-1")
    job = handled.print_job
    assert job is not None
    assert job.printer == "desk-1"
    payload = job.payload
    assert payload["slip"] == "receipt"
    # Số: the entry in the year's Sổ theo dõi hồ sơ; the dossier code is its own field.
    assert (payload["number"], payload["register_book"], payload["register_no"]) == (
        "1",
        "2026",
        "1",
    )
    assert payload["dossier_code"] == handled.dossier.code
    assert (
        payload["legal_time_text"]
        == "Trong ngày (nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo)"
    )
    assert payload["due_at"] == "2026-11-30T17:00:00+07:00"
    # The receipt's QR carries the citizen's key: the paper is theirs.
    assert payload["status_url"] == queue.citizen_url(desk.links, handled.dossier.token, "d")
    # Every legal time reads in Vietnamese on the paper, whatever its number: a day count
    # came out "3 working days" (the catalog's entry lacked its plural form).
    several = receive(session, desk, THREE_DAYS, printer="desk-1").print_job
    assert several is not None
    assert several.payload["legal_time_text"] == "3 ngày làm việc"
    assert several.payload["number"] == "2"
    with pytest.raises(InvalidInput) as unknown:
        receive(session, desk, printer="nowhere")
    assert unknown.value.code == "unknown_printer"
    session.rollback()
    assert (
        len(queries.dossiers_resolved_since(session, desk.office.id, local("2026-11-30 00:00")))
        == 0
    )


NO_STATED_TIME = "1.010833"  # xác nhận thân nhân người có công: the law states no time


def test_a_procedure_without_a_stated_time_takes_the_officers_appointment(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    """No appointment is invented: where the law states no time the officer gives one, a
    working moment after receipt; the receipt prints it and the dossier is judged by it."""

    def refused(**kw: Any) -> str:
        with pytest.raises(InvalidInput) as error:
            receive(session, desk, NO_STATED_TIME, **kw)
        session.rollback()
        return error.value.code

    assert refused() == "due_at_required"
    assert refused(due_at=local("2026-11-30 08:00")) == "invalid_field"  # before the receipt
    assert refused(due_at=local("2026-12-02 12:00")) == "invalid_field"  # the lunch break
    assert refused(due_at=local("2026-12-05 10:00")) == "invalid_field"  # a Saturday
    with pytest.raises(InvalidInput) as stated:  # the law's time is not the officer's to set
        receive(session, desk, THREE_DAYS, due_at=local("2026-12-10 10:00"))
    assert stated.value.code == "due_at_not_allowed"
    session.rollback()

    handled = receive(
        session, desk, NO_STATED_TIME, due_at=local("2026-12-02 17:00"), printer="desk-1"
    )
    dossier = handled.dossier
    assert as_utc(dossier.due_at) == as_utc(local("2026-12-02 17:00"))
    assert dossier.due_at_original == dossier.due_at
    assert handled.print_job is not None
    assert handled.print_job.payload["due_at"] == "2026-12-02T17:00:00+07:00"
    assert handled.print_job.payload["legal_time_text"] == "Hỏi tại quầy"
    frozen.set(local("2026-12-03 09:00"))  # resolved the day after the officer's date: late
    act(session, desk, dossier.code, "resolve")
    assert (
        workcalendar.timeliness(
            desk.calendar, dossier.due_at, dossier.resolved_at, period_end=local("2026-12-31 17:00")
        )
        == "late"
    )


# -- acting ---------------------------------------------------------------------------------------


def test_every_action_follows_the_table(session: Any, desk: dossiers.Desk) -> None:
    for action, rule in DOSSIER_ACTIONS.items():
        dossier = receive(session, desk).dossier
        given = {"note": "lý do", "reason": "lý do", "new_due_at": local("2026-12-04 09:00")}
        if DossierState.RECEIVED in rule.allowed_from:
            after = act(session, desk, dossier.code, action, **given).dossier
            assert after.state == (rule.leads_to or DossierState.RECEIVED), action
        else:
            with pytest.raises(InvalidTransition) as wrong:
                act(session, desk, dossier.code, action, **given)
            session.rollback()
            assert wrong.value.code == "invalid_dossier_state", action
    with pytest.raises(InvalidInput) as unknown:
        act(session, desk, dossier.code, "teleport")
    assert unknown.value.code == "unknown_action"


def test_a_reason_is_required_where_the_table_says(session: Any, desk: dossiers.Desk) -> None:
    code = receive(session, desk).dossier.code
    for action, rule in DOSSIER_ACTIONS.items():
        if rule.needs_reason and DossierState.RECEIVED in rule.allowed_from:
            with pytest.raises(InvalidInput) as missing:
                act(session, desk, code, action, note="   ")
            session.rollback()
            assert missing.value.code == "missing_field", action


def test_only_the_head_of_the_unit_extends_or_stops(session: Any, desk: dossiers.Desk) -> None:
    officer = auth.create_officer(session, desk.office, "lan", "password123", Role.OFFICER.value)
    session.commit()
    clerk = replace(desk, officer=officer)
    code = receive(session, clerk).dossier.code
    for action in ("extend", "stop"):
        with pytest.raises(Forbidden) as refused:
            act(session, clerk, code, action, note="x", new_due_at=local("2026-12-04 09:00"))
        assert refused.value.code == "wrong_role"
    assert act(session, clerk, code, "withdraw", note="Công dân rút").dossier.state == (
        DossierState.WITHDRAWN
    )
    system = replace(desk, officer=None)  # the system itself may, too
    other = receive(session, system).dossier.code
    assert act(session, system, other, "stop", note="Hết hạn").dossier.state == DossierState.STOPPED


def test_a_supplement_pauses_both_dates_and_a_second_one_counts_late(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    dossier = receive(session, desk).dossier
    due = dossier.due_at
    act(
        session,
        desk,
        dossier.code,
        "request_supplement",
        note="Bản sao CCCD",
        reason="Bản sao chưa được chứng thực",
    )
    frozen.set(local("2026-12-01 09:00"))  # a whole working day waiting for the citizen
    after = act(session, desk, dossier.code, "supplement_received").dossier
    assert as_utc(after.due_at) == local("2026-12-04 09:00")
    assert after.due_at_original == after.due_at
    assert after.due_at != due
    assert dossiers.paused_hours(dossiers.events(session, after)) == 8.0
    act(
        session,
        desk,
        dossier.code,
        "request_supplement",
        note="Giấy xác nhận cư trú",
        reason="Bản sao chưa được chứng thực",
    )
    act(session, desk, dossier.code, "supplement_received")
    resolved = act(session, desk, dossier.code, "resolve").dossier
    assert dossiers.timeliness_of(
        desk.calendar, resolved, period_end=local("2026-12-01 10:00")
    ) == ("late")


def test_one_extension_a_working_day_ahead_within_the_limit(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    code = receive(session, desk, SAME_DAY).dossier.code  # due today 17:00, limit 2 days
    with pytest.raises(Conflict) as same_day:
        act(session, desk, code, "extend", note="x", new_due_at=local("2026-12-01 17:00"))
    assert same_day.value.code == "too_late_to_extend"
    session.rollback()
    frozen.set(local("2026-11-27 09:00"))  # a Friday, for a Monday appointment
    code = receive(session, desk, THREE_DAYS).dossier.code  # due Wed 2/12 09:00
    frozen.set(local("2026-11-30 10:00"))
    for new_due, error in (
        (local("2026-12-02 09:00"), "invalid_field"),  # not after the appointment
        (local("2026-12-02 12:00"), "invalid_field"),  # in the lunch break
    ):
        with pytest.raises(InvalidInput) as bad:
            act(session, desk, code, "extend", note="x", new_due_at=new_due)
        session.rollback()
        assert bad.value.code == error
    with pytest.raises(InvalidInput) as missing:
        act(session, desk, code, "extend", note="x")
    assert missing.value.code == "missing_field"
    session.rollback()
    handled = act(
        session,
        desk,
        code,
        "extend",
        note="Cần xác minh",
        new_due_at=local("2026-12-04 17:00"),
        signer="  Trần Văn Bình ",
        printer="desk-1",
    )
    dossier = handled.dossier
    assert as_utc(dossier.due_at) == local("2026-12-04 17:00")
    assert as_utc(dossier.due_at_original) == local("2026-12-02 09:00")  # judged against this
    assert dossier.extended_count == 1
    assert handled.print_job is not None
    assert handled.print_job.payload["slip"] == "apology"
    assert handled.print_job.payload["signer_name"] == "Trần Văn Bình"
    assert handled.print_job.payload["reason"] == "Cần xác minh"
    with pytest.raises(Conflict) as twice:
        act(session, desk, code, "extend", note="x", new_due_at=local("2026-12-07 17:00"))
    assert twice.value.code == "already_extended"


# -- lawful extensions (DOMAIN §2.4 step 6): not a delay --------------------------------------


def officer_desk(session: Any, desk: dossiers.Desk) -> dossiers.Desk:
    """The same desk for a plain officer (a lawful extension is theirs to give)."""
    officer = auth.create_officer(session, desk.office, "lan", "password123", Role.OFFICER.value)
    session.commit()
    return replace(desk, officer=officer, actor="officer:lan")


def test_a_same_day_dossier_may_be_extended_by_law_the_day_it_is_received(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    """Chứng thực bản sao, many documents: +2 working days (NĐ 23/2015 Art 7), set at receipt;
    done inside them, it is on time, where the apology path is closed the same day."""
    code = receive(session, desk, SAME_DAY).dossier.code  # Mon 30/11 09:00, due 17:00 today
    clerk = officer_desk(session, desk)
    with pytest.raises(InvalidInput) as too_long:
        act(session, clerk, code, "extend_by_law", note="x", new_due_at=local("2026-12-03 07:30"))
    assert too_long.value.code == "extension_too_long"
    session.rollback()
    handled = act(
        session,
        clerk,
        code,
        "extend_by_law",
        note="Nhiều bản chính, nhiều trang",
        new_due_at=local("2026-12-02 17:00"),  # 17:00 today + 2 working days
        printer="desk-1",
    )
    dossier = handled.dossier
    assert as_utc(dossier.due_at) == as_utc(dossier.due_at_original) == local("2026-12-02 17:00")
    assert (dossier.extended_by_law, dossier.extended_count) == (1, 0)
    slip = handled.print_job.payload
    assert slip["slip"] == "receipt"
    assert slip["due_at"] == "2026-12-02T17:00:00+07:00"
    assert slip["extension_note"] == "Nhiều bản chính, nhiều trang"
    step = dossiers.events(session, dossier)[-1]
    assert step.action == "extend_by_law"
    assert step.data["previous_due_at"] == "2026-11-30T17:00:00+07:00"
    assert step.data["lawful_limit"] == "2026-12-02T17:00:00+07:00"
    frozen.set(local("2026-12-02 16:00"))
    resolved = act(session, clerk, code, "resolve").dossier
    assert dossiers.timeliness_of(desk.calendar, resolved, period_end=local("2026-12-31")) == (
        "on_time"
    )


def test_a_dossier_received_over_lunch_may_be_extended_to_its_bound_at_the_mornings_end(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    """Received at 11:42 (the morning session over), the time counts from 13:30 and runs out
    at 11:30, the end of a morning; the law's bound lands there too, and the desk offers it:
    that moment must be a valid new appointment (it was refused as outside working hours)."""
    frozen.set(local("2026-12-02 11:42"))
    code = receive(session, desk, "1.004859").dossier.code
    dossier = dossiers.dossier_by_code(session, desk.office, code)
    assert as_utc(dossier.due_at) == local("2026-12-07 11:30")
    view = dossiers.staff_view(session, dossier, desk.calendar, "u")
    assert view["lawful_limit"] == "2026-12-10T11:30:00+07:00"
    with pytest.raises(InvalidInput) as shut:  # a minute into the lunch break is no time
        act(session, desk, code, "extend_by_law", note="x", new_due_at=local("2026-12-09 11:31"))
    assert shut.value.code == "invalid_field"
    session.rollback()
    extended = act(
        session, desk, code, "extend_by_law", note="Xác minh", new_due_at=local("2026-12-10 11:30")
    ).dossier
    assert as_utc(extended.due_at) == local("2026-12-10 11:30")


def test_marriage_with_verification_is_five_working_days_in_total(
    session: Any, desk: dossiers.Desk
) -> None:
    """Luật Hộ tịch Art 18.2: "không quá 05 ngày làm việc" from receipt, not 5 more."""
    code = receive(session, desk, "1.000894").dossier.code  # Mon 30/11 09:00, same day
    view = dossiers.staff_view(session, dossiers.dossier_by_code(session, desk.office, code),
                               desk.calendar, "u")  # fmt: skip
    assert view["lawful_limit"] == "2026-12-07T09:00:00+07:00"  # 40 working hours on
    assert "extend_by_law" in view["actions"]
    with pytest.raises(InvalidInput) as over:
        act(session, desk, code, "extend_by_law", note="x", new_due_at=local("2026-12-07 17:00"))
    assert over.value.code == "extension_too_long"  # what "added" would have allowed
    session.rollback()
    act(session, desk, code, "extend_by_law", note="Xác minh", new_due_at=local("2026-12-07 09:00"))


def test_a_correction_extended_by_law_and_done_inside_it_is_on_time_an_apology_is_not(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    """1.004859 cải chính: 3 working days, +3 with verification (Art 28.2)."""
    lawful = receive(session, desk, "1.004859").dossier.code  # due Thu 03/12 09:00
    apology = receive(session, desk, "1.004859").dossier.code
    frozen.set(local("2026-12-02 10:00"))
    with pytest.raises(InvalidInput) as over:
        act(session, desk, lawful, "extend_by_law", note="x", new_due_at=local("2026-12-08 09:30"))
    assert over.value.code == "extension_too_long"
    session.rollback()
    act(
        session,
        desk,
        lawful,
        "extend_by_law",
        note="Xác minh",
        new_due_at=local("2026-12-08 09:00"),
    )
    act(session, desk, apology, "extend", note="Chậm", new_due_at=local("2026-12-08 09:00"))
    frozen.set(local("2026-12-07 15:00"))
    for code, expected in ((lawful, "early"), (apology, "late")):
        done = act(session, desk, code, "resolve").dossier
        assert dossiers.timeliness_of(desk.calendar, done, period_end=local("2026-12-31")) == (
            expected
        )


def test_a_lawful_extension_once_by_the_appointment_never_after_an_apology(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    first = receive(session, desk, "1.004859").dossier.code  # due Thu 03/12 09:00
    second = receive(session, desk, "1.004859").dossier.code
    none = receive(session, desk, "1.004837").dossier.code  # giám hộ: the law allows none
    with pytest.raises(Conflict) as no_law:
        act(session, desk, none, "extend_by_law", note="x", new_due_at=local("2026-12-04 09:00"))
    assert no_law.value.code == "no_extension_allowed"
    session.rollback()
    view = dossiers.staff_view(session, dossiers.dossier_by_code(session, desk.office, none),
                               desk.calendar, "u")  # fmt: skip
    assert "extend_by_law" not in view["actions"]
    assert view["lawful_limit"] is None
    act(session, desk, first, "extend_by_law", note="x", new_due_at=local("2026-12-04 09:00"))
    with pytest.raises(Conflict) as twice:
        act(session, desk, first, "extend_by_law", note="x", new_due_at=local("2026-12-05 09:00"))
    assert twice.value.code == "already_extended"
    session.rollback()
    # The apology stays possible after it, judged against the lawful date.
    act(session, desk, first, "extend", note="Chậm", new_due_at=local("2026-12-10 09:00"))
    done = dossiers.dossier_by_code(session, desk.office, first)
    assert as_utc(done.due_at_original) == local("2026-12-04 09:00")
    act(session, desk, second, "extend", note="Chậm", new_due_at=local("2026-12-07 09:00"))
    with pytest.raises(Conflict) as after_apology:
        act(session, desk, second, "extend_by_law", note="x", new_due_at=local("2026-12-08 09:00"))
    assert after_apology.value.code == "apology_given"
    session.rollback()
    late = receive(session, desk, "1.004859").dossier.code  # received Mon 09:00 too
    frozen.set(local("2026-12-03 09:01"))  # a minute after its appointment
    with pytest.raises(Conflict) as passed:
        act(session, desk, late, "extend_by_law", note="x", new_due_at=local("2026-12-04 09:00"))
    assert passed.value.code == "too_late_to_extend"


def test_a_verification_counted_in_plain_days_and_moved_by_a_supplement(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    """1.004873: 23 days in all with verification (calendar days: NĐ 123/2015 Art 22), and an
    "in total" bound moves on with the appointment when the citizen's papers kept it waiting."""
    code = receive(session, desk, THREE_DAYS).dossier.code  # Mon 30/11 09:00
    dossier = dossiers.dossier_by_code(session, desk.office, code)
    assert dossiers.lawful_limit(dossier, desk.calendar) == local("2026-12-23 17:00")
    act(session, desk, code, "request_supplement", note="Tờ khai", reason="Thiếu")
    frozen.set(local("2026-12-01 09:00"))  # a working day later
    act(session, desk, code, "supplement_received")
    view = dossiers.staff_view(session, dossier, desk.calendar, "u")
    assert view["lawful_limit"] == "2026-12-24T17:00:00+07:00"


def test_a_late_first_supplement_request_is_allowed_flagged_and_launders_nothing(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    """DOMAIN §2.5: papers are asked for within 3 working days of receipt. A later first
    request, or one after the appointment, goes through with a warning kept on its step; one
    after the appointment never makes the dossier on time."""

    def ask(code: str) -> Any:
        return act(session, desk, code, "request_supplement", note="CCCD", reason="Bản sao mờ")

    in_time = receive(session, desk, "1.004884").dossier.code  # 5 working days: Mon 07/12
    late = receive(session, desk, "1.004884").dossier.code
    overdue = receive(session, desk).dossier.code  # 3 working days: Thu 03/12 09:00
    frozen.set(local("2026-12-03 09:00"))  # 3 working days on: still in time
    assert ask(in_time).warning is None
    frozen.set(local("2026-12-04 10:00"))  # past the 3 days, and past the 3-day dossier's date
    flagged = ask(late)
    assert flagged.warning == "after_3_working_days"
    assert dossiers.events(session, flagged.dossier)[-1].data["late_request"] == flagged.warning
    after = ask(overdue)
    assert after.warning == "after_appointment"
    judged = after.dossier.due_at_original
    frozen.set(local("2026-12-07 10:00"))
    back = act(session, desk, overdue, "supplement_received").dossier
    assert back.due_at_original == judged  # the pause does not move the date it is judged by
    resolved = act(session, desk, overdue, "resolve").dossier
    assert workcalendar.timeliness(
        desk.calendar, resolved.due_at_original, resolved.resolved_at,
        period_end=local("2026-12-31 17:00"),
    ) == "late"  # fmt: skip


def test_a_step_without_a_slip_prints_nothing(session: Any, desk: dossiers.Desk) -> None:
    code = receive(session, desk).dossier.code
    assert act(session, desk, code, "start", printer="desk-1").print_job is None
    handled = act(
        session,
        desk,
        code,
        "request_supplement",
        note="- CCCD\n- Sổ hộ khẩu",
        reason="Bản sao chưa được chứng thực",
        printer="desk-1",
    )
    assert handled.print_job is not None
    assert handled.print_job.payload["items"] == ["CCCD", "Sổ hộ khẩu"]
    # Headed by the body above the unit; whom to call is the office's own phone.
    assert handled.print_job.payload["parent_body"] == desk.letterhead["parent_body"]
    assert handled.print_job.payload["contact_phone"] == "0200 3 812 345"
    assert session.scalars(select(PrintJob)).all() == [handled.print_job]


def test_returning_by_post_needs_a_tracking_note(session: Any, desk: dossiers.Desk) -> None:
    code = receive(session, desk, delivery="post").dossier.code
    act(session, desk, code, "resolve")
    with pytest.raises(InvalidInput) as missing:
        act(session, desk, code, "return")
    assert missing.value.code == "missing_field"
    session.rollback()
    returned = act(session, desk, code, "return", tracking="EMS123456VN").dossier
    assert returned.state == DossierState.RETURNED
    assert dossiers.events(session, returned)[-1].data == {
        "delivery": "post",
        "tracking": "EMS123456VN",
    }
    other = receive(session, desk).dossier.code
    act(session, desk, other, "resolve")
    handed = act(session, desk, other, "return", delivery="electronic").dossier
    assert handed.delivery == "electronic"


# -- reading --------------------------------------------------------------------------------------


def test_timeliness_is_judged_at_resolve_not_return(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    code = receive(session, desk).dossier.code  # due Thursday 3/12 09:00
    frozen.set(local("2026-12-02 16:00"))
    act(session, desk, code, "resolve")
    frozen.set(local("2026-12-10 09:00"))
    dossier = act(session, desk, code, "return").dossier
    assert dossiers.timeliness_of(desk.calendar, dossier, period_end=frozen()) == "early"
    late = receive(session, desk).dossier
    assert dossiers.timeliness_of(desk.calendar, late, period_end=local("2026-12-16 09:00")) == (
        "overdue"
    )
    closed = act(session, desk, late.code, "withdraw", note="Rút").dossier
    assert dossiers.timeliness_of(desk.calendar, closed, period_end=frozen()) == "closed"


def test_the_watch_warns_of_an_apology_only_where_one_may_be_needed(
    session: Any, desk: dossiers.Desk, frozen: Any
) -> None:
    """DOMAIN §2.6: warned at D-2 working days, the apology and new date out by D-1. A dossier
    due today is past that (no warning that cannot be acted on), and one just received is not
    late for being new: each row says why it is listed."""

    def seen() -> dict[str, tuple[int, str, bool]]:
        rows = dossiers.watch(session, desk.office, desk.calendar)
        return {w["code"]: (w["working_days_left"], w["why"], w["alert"]) for w in rows}

    today = receive(session, desk, SAME_DAY).dossier.code  # Mon 30/11, due today 17:00
    three = receive(session, desk).dossier.code  # due Thu 03/12 09:00
    assert seen() == {today: (0, "due_today", False)}
    frozen.set(local("2026-12-01 09:00"))  # Tue: D-2 of the three-day dossier
    two = receive(session, desk, "2.001035").dossier.code  # received today, due Thu 03/12
    assert seen() == {
        today: (-1, "overdue", False),
        three: (2, "apology_window", True),
        two: (2, "due_soon", False),
    }
    frozen.set(local("2026-12-02 09:00"))  # Wed: D-1, the last day for the apology
    assert seen()[three] == (1, "apology_last_day", True)
    assert seen()[two] == (1, "apology_last_day", True)  # no longer new: it may be late too
    act(
        session,
        desk,
        three,
        "extend",
        note="Cần xác minh",
        new_due_at=local("2026-12-04 17:00"),
    )
    assert seen()[three] == (2, "extended", False)  # its one new date is given
    act(session, desk, two, "request_supplement", note="CCCD", reason="Bản sao chưa rõ")
    assert two not in seen()  # waiting for the citizen: the clock stands still


def test_the_public_view_shows_no_personal_data(session: Any, desk: dossiers.Desk) -> None:
    dossier = receive(session, desk).dossier
    act(
        session,
        desk,
        dossier.code,
        "request_supplement",
        note="Bản sao sổ hộ khẩu",
        reason="Bản sao chưa được chứng thực",
    )
    shown = dossiers.public_view(session, dossier, desk.calendar, "https://x/d/t")
    text = str(shown)
    for secret in (APPLICANT["name"], APPLICANT["phone"], "Bản sao", dossier.token):
        assert secret not in text
    assert [s["action"] for s in shown["steps"]] == ["receive", "request_supplement"]
    staff = dossiers.staff_view(session, dossier, desk.calendar, "https://x/d/t")
    assert staff["applicant"]["name"] == APPLICANT["name"]
    assert staff["actions"] == [
        n for n, r in DOSSIER_ACTIONS.items() if DossierState.SUPPLEMENT_REQUESTED in r.allowed_from
    ]


def test_a_wrong_token_looks_like_an_unknown_code(session: Any, desk: dossiers.Desk) -> None:
    dossier = receive(session, desk).dossier
    assert dossiers.with_token(session, dossier.code, dossier.token) is dossier
    for code, token in ((dossier.code, "guess"), (dossier.code, ""), ("NO-SUCH", dossier.token)):
        with pytest.raises(NotFound) as hidden:
            dossiers.with_token(session, code, token)
        assert hidden.value.code == "unknown_dossier"

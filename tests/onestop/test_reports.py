"""The reports against hand-counted figures on a constructed month (DOMAIN §2.4–§4).

The office counts its months from the 15th ("November" = Thu 15/10/2026 – Sat 14/11/2026). The
dossiers, each made through the API on a frozen clock (times are Hà Nội's; working hours
07:00–11:30 and 13:30–17:00, 8 a day):

====  =============================================================  =======================
name  what happens                                                   the month's outcome
====  =============================================================  =======================
A     3-day, received Mon 12/10 09:00 (before), resolved Thu 15/10   carried over, on time
B     same-day, received 12/10, resolved 14/10, returned by post 15/10  returned only
C     3-day, 19/10 09:00, resolved Tue 20/10 10:00, returned           early
D     3-day, 19/10; supplement asked 10:00, given Wed 21/10 10:00;     on time (paused 16 h)
      resolved Mon 26/10 08:00 (due moved from Thu 22/10 to Mon 26/10)
E     same-day, Tue 20/10; lawful extension to Thu 22/10 17:00;         on time (extended date)
      resolved 22/10 16:00, returned 16:30
F     3-day, Mon 26/10 (due Thu 29/10); apology, new date 02/11;        late (apology)
      resolved Fri 30/10 10:00; rated "unsatisfied"
G     3-day, Mon 09/11 09:00 (due Thu 12/11), still open                in progress, overdue
H     3-day, Fri 13/11 09:00 (due Wed 18/11)                            in progress, within
I     same-day online, Wed 21/10: resolved 10:00, returned 10:05 e-     on time, 4 tại chỗ met
J     3-day, Wed 21/10, withdrawn Thu 22/10                             closed (withdrawn)
K     3-day, Mon 16/11 (after the month)                                not in the month
L     3-day, Mon 02/11 (due Thu 05/11); supplement asked Wed 04/11,     in progress, within
      still with the citizen at the month's end, given 16/11             (judged at the request)
M     3-day, Thu 12/11 09:00; supplement asked 10:00, given Fri 13/11   in progress, within
      10:00; asked again Tue 17/11 (after the month)                    (one request then)
====  =============================================================  =======================

Besides: a refusal and a guidance at reception in the month (not dossiers), and three ratings
served in it (C very satisfied, F unsatisfied, one pad that timed out).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from onestop import auth, plainrows, reports, workcalendar
from onestop.db import db
from onestop.models import Dossier, Office, Officer, Rating
from onestop.reports import export
from onestop.reports.kpi import WorkingHours
from onestop.reports.periods import custom, period_of, weeks_back
from onestop.reports.queue_report import LocalClock
from tests.counter.test_dossier_api import APPLICANT, act, receive
from tests.helpers import (
    LONG_SESSIONS,
    SAME_DAY,
    THREE_DAYS,
    add_officer,
    cli_env,
    error_code,
    invoke_cli,
    local,
    login,
)

NOVEMBER = period_of("month", date(2026, 11, 1), 15)


@pytest.fixture
def app(make_app: Any) -> Flask:
    result: Flask = make_app(security=LONG_SESSIONS, reports={"period_start_day": 15})
    return result


def ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.get_json()
    result: dict[str, Any] = answer.get_json()
    return result


@pytest.fixture
def month(client: FlaskClient, staff_headers: dict[str, str], frozen: Any, app: Flask) -> Any:
    code: dict[str, str] = {}

    def at(when: str) -> None:
        frozen.set(local(when))

    def got(name: str, when: str, procedure: str = THREE_DAYS, **extra: Any) -> None:
        at(when)
        code[name] = ok(receive(client, staff_headers, procedure, **extra))["code"]

    def step(name: str, when: str, action: str, **extra: Any) -> None:
        at(when)
        ok(act(client, staff_headers, code[name], action, **extra))

    def ask(name: str, when: str) -> None:
        step(name, when, "request_supplement", note="Thiếu tờ khai", reason="Chưa chứng thực")

    got("A", "2026-10-12 09:00")
    got("B", "2026-10-12 09:10", SAME_DAY, delivery="post")
    step("B", "2026-10-14 16:00", "resolve")
    step("B", "2026-10-15 08:00", "return", delivery="post", tracking="EV123456789VN")
    step("A", "2026-10-15 10:00", "resolve")
    got("C", "2026-10-19 09:00")
    got("D", "2026-10-19 09:00")
    ask("D", "2026-10-19 10:00")
    got("E", "2026-10-20 09:00", SAME_DAY)
    step("C", "2026-10-20 10:00", "resolve")
    extended = {"note": "Nhiều trang", "new_due_at": "2026-10-22T17:00:00+07:00"}
    step("E", "2026-10-20 10:05", "extend_by_law", **extended)
    step("C", "2026-10-20 10:10", "return")
    got("I", "2026-10-21 09:00", SAME_DAY, channel="online", delivery="electronic")
    got("J", "2026-10-21 09:30")
    step("D", "2026-10-21 10:00", "supplement_received")
    step("I", "2026-10-21 10:00", "resolve")
    step("I", "2026-10-21 10:05", "return", delivery="electronic")
    step("J", "2026-10-22 09:00", "withdraw", note="Công dân rút hồ sơ")
    step("E", "2026-10-22 16:00", "resolve")
    step("E", "2026-10-22 16:30", "return")
    step("D", "2026-10-26 08:00", "resolve")
    got("F", "2026-10-26 09:00")
    apology = {"note": "Cần xác minh", "new_due_at": "2026-11-02T17:00:00+07:00"}
    step("F", "2026-10-27 09:00", "extend", **apology)
    step("F", "2026-10-30 10:00", "resolve")
    got("L", "2026-11-02 09:00")
    ask("L", "2026-11-04 09:00")
    got("G", "2026-11-09 09:00")
    at("2026-11-10 09:00")
    reception = {"procedure": SAME_DAY, "applicant": APPLICANT}
    refused = {"kind": "refusal", "reason": "Không thuộc thẩm quyền"}
    ok(client.post("/api/v1/reception", json=reception | refused, headers=staff_headers))
    guided = {"kind": "guidance", "missing": ["Bản sao CCCD"], "reason": "Thiếu giấy tờ"}
    ok(client.post("/api/v1/reception", json=reception | guided, headers=staff_headers))
    got("M", "2026-11-12 09:00")
    ask("M", "2026-11-12 10:00")
    got("H", "2026-11-13 09:00")
    step("M", "2026-11-13 10:00", "supplement_received")
    got("K", "2026-11-16 09:00")
    step("L", "2026-11-16 10:00", "supplement_received")
    ask("M", "2026-11-17 09:00")

    with db.new_session(app) as session:
        ids = {
            n: session.scalar(select(Dossier.id).where(Dossier.code == c)) for n, c in code.items()
        }
        office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
        common = {"office_id": office.id, "channel": "pad", "reasons": []}
        for dossier, score, when in (
            ("C", "very_satisfied", "2026-10-20 10:10"),
            ("F", "unsatisfied", "2026-10-30 10:00"),
            ("G", "no_answer", "2026-11-09 09:30"),
        ):
            served = local(when)
            session.add(
                Rating(
                    dossier_id=ids[dossier],
                    score=score,
                    served_at=served,
                    created_at=served,
                    updated_at=served,
                    **common,
                )
            )
        session.commit()
    at("2026-12-01 09:00")
    return ids


def report(app: Flask, kind: str, period: Any = NOVEMBER) -> dict[str, Any]:
    with db.new_session(app) as session:
        office = session.scalar(select(Office))
        assert office is not None
        return reports.build(session, office, kind, period, app.config["ONESTOP"])


def test_periods_cut_on_the_fifteenth_and_on_calendar_months() -> None:
    assert (NOVEMBER.start, NOVEMBER.end) == (date(2026, 10, 15), date(2026, 11, 14))
    assert period_of("month", date(2026, 11, 15), 15).label == "2026-12"
    january = period_of("month", date(2026, 1, 3), 15)
    assert (january.start, january.end, january.label) == (
        date(2025, 12, 15),
        date(2026, 1, 14),
        "2026-01",
    )
    q4 = period_of("quarter", date(2026, 12, 14), 15)
    assert (q4.start, q4.end, q4.label) == (date(2026, 9, 15), date(2026, 12, 14), "2026-Q4")
    year = period_of("year", date(2026, 12, 15), 15)
    assert (year.start, year.end, year.label) == (date(2026, 12, 15), date(2027, 12, 14), "2027")
    calendar_q = period_of("quarter", date(2026, 2, 28))
    assert (calendar_q.start, calendar_q.end) == (date(2026, 1, 1), date(2026, 3, 31))
    week = period_of("week", date(2026, 12, 2))
    assert (week.start, week.end, week.label) == (date(2026, 11, 30), date(2026, 12, 6), "2026-W49")
    assert NOVEMBER.before() == period_of("month", date(2026, 10, 1), 15)
    assert [w.label for w in weeks_back(date(2026, 12, 2), 3)] == [
        "2026-W47",
        "2026-W48",
        "2026-W49",
    ]
    with pytest.raises(Exception, match="at most"):
        custom(date(2025, 1, 1), date(2026, 6, 1))
    with pytest.raises(Exception, match="not be after"):
        custom(date(2026, 2, 1), date(2026, 1, 1))


def test_bieu06_counts_the_month_as_hand_counted(app: Flask, month: Any) -> None:
    result = report(app, "bieu06")
    total = result["total"]
    assert {k: total[k] for k in result["columns"]} == {
        "received_total": 11,  # A carried; C D E F G H I J L M received (K after, B done before)
        "carried": 1,
        "online": 1,  # I
        "direct_post": 9,
        "resolved_total": 6,
        "early": 1,  # C
        "on_time": 4,  # A, D (after its pause), E (by the extended date), I
        "late": 1,  # F: an apology's new date does not make it on time
        "pending_total": 4,
        "pending_within": 3,  # H; L waiting for the citizen; M with one request at the end
        "pending_overdue": 1,  # G
    }
    assert total["closed"] == 1  # J, withdrawn: received, neither resolved nor in progress
    assert result["beside"] == {"refused_at_reception": 1, "guidance_at_reception": 1}
    fields = {f["field"]: f for f in result["fields"]}
    assert set(fields) == {"CT", "HT"}
    assert fields["CT"]["received_total"] == 2
    assert fields["CT"]["on_time"] == 2
    [marriage] = fields["HT"]["procedures"]
    assert marriage["code"] == THREE_DAYS
    assert marriage["received_total"] == 9
    for row in [*result["fields"], total]:
        assert row["received_total"] == row["resolved_total"] + row["pending_total"] + row["closed"]
    # Each field's row is the sum of its procedures'.
    for f in result["fields"]:
        for column in result["columns"]:
            assert f[column] == sum(p[column] for p in f["procedures"])


def test_a_past_period_is_judged_as_it_stood(app: Flask, month: Any) -> None:
    """October (15/09–14/10): A and B were open at its end; B resolved late inside it."""
    october = NOVEMBER.before()
    total = report(app, "bieu06", october)["total"]
    assert (total["received_total"], total["late"], total["pending_within"]) == (2, 1, 1)
    # The week of 9–15 November: M had one supplement request then (a second came on 17/11).
    week = report(app, "bieu06", custom(date(2026, 11, 9), date(2026, 11, 15)))["total"]
    assert week["pending_overdue"] == 1
    assert week["pending_within"] == 3


def test_kpis_and_the_766_indicators(app: Flask, month: Any) -> None:
    result = report(app, "kpi")
    assert result["on_time"] | {} == {
        "resolved": 6,
        "on_time": 5,
        "early": 1,
        "late": 1,
        "percent": 83.3,
        "target": 100.0,
        "overdue_stock": 1,
    }
    # 4 tại chỗ: the same-day dossiers resolved in the month, E (returned two days late) and I.
    assert result["on_the_spot"] == {"dossiers": 2, "met": 1, "percent": 50.0, "target": 100.0}
    assert result["online"] == {"received": 10, "online": 1, "percent": 10.0, "target": 10.0}
    assert result["postal"] == {"returned": 4, "post": 1, "electronic": 1, "percent": 25.0}
    assert result["supplements"] == {"requests": 3, "dossiers": 3}  # D, L, M (M's 2nd is after)
    assert result["extensions"] == {"lawful": 1, "apologies": 1}
    assert result["reception"] == {"refused": 1, "guidance": 1}
    sat = result["satisfaction"]
    assert (sat["ratings"], sat["answered"], sat["satisfied"], sat["percent"]) == (3, 2, 1, 50.0)
    # The 3-day dossiers resolved in the month, in working hours against 24: A 25, C 9,
    # D 39 − 16 paused = 23, F 33. C alone met the internal 2 days (16 h).
    reduction = result["time_reduction"]
    expected = round(100 * (1 - (25 + 9 + 23 + 33) / 4 / 24), 1)
    assert (reduction["dossiers"], reduction["percent"], reduction["target"]) == (4, expected, 30.0)
    [row] = reduction["procedures"]
    assert (row["legal_days"], row["internal_days"], row["within_internal"]) == (3.0, 2.0, 1)
    assert row["internal_target_percent"] == 33.3
    assert row["mean_days"] == round(90 / 4 / 8, 2)
    indicators = {i["code"]: i for i in result["indicators_766"]}
    # 2.1: early 1 + on time 4 + within 3 + J withdrawn before its appointment = 9 of 11.
    assert indicators["2.1"]["value"] == 81.8
    assert indicators["2.1"]["points"] == round(20 * 81.8 / 100, 2)
    assert indicators["3.3"]["points"] == round(12 * 10.0 / 50, 2)
    # 5.4: 100 − (F late + G overdue: 18.2 %) − (F rated unsatisfied: 9.1 %).
    assert indicators["5.4"]["value"] == 72.7
    assert indicators["5.4"]["points"] == round(6 * 72.7 / 90, 2)
    # 2.2: the six resolved, in working hours: A 25, C 9, D 23, E 21 (Tue 20/10 09:00 – Thu
    # 16:00), F 33, I 1; in working days of 8 hours.
    assert indicators["2.2"]["value"] == round((25 + 9 + 23 + 21 + 33 + 1) / 6 / 8, 2)
    assert not indicators["1.4"]["computable"]
    assert indicators["1.4"]["reason"]
    assert result["points_766"]["max"] == 38


def test_the_collector_is_paused_while_reports_count_and_only_then(
    app: Flask, month: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report runs with Python's cycle collector off (it cost 1–2 s of a year's report);
    reports at once, nested or in threads, turn it back on when the last one ends, and a
    collector someone else turned off stays off."""
    assert gc.isenabled()
    seen: list[bool] = []
    real = reports.frame_of

    def spying(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(reports, "frame_of", spying)
    with db.new_session(app) as session:
        office = session.scalars(select(Office)).one()
        cfg = app.config["ONESTOP"]
        reports.build(session, office, "satisfaction", NOVEMBER, cfg)  # evaluate_period inside
        reports.dashboard(session, office, NOVEMBER, cfg)
    assert len(seen) >= 2  # a frame for each (the dashboard's trend may want its own)
    assert not any(seen)
    assert gc.isenabled()

    inside, release = threading.Event(), threading.Event()

    def long_report() -> None:
        with plainrows.collector_paused():
            inside.set()
            release.wait(10)

    other = threading.Thread(target=long_report)
    other.start()
    assert inside.wait(10)
    with plainrows.collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other report still counts
    release.set()
    other.join(10)
    assert gc.isenabled()

    gc.disable()
    try:
        with plainrows.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_working_hours_match_the_calendar(app: Flask) -> None:
    calendar = workcalendar.OfficeCalendar.from_config(app.config["ONESTOP"])
    hours = WorkingHours(calendar)
    moments = [
        local(f"2026-{m} {t}")
        # Over weekends and the 30/4–1/5 holidays, in and out of order (the whole days
        # between are counted from a running sum that starts at the first day asked about).
        for m in ("10-12", "10-16", "04-29", "10-17", "05-04", "11-02")
        for t in ("06:00", "07:00", "09:15:42.123456", "11:45", "13:30", "16:59", "18:00")
    ]
    for start in moments:
        for end in moments:
            assert hours.between(start, end) == pytest.approx(
                calendar.working_hours_between(start, end)
            ), (start, end)


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Europe/Paris", "Australia/Lord_Howe"])
def test_a_quarter_hour_is_one_local_hour_also_where_the_offset_changes(zone: str) -> None:
    """The heat map places legs by the quarter hour they joined in: across Paris's hour and
    Lord Howe's half hour changes, every minute's quarter gives that minute's local hour."""
    calendar = workcalendar.OfficeCalendar(zone, ((time(7), time(11, 30)), (time(13), time(17))))
    local_clock = LocalClock(calendar)
    for first in ("2026-03-28", "2026-04-04", "2026-10-03", "2026-10-24"):
        start = datetime.fromisoformat(first).replace(tzinfo=UTC)
        for minutes in range(0, 2 * 24 * 60, 3):
            moment = start + timedelta(minutes=minutes, seconds=59)
            local_time = moment.astimezone(calendar.zone)
            quarter = int(moment.timestamp()) // 900
            expected = (local_time.weekday(), local_time.hour)
            assert local_clock.weekday_hour(quarter) == expected, moment


# -- the queue, the officer sheet and satisfaction --------------------------------------------


@pytest.fixture
def morning(
    app: Flask,
    client: FlaskClient,
    staff_headers: dict[str, str],
    kiosk_headers: dict[str, str],
    frozen: Any,
) -> dict[str, Any]:
    """Mon 16/11/2026: three tickets for service A; T1 served at counter 1, T2 transferred
    from counter 1 to counter 2 and served there by a second officer, T3 a no-show."""
    add_officer(app, "canbo2", full_name="Bình")
    second = login(client, "canbo2", "a-long-password")
    promised = {}
    for name, when in (("T1", "08:00"), ("T2", "08:05"), ("T3", "08:10")):
        frozen.set(local(f"2026-11-16 {when}"))
        answer = ok(client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers))
        promised[name] = answer["estimated_wait_minutes"]

    def counter(headers: dict[str, str], number: int, verb: str, when: str, **body: Any) -> None:
        frozen.set(local(f"2026-11-16 {when}"))
        path = f"/api/v1/counters/{number}/{verb}"
        ok(client.post(path, json=body or None, headers=headers))

    counter(staff_headers, 1, "call-next", "08:10")  # T1 waited 10
    counter(staff_headers, 1, "finish", "08:20")  # served 10 (from the call)
    counter(staff_headers, 1, "call-next", "08:20")  # T2 waited 15
    counter(staff_headers, 1, "transfer", "08:25", counter=2)
    counter(second, 2, "call-next", "08:30")  # T2's second leg waited 5
    counter(second, 2, "start", "08:31")
    counter(second, 2, "finish", "08:40")  # served 9 (from the start)
    counter(staff_headers, 1, "call-next", "08:40")  # T3 waited 30
    for when in ("08:41", "08:42", "08:43"):
        counter(staff_headers, 1, "recall", when)
    counter(staff_headers, 1, "no-show", "08:45")
    with db.new_session(app) as session:
        ids = {
            name: session.scalar(select(Officer.id).where(Officer.username == name))
            for name in ("admin", "canbo2")
        }
    frozen.set(local("2026-11-17 09:00"))
    return {"promised": promised, "officers": ids}


DAY = custom(date(2026, 11, 16), date(2026, 11, 16))


def test_queue_figures_of_a_morning(app: Flask, morning: dict[str, Any]) -> None:
    result = report(app, "queue", DAY)
    assert result["tickets"] == {
        "issued": 3,
        "legs": 4,
        "served": 2,
        "no_show": 1,
        "transferred": 1,
        "cancelled": 0,
        "unserved": 0,
        "priority": 0,
    }
    assert result["wait"] == {"count": 4, "mean": 15.0, "median": 12.5, "p90": 30.0}
    assert result["service"] == {"count": 2, "mean": 9.5, "median": 9.5, "p90": 10.0}
    by_counter = {row["name"]: row for row in result["by_counter"]}
    assert by_counter["Quầy 1"]["wait"]["count"] == 3  # T1, T2's first leg, T3
    assert by_counter["Quầy 2"]["service"]["mean"] == 9.0
    [hour] = [h for h in result["by_hour"] if h["legs"]]
    assert hour["name"] == "08:00"
    heat = result["heat_map"]
    assert heat["issued"][0][heat["hours"].index(8)] == 3  # Monday, 08:00–08:59
    assert sum(map(sum, heat["issued"])) == 3
    # The papers promised these waits; the first calls came after 10, 15 and 30 minutes.
    errors = [real - morning["promised"][n] for n, real in (("T1", 10), ("T2", 15), ("T3", 30))]
    estimate = result["estimate"]
    assert estimate["tickets"] == 3
    assert estimate["mean_error"] == round(sum(errors) / 3, 1)
    assert estimate["mean_absolute_error"] == round(sum(map(abs, errors)) / 3, 1)


def test_officer_sheet_and_satisfaction(app: Flask, morning: dict[str, Any]) -> None:
    admin, second = morning["officers"]["admin"], morning["officers"]["canbo2"]
    with db.new_session(app) as session:
        office = session.scalar(select(Office))
        assert office is not None
        served = local("2026-11-16 08:40")
        common = {"office_id": office.id, "channel": "pad", "served_at": served}
        common |= {"created_at": served, "updated_at": served}
        session.add_all(
            [
                Rating(officer_id=second, score="very_satisfied", reasons=[], **common),
                Rating(officer_id=admin, score="unsatisfied", reasons=["attitude"], **common),
                Rating(officer_id=admin, score="satisfied", reasons=[], **common),
                Rating(officer_id=admin, score="no_answer", reasons=[], **common),
            ]
        )
        session.commit()
    sheet = {row["officer_id"]: row for row in report(app, "officers", DAY)["officers"]}
    assert sheet[admin]["tickets_served"] == 1
    assert sheet[admin]["service_minutes"] == 10.0
    assert sheet[second]["tickets_served"] == 1
    assert sheet[second]["service_minutes"] == 9.0
    assert sheet[admin]["satisfaction"] == {
        "ratings": 3,
        "answered": 2,
        "satisfied": 1,
        "percent": 50.0,
    }
    assert (sheet[admin]["complaints"], sheet[second]["complaints"]) == (1, 0)
    result = report(app, "satisfaction", DAY)
    assert result["scores"] == {
        "very_satisfied": 1,
        "satisfied": 1,
        "unsatisfied": 1,
        "no_answer": 1,
    }
    assert (result["answered"], result["satisfied"], result["percent"]) == (3, 2, 66.7)
    assert result["complaints"] == 1
    by_officer = {row["key"]: row for row in result["by_officer"]}
    assert by_officer[second]["percent"] == 100.0
    assert [w["key"] for w in result["by_week"]] == ["2026-W47"]
    assert len(result["evaluation"]["criteria"]) == 9


def test_satisfaction_by_week_is_by_local_week(app: Flask, staff_headers: dict[str, str]) -> None:
    """Ratings counted per quarter hour in the database land in the office's local week: a
    Monday 00:05 in Hà Nội is still Sunday in UTC."""
    with db.new_session(app) as session:
        office = session.scalar(select(Office))
        assert office is not None
        for when, score in (
            ("2026-11-15 23:50", "satisfied"),
            ("2026-11-16 00:05", "unsatisfied"),
            ("2026-11-16 00:10", "very_satisfied"),
        ):
            served = local(when)
            session.add(
                Rating(
                    office_id=office.id,
                    channel="pad",
                    score=score,
                    reasons=[],
                    served_at=served,
                    created_at=served,
                    updated_at=served,
                )
            )
        session.commit()
    weeks = report(app, "satisfaction", custom(date(2026, 11, 15), date(2026, 11, 16)))
    found = {w["key"]: (w["ratings"], w["satisfied"]) for w in weeks["by_week"]}
    assert found == {"2026-W46": (1, 1), "2026-W47": (2, 1)}


# -- the files and the API ----------------------------------------------------------------


def test_bieu06_xlsx_in_the_official_layout(app: Flask, month: Any) -> None:
    result = report(app, "bieu06")
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(result)))
    sheet = book["Biểu số 06VPCPKSTT"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # The groups over their columns, "Trong đó" over the parts, STT and the name down 3 rows.
    assert {
        "A6:A8",
        "B6:B8",
        "C6:F6",
        "G6:J6",
        "K6:M6",
        "C7:C8",
        "D7:F7",
        "H7:J7",
        "L7:M7",
    } <= merged
    assert sheet["C6"].value == "Số hồ sơ nhận giải quyết"
    assert sheet["D7"].value == "Trong đó"
    assert [sheet.cell(8, n).value for n in range(4, 7)] == [
        "Từ kỳ trước",
        "Trực tuyến",
        "Trực tiếp, dịch vụ bưu chính",
    ]
    assert [sheet.cell(9, n).value for n in (1, 2, 13)] == ["(1)", "(2)", "(13)"]
    assert "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT" in sheet["A3"].value
    assert sheet["A4"].value == "Kỳ báo cáo: từ ngày 15/10/2026 đến ngày 14/11/2026"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in sheet.cell(1, 7).value
    rows = {sheet.cell(r, 2).value: r for r in range(10, sheet.max_row + 1)}
    total = rows["Tổng cộng"]
    assert [sheet.cell(total, n).value for n in range(3, 14)] == [11, 1, 1, 9, 6, 1, 4, 1, 4, 3, 1]
    assert sheet.cell(rows["Lĩnh vực Hộ tịch"], 1).value in ("I", "II")
    # The same bytes for the same report: a report can be filed and compared.
    assert export.to_xlsx(result) == export.to_xlsx(result)


@pytest.mark.parametrize("kind", ["kpi", "queue", "officers", "satisfaction", "summary"])
def test_every_kind_writes_every_format(app: Flask, month: Any, kind: str) -> None:
    result = report(app, kind)
    text = export.to_csv(result).decode("utf-8-sig")
    assert result["office"]["name"] in text
    assert json.loads(export.to_json(result)) == json.loads(json.dumps(result))
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(result)))
    assert all(sheet["A3"].value for sheet in book.worksheets)
    assert export.to_pdf(result).startswith(b"%PDF")


def test_kpi_csv_rows(app: Flask, month: Any) -> None:
    rows = list(csv.reader(io.StringIO(export.to_csv(report(app, "kpi")).decode("utf-8-sig"))))
    assert ["Tỷ lệ hồ sơ trả đúng hạn (%)", "83.3", "100.0"] in rows
    assert ["Số văn bản xin lỗi, hẹn lại", "1", "—"] in rows


def test_reports_api(
    app: Flask, client: FlaskClient, month: Any, staff_headers: dict[str, str]
) -> None:
    query = "from=2026-10-15&to=2026-11-14"
    answer = client.get(f"/api/v1/reports/bieu06?{query}", headers=staff_headers)
    assert answer.status_code == 200
    assert answer.get_json()["total"]["received_total"] == 11
    by_period = client.get(
        "/api/v1/reports/bieu06?period=month&at=2026-11-01", headers=staff_headers
    )
    assert by_period.get_json()["total"] == answer.get_json()["total"]  # the 15th–14th month
    summary = client.get(f"/api/v1/reports/summary?{query}", headers=staff_headers).get_json()
    assert summary["on_time"]["percent"] == 83.3
    assert summary["queue"]["tickets"]["issued"] == 0
    xlsx = client.get(f"/api/v1/reports/bieu06?{query}&format=xlsx", headers=staff_headers)
    assert xlsx.status_code == 200
    assert xlsx.mimetype == export.MEDIA_TYPES["xlsx"]
    assert "bieu06-2026-10-15-2026-11-14.xlsx" in xlsx.headers["Content-Disposition"]
    board = client.get(f"/api/v1/reports/dashboard?{query}", headers=staff_headers).get_json()
    assert len(board["trend"]) == 12
    assert board["trend"][-1]["from"] == "2026-11-09"
    weeks = {w["from"]: w for w in board["trend"]}
    # Mon 19/10: C early, E and I on time resolved; C, D, E, I (online) and J received.
    assert (weeks["2026-10-19"]["resolved"], weeks["2026-10-19"]["on_time"]) == (3, 100.0)
    assert weeks["2026-10-19"]["online"] == 20.0
    # Mon 26/10: D on time and F late resolved; F received, in person.
    assert (weeks["2026-10-26"]["resolved"], weeks["2026-10-26"]["on_time"]) == (2, 50.0)
    assert weeks["2026-10-26"]["online"] == 0.0
    assert weeks["2026-11-02"]["resolved"] == 0
    # A period ending on Wed 21/10: its trend's last week is the whole week, E's Thursday too.
    query = "from=2026-08-01&to=2026-10-21"
    board = client.get(f"/api/v1/reports/dashboard?{query}", headers=staff_headers).get_json()
    assert board["on_time"]["resolved"] == 4  # A, B, C, I (E is resolved after the period)
    assert (board["trend"][-1]["from"], board["trend"][-1]["resolved"]) == ("2026-10-19", 3)
    # A month still running ends its trend this week (today is Tue 01/12), not at the 14th.
    running = client.get("/api/v1/reports/dashboard?period=month", headers=staff_headers)
    assert running.get_json()["trend"][-1]["from"] == "2026-11-30"
    for bad, code in (
        ("/api/v1/reports/nonsense", "unknown_report"),
        ("/api/v1/reports/kpi?format=doc", "invalid_field"),
        ("/api/v1/reports/kpi?from=2026-13-01&to=2026-12-01", "invalid_field"),
        ("/api/v1/reports/kpi?from=2026-11-01", "missing_field"),
        ("/api/v1/reports/kpi?period=decade", "invalid_field"),
    ):
        refused = client.get(bad, headers=staff_headers)
        assert refused.status_code == 400, bad
        assert error_code(refused) == code
    assert client.get(f"/api/v1/reports/kpi?{query}").status_code == 401
    add_officer(app, "canbo3")
    officer = login(client, "canbo3", "a-long-password")
    refused = client.get(f"/api/v1/reports/kpi?{query}", headers=officer)
    assert refused.status_code == 403
    assert error_code(refused) == "wrong_role"


def test_report_command(app: Flask, month: Any, tmp_path: Path) -> None:
    env = cli_env(tmp_path, ONESTOP_DATABASE__URL=app.config["ONESTOP"]["database"]["url"])
    out = tmp_path / "bieu06.xlsx"
    args = ["report", "--kind", "bieu06", "--from", "2026-10-15", "--to", "2026-11-14"]
    done = invoke_cli([*args, "--format", "xlsx", "--out", str(out)], env)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out).worksheets[0].max_row > 10
    as_json = invoke_cli([*args, "--format", "json"], env)
    assert json.loads(as_json.stdout)["total"]["received_total"] == 11
    for wrong in (["--kind", "nonsense"], ["--format", "doc"], ["--format", "pdf"]):
        failed = invoke_cli(["report", *wrong], env)
        assert failed.returncode == 2, failed.stderr

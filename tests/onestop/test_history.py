"""The made-up past (``onestop history``): its rows keep the rules the counter keeps, the reports
count them as written, it never writes over real days, and real work goes on after it (the
codes, register numbers and, on PostgreSQL, the id sequences follow the history's rows)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from flask import Flask
from sqlalchemy import func, select

from onestop import auth, history, reports, workcalendar
from onestop.db import db
from onestop.errors import Conflict
from onestop.models import (
    Dossier,
    DossierEvent,
    DossierState,
    RegisterSequence,
    Ticket,
    TicketEvent,
    TicketState,
)
from onestop.reports.frame import frame_of
from onestop.reports.kpi import kpi
from onestop.reports.periods import custom, period_of, weeks_back
from tests.conftest import load_demo
from tests.helpers import last_json, run_cli


def _generate(app: Flask, **given: Any) -> dict[str, Any]:
    s = db.new_session(app)
    try:
        office = auth.office_by_code(s, app.config["ONESTOP"]["office"]["code"])
        result = history.generate(s, office, app.config["ONESTOP"], **given)
        s.commit()
        return result
    finally:
        s.close()


def test_history_keeps_the_counter_rules(app: Flask, creds: Any, frozen: Any) -> None:
    made = _generate(app, days=40, per_day=40)
    assert made["ticket"] > 600
    assert made["dossier"] > 200
    assert made["rating"] > 300
    s = db.new_session(app)
    cfg = app.config["ONESTOP"]
    office = auth.office_by_code(s, cfg["office"]["code"])
    calendar = workcalendar.calendar_for(s, office, cfg)
    tickets = s.scalars(select(Ticket)).all()
    assert len(tickets) == made["ticket"]
    assert all(calendar.is_working_day(t.day) and str(t.day) <= made["to"] for t in tickets)
    numbered = Counter((t.service_id, t.day, t.number) for t in tickets if t.seq_no)
    assert max(numbered.values()) == 1  # a number once per service and day
    legs = {t.id: t for t in tickets}
    for t in tickets:
        assert t.issued_at <= t.first_called_at <= t.finished_at  # type: ignore[operator]
        if t.previous_id:
            assert legs[t.previous_id].next_id == t.id
            assert legs[t.previous_id].state == TicketState.TRANSFERRED
    issued = s.scalar(select(func.count()).where(TicketEvent.kind == "issued"))
    assert issued == sum(1 for t in tickets if t.previous_id is None)

    dossiers = s.scalars(select(Dossier).order_by(Dossier.register_number)).all()
    assert len({d.code for d in dossiers}) == len(dossiers)
    assert [d.register_number for d in dossiers] == list(range(1, len(dossiers) + 1))
    book = s.get(RegisterSequence, {"office_id": office.id, "year": 2026})
    assert book is not None
    assert book.last_number == len(dossiers)
    steps: dict[int, list[DossierEvent]] = defaultdict(list)
    for event in s.scalars(select(DossierEvent).order_by(DossierEvent.at, DossierEvent.id)):
        steps[event.dossier_id].append(event)
    states = Counter(d.state for d in dossiers)
    assert states[DossierState.RETURNED] > len(dossiers) / 2
    assert states[DossierState.IN_PROGRESS] > 0  # the last days' dossiers are not done yet
    for d in dossiers:
        actions = [e.action for e in steps[d.id]]
        assert actions[:2] == ["receive", "start"]
        assert d.due_at is not None
        assert d.due_at_original is not None
        # An appointment is a moment the office is open (or its closing), in UTC as stored.
        assert calendar.is_working_moment(d.due_at - timedelta(seconds=1)), d.due_at
        if d.state == DossierState.RETURNED:
            assert actions[-2:] == ["resolve", "return"]
            assert d.received_at < d.resolved_at <= d.returned_at  # type: ignore[operator]
        elif d.state in (DossierState.IN_PROGRESS, DossierState.SUPPLEMENT_REQUESTED):
            assert d.resolved_at is None
            assert "resolve" not in actions
        for event in steps[d.id]:
            if event.action == "supplement_received":  # the pause is the calendar's
                asked = next(e for e in steps[d.id] if e.action == "request_supplement")
                hours = calendar.working_hours_between(asked.at, event.at)
                assert event.data["paused_working_hours"] == pytest.approx(hours, abs=0.01)

    # The reports count what was written: every dossier received in the span, each once.
    first, last = made["from"], made["to"]
    period = custom(date.fromisoformat(first), date.fromisoformat(last))
    bieu = reports.build(s, office, "bieu06", period, cfg)
    closed = sum(d.closed_at is not None for d in dossiers)
    assert bieu["total"]["received_total"] + closed == len(dossiers)
    online = sum(d.channel == "online" and d.closed_at is None for d in dossiers)
    assert bieu["total"]["online"] == online > 0
    queue = reports.build(s, office, "queue", period, cfg)
    assert queue["tickets"]["issued"] == issued
    s.close()

    with pytest.raises(Conflict) as refused:  # never over days that have data
        _generate(app, days=5, per_day=10)
    assert refused.value.code == "history_exists"


def test_the_same_seed_makes_the_same_history(make_app: Any, tmp_path: Path, frozen: Any) -> None:
    made = []
    for _ in range(2):
        app = make_app()
        load_demo(app, tmp_path)
        made.append(_generate(app, days=20, per_day=30, seed=7))
    assert made[0] == made[1]
    other = make_app()
    load_demo(other, tmp_path)
    assert _generate(other, days=20, per_day=30, seed=8) != made[0]


def test_history_command(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init", "--demo").returncode == 0
    done = run_cli(tmp_path, "history", "--days", "10", "--per-day", "20", "--json")
    assert done.returncode == 0, done.stderr
    assert last_json(done.stdout)["ticket"] > 0
    again = run_cli(tmp_path, "history", "--days", "10", "--if-empty")
    assert again.returncode == 0
    assert "history kept" in again.stdout
    refused = run_cli(tmp_path, "history", "--days", "10")
    assert refused.returncode != 0
    assert "already has tickets" in refused.stderr
    wrong = run_cli(tmp_path, "history", "--days", "0")
    assert wrong.returncode != 0
    assert "days must be" in wrong.stderr


@pytest.mark.services
def test_history_on_postgresql_leaves_the_id_sequences_ahead(
    pg_app: tuple[Flask, dict[str, Any]],
) -> None:
    """… and the planner's statistics of what it wrote (this machine's PostgreSQL runs no
    autovacuum: a report straight after the history would be planned for empty tables)."""
    app, _ = pg_app
    made = _generate(app, days=10, per_day=20)
    s = db.new_session(app)
    estimated = s.scalar(sqlalchemy.text("SELECT reltuples FROM pg_class WHERE relname = 'ticket'"))
    assert estimated == s.scalar(select(func.count(Ticket.id)))
    office = auth.office_by_code(s, app.config["ONESTOP"]["office"]["code"])
    top = s.scalar(select(func.max(Ticket.id)))
    assert top is not None
    assert top >= made["ticket"]
    service = s.scalars(select(Ticket.service_id)).first()
    at = datetime.now(UTC) + timedelta(minutes=1)
    ticket = Ticket(
        office_id=office.id,
        service_id=service,
        day=at.date(),
        number="Z001",
        token="t" * 20,
        queued_at=at,
        issued_at=at,
    )
    s.add(ticket)
    s.commit()  # a real ticket after the history gets the next id, not one of the history's
    assert ticket.id > top
    s.close()


def test_the_dashboard_trend_is_each_weeks_kpis(app: Flask, creds: Any, frozen: Any) -> None:
    """The trend is drawn from one frame over its twelve weeks: each week's rates are what
    that week's own KPIs give (over a made-up past with supplements, extensions, apologies)."""
    _generate(app, days=100, per_day=30)
    s = db.new_session(app)
    cfg = app.config["ONESTOP"]
    office = auth.office_by_code(s, cfg["office"]["code"])
    calendar = workcalendar.calendar_for(s, office, cfg)
    today = date(2026, 11, 23)
    board = reports.dashboard(s, office, period_of("month", today, 1), cfg)
    weeks = weeks_back(today, reports.TREND_WEEKS)
    assert [p["from"] for p in board["trend"]] == [w.start.isoformat() for w in weeks]
    for week, point in zip(weeks, board["trend"], strict=True):
        figures = kpi(frame_of(s, office.id, calendar, week), cfg["reports"])
        assert point["on_time"] == figures["on_time"]["percent"], week.label
        assert point["resolved"] == figures["on_time"]["resolved"], week.label
        assert point["online"] == figures["online"]["percent"], week.label
        assert point["satisfaction"] == figures["satisfaction"]["percent"], week.label
    assert sum(p["resolved"] for p in board["trend"]) > 300
    s.close()


@pytest.mark.services
def test_every_report_is_the_same_on_postgresql(
    pg_app: tuple[Flask, dict[str, Any]], make_app: Any, tmp_path: Path, frozen: Any
) -> None:
    """The reports compute times in SQL where they can (the queue's waits and services) and
    read PostgreSQL's rows in its binary format: the same past gives the same figures on both
    databases, to the last decimal."""
    lite = make_app()
    load_demo(lite, tmp_path)
    found = []
    formats: list[int] = []

    def seen(_conn: Any, cursor: Any, *_args: Any) -> None:
        formats.append(int(cursor.format))

    sqlalchemy.event.listen(pg_app[0].extensions["onestop.engine"], "after_cursor_execute", seen)
    for app in (lite, pg_app[0]):
        made = _generate(app, days=30, per_day=40, seed=3)
        period = custom(date.fromisoformat(made["from"]), date.fromisoformat(made["to"]))
        s = db.new_session(app)
        office = auth.office_by_code(s, app.config["ONESTOP"]["office"]["code"])
        cfg = app.config["ONESTOP"]
        figures = {kind: reports.build(s, office, kind, period, cfg) for kind in reports.KINDS}
        figures["dashboard"] = reports.dashboard(s, office, period, cfg)
        s.close()
        for report in figures.values():
            report.pop("generated_at")
        found.append(figures)
    assert formats.count(1) > 20  # the plain rows in the binary format
    assert formats.count(0) > 0  # the rest as text
    assert found[0]["queue"]["wait"]["count"] > 500
    assert found[0]["satisfaction"]["evaluation"]["dossiers"] > 100
    for kind in found[0]:
        assert found[0][kind] == found[1][kind], kind

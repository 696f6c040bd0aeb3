"""Offices never see each other's data: every route and every Socket.IO namespace, tried by the
staff and the devices of office A against the objects of office B.

Two offices of one deployment are furnished alike (the demo office and XA-2, set up like it):
each has a ticket served at counter 1 (with a dossier, a survey answer with a contact and a
failed print job), a ticket being served at counter 2 (with a declared priority), a ticket at a
counter only it has, a waiting ticket taken with an ``Idempotency-Key`` both offices used, a
second dossier, a notice, and a service, a counter, a procedure and a printer of its own.
Counter numbers 1–4, services A–D, the catalogue, device names and the agent's name repeat
between the offices on purpose: a call by A on "counter 1" must act on A's counter 1.

``ROUTES`` says, for every rule of ``app.url_map``, how A's caller tries to reach B's object;
``PUBLIC`` lists the rules that are public by design (page shells, token pages, static files,
health). ``test_every_route_is_covered`` fails when a rule is in neither. Each probe runs in
both directions (A = the home office, and A = the other one, since the home office is where a
forgotten ``home_office()`` leads), and afterwards every row of B (each table with an
``office_id``, and the rows hanging from them) must be exactly as it was.

A probe marked with ``leaks`` is a known leak, kept as a strict xfail so that the suite stays
green until the application is fixed (and turns red the day it is, to drop the mark).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from onestop import auth, catchup, feedback, notices, offices, printing, queries, workcalendar
from onestop.db import db, set_read_only
from onestop.errors import NotFound
from onestop.extensions import socketio
from onestop.models import (
    Base,
    Counter,
    CounterService,
    Office,
    Officer,
    PrintJob,
    PrintKind,
    PrintStatus,
    Procedure,
    Service,
    Ticket,
)
from tests.helpers import APPLICANT, SAME_DAY, THREE_DAYS, error_code, issue, login

DEMO, OTHER = "UBND-XA-DEMO", "XA-2"
# Which office plays A (the caller) and which B (the target).
DIRECTIONS = {"A=demo,B=xa2": (DEMO, OTHER), "A=xa2,B=demo": (OTHER, DEMO)}
TODAY = "2026-11-23"  # the frozen clock's Monday
UNLIMITED = "1000000 per minute"
SHARED_KEY = "same-key-in-both-offices"  # an Idempotency-Key both kiosks happened to use
AGENT = "pc-1"  # both offices call their print agent so
SHORT = {"f1": 5, "f2": "4", "f3": 2, "visits": "1"}


# -- the two offices ------------------------------------------------------------------------


@dataclass
class Side:
    """One office as the tests hold it: its credentials and the objects it owns."""

    code: str
    id: int
    name: str
    username: str
    full_name: str
    password: str
    printer: str  # the printer only this office's devices print on
    own_counter: int  # a counter number the other office does not have
    own_service: str
    own_procedure: str
    keys: dict[str, str]  # kiosk, pad (counter 1), agent
    bearer: str = ""
    tokens: dict[str, str] = field(default_factory=dict)  # served, current, extra, waiting
    dossiers: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> code, token
    failed_job: int = 0
    queued_job: int = 0
    notice: str = ""
    contact: str = ""
    applicant: str = ""

    @property
    def staff(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.bearer}"}

    def device(self, name: str) -> dict[str, str]:
        return {"X-Device-Key": self.keys[name]}

    @property
    def markers(self) -> set[str]:
        """Strings that are this office's and nobody else's: no answer to the other office
        may hold one of them."""
        found = {self.name, self.username, self.full_name, self.own_procedure}
        found |= {self.notice, self.contact, self.applicant, *self.tokens.values()}
        for code, token in self.dossiers.values():
            found |= {code, token}
        return found


@dataclass
class World:
    app: Flask
    client: FlaskClient
    a: Side
    b: Side
    direction: str

    def call(self, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
        return self.client.open(path, method=method, headers=headers, **kw)

    def key(self, token: str) -> str:
        """The feedback key the citizen's paper carries for ``token``."""
        return feedback.feedback_key(self.app.extensions["onestop.rules"].link_secret, token)

    def session(self) -> Session:
        return db.new_session(self.app)

    def assert_nothing_of_b(self, payload: Any) -> None:
        leaked = strings(payload) & self.b.markers
        assert not leaked, f"A's answer holds B's {sorted(leaked)}"


def strings(value: Any) -> set[str]:
    """Every string inside a JSON value (keys included)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(k) | strings(v) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(strings(v) for v in value))
    return set()


def refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert error_code(answer) == code


@pytest.fixture
def app(make_app: Any) -> Flask:
    """Rate limits lifted (a probe calls a route several times); a printer for XA-2's kiosk;
    the demo's kiosk printer served by the print agent ``pc-1``."""
    made: Flask = make_app(
        security=dict.fromkeys(
            (
                "login_rate_limit",
                "ticket_rate_limit",
                "public_rate_limit",
                "feedback_rate_limit",
            ),
            UNLIMITED,
        ),
        offices={"XA-2": {"place_name": "Hai", "parent_body": "UBND xã Hai"}},
    )
    printers = made.config["ONESTOP"]["printers"]
    printers["kiosk-1"]["agent"] = AGENT
    printers["kiosk-hai"] = {**printers["kiosk-1"], "agent": "", "office": OTHER}
    return made


@pytest.fixture
def direction(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _copy_procedure(session: Session, office: Office, code: str) -> None:
    """A published procedure only ``office`` has (like the first of its catalogue)."""
    model = queries.procedures(session, office.id)[0]
    values = {c.key: getattr(model, c.key) for c in inspect(Procedure).column_attrs}
    values.update(id=None, code=code, name=f"Thủ tục riêng {code}", documents=[])
    session.add(Procedure(**values))


def _own_service_and_counter(session: Session, office: Office, service: str, counter: int) -> None:
    row = Service(
        office_id=office.id,
        code=service,
        prefix=service,
        name=f"Dịch vụ riêng {service}",
        name_en="",
        field_code=None,
        position=9,
        is_open=True,
    )
    session.add(row)
    session.flush()
    desk = Counter(office_id=office.id, number=counter, name=f"Quầy {counter}", is_open=True)
    desk.services = [CounterService(service_id=row.id, position=0)]
    session.add(desk)


def _make_sides(app: Flask, creds: dict[str, Any]) -> dict[str, Side]:
    with db.new_session(app) as session:
        demo = auth.office_by_code(session, DEMO)
        other = offices.add_office(
            session, OTHER, "UBND xã Hai", timezone="Asia/Ho_Chi_Minh", like=DEMO
        )
        auth.create_officer(
            session, other, "admin-hai", "hai-long-password", "admin", full_name="Trần Thị Hai"
        )
        keys = {
            DEMO: {
                "kiosk": creds["devices"]["kiosk-1"],
                "pad": creds["devices"]["rating-1"],
                "agent": auth.create_device(session, demo, "agent", AGENT)[1],
            },
            OTHER: {
                "kiosk": auth.create_device(
                    session, other, "kiosk", "kiosk-hai", printer="kiosk-hai"
                )[1],
                "pad": auth.create_device(session, other, "rating", "rating-1", counter_number=1)[
                    1
                ],
                "agent": auth.create_device(session, other, "agent", AGENT)[1],
            },
        }
        for office, service, counter, procedure in (
            (demo, "E", 7, "9.000001"),
            (other, "F", 8, "9.000002"),
        ):
            _own_service_and_counter(session, office, service, counter)
            _copy_procedure(session, office, procedure)
        session.commit()
        ids = {DEMO: demo.id, OTHER: other.id}
        names = {DEMO: demo.name, OTHER: other.name}
    return {
        DEMO: Side(
            code=DEMO,
            id=ids[DEMO],
            name=names[DEMO],
            username="admin",
            full_name="Quản trị viên",
            password=creds["admin"]["password"],
            printer="kiosk-1",
            own_counter=7,
            own_service="E",
            own_procedure="9.000001",
            keys=keys[DEMO],
        ),
        OTHER: Side(
            code=OTHER,
            id=ids[OTHER],
            name=names[OTHER],
            username="admin-hai",
            full_name="Trần Thị Hai",
            password="hai-long-password",
            printer="kiosk-hai",
            own_counter=8,
            own_service="F",
            own_procedure="9.000002",
            keys=keys[OTHER],
        ),
    }


def _act(client: FlaskClient, side: Side, counter: int, verb: str) -> dict[str, Any]:
    answer = client.post(f"/api/v1/counters/{counter}/{verb}", headers=side.staff)
    assert answer.status_code == 200, answer.get_json()
    result: dict[str, Any] = answer.get_json()
    return result


def _receive(client: FlaskClient, side: Side, procedure: str, **extra: Any) -> tuple[str, str]:
    body = {"procedure": procedure, "applicant": {**APPLICANT, "name": side.applicant}, **extra}
    answer = client.post("/api/v1/dossiers", json=body, headers=side.staff)
    assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    return made["code"], made["token"]


def _furnish(w: World, side: Side) -> None:
    """The same day in each office, over the API (and the few rows no route makes)."""
    client = w.client
    side.bearer = login(client, side.username, side.password)["Authorization"][7:]
    side.applicant = f"Công dân của {side.code}"
    side.contact = f"Gọi lại giúp tôi ({side.code})"
    kiosk = side.device("kiosk")

    served = issue(client, kiosk, "A")
    assert _act(client, side, 1, "call-next")["token"] == served["token"]
    side.dossiers["linked"] = _receive(
        client, side, SAME_DAY, ticket=served["token"], print=side.printer
    )
    _act(client, side, 1, "finish")
    answered = client.post(
        f"/api/v1/tickets/{served['token']}/survey?k={w.key(served['token'])}",
        json={"answers": SHORT, "contact": side.contact},
    )
    assert answered.status_code == 201, answered.get_json()

    current = issue(client, kiosk, "A", priority="elderly_80")
    assert _act(client, side, 2, "call-next")["token"] == current["token"]
    extra = issue(client, kiosk, side.own_service)
    assert _act(client, side, side.own_counter, "call-next")["token"] == extra["token"]
    waiting = client.post(
        "/api/v1/tickets", json={"service": "B"}, headers={**kiosk, "Idempotency-Key": SHARED_KEY}
    )
    assert waiting.status_code == 201, waiting.get_json()
    side.dossiers["plain"] = _receive(client, side, THREE_DAYS)
    side.tokens = {
        "served": served["token"],
        "current": current["token"],
        "extra": extra["token"],
        "waiting": waiting.get_json()["token"],
    }

    side.notice = f"Thông báo riêng của {side.code}"
    with w.session() as session:
        office = session.get(Office, side.id)
        assert office is not None
        notices.add_notice(session, office, side.notice, actor="test")
        first = queries.first_print_of_ticket(session, _ticket(session, served["token"]).id)
        assert first is not None
        assert first.printer == side.printer
        first.status, first.attempts, first.last_error = PrintStatus.FAILED, 1, "paper out"
        side.failed_job = first.id
        job = queries.first_print_of_ticket(session, _ticket(session, side.tokens["waiting"]).id)
        assert job is not None
        assert job.status == PrintStatus.QUEUED
        side.queued_job = job.id
        session.commit()


def _ticket(session: Session, token: str) -> Ticket:
    ticket = queries.ticket_by_token(session, token)
    assert ticket is not None
    return ticket


@pytest.fixture
def world(app: Flask, creds: dict[str, Any], frozen: Any, direction: str) -> World:
    sides = _make_sides(app, creds)
    a_code, b_code = DIRECTIONS[direction]
    w = World(app, app.test_client(), sides[a_code], sides[b_code], direction)
    for side in sides.values():
        _furnish(w, side)
    return w


# -- B's rows, before and after ---------------------------------------------------------------


def _owned(table: Any, office_id: int) -> Any:
    """The condition that selects ``office_id``'s rows of ``table``."""
    columns = table.c
    if "office_id" in columns:
        return columns.office_id == office_id
    parents = {
        "office": lambda: columns.id == office_id,
        "counter_service": lambda: columns.counter_id.in_(
            select(Counter.id).where(Counter.office_id == office_id)
        ),
        "staff_token": lambda: columns.officer_id.in_(
            select(Officer.id).where(Officer.office_id == office_id)
        ),
        "officer_counter": lambda: columns.officer_id.in_(
            select(Officer.id).where(Officer.office_id == office_id)
        ),
        "printer_state": lambda: columns.name.in_(
            select(Base.metadata.tables["device"].c.printer).where(
                Base.metadata.tables["device"].c.office_id == office_id
            )
        ),
    }
    assert table.name in parents, f"which office owns a row of {table.name}? (say it here)"
    return parents[table.name]()


def snapshot(app: Flask, office_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the office, table by table."""
    with db.new_session(app) as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(
                    select(table)
                    .where(_owned(table, office_id))
                    .order_by(*table.primary_key.columns)
                )
            ]
            for table in Base.metadata.sorted_tables
            if table.name != "alembic_version"
        }


# -- the route table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """How A's caller tries one route on B's object, and what A must get.

    ``prepare`` runs before B's rows are read (it may give B something to protect);
    ``leaks`` names the directions in which this is a known leak, with what leaks."""

    name: str
    run: Callable[[World], None]
    prepare: Callable[[World], None] | None = None
    leaks: dict[str, str] = field(default_factory=dict)


ROUTES: dict[str, list[Probe]] = {}
COUNTER_VERB = (
    "/api/v1/counters/<int:number>/<any('call-next', recall, start, 'no-show', finish):verb>"
)


def probe(
    route: str,
    name: str,
    *,
    prepare: Callable[[World], None] | None = None,
    leaks: dict[str, str] | None = None,
) -> Callable[[Callable[[World], None]], Callable[[World], None]]:
    """Register the decorated function as a probe of ``route`` ("METHOD rule")."""

    def register(run: Callable[[World], None]) -> Callable[[World], None]:
        ROUTES.setdefault(route, []).append(Probe(name, run, prepare, leaks or {}))
        return run

    return register


BOTH = tuple(DIRECTIONS)


# Rules public by design, and why they need no probe of their own.
PUBLIC = {
    "GET /": "the start page: links only",
    "GET /healthz": "the database's health, no office data",
    "GET /static/<path:filename>": "static files",
    "GET /counter": "a shell: its data comes from the API with the officer's token",
    "GET /rate": "a shell: its data comes from the API with the pad's key",
    "GET /admin/": "a shell: its data comes from the API with the staff token",
    "GET /admin/printers": "a shell: its data comes from the API with the staff token",
    "GET /admin/evaluation": "a shell: its data comes from the API with the staff token",
    "GET /admin/reports": "a shell: its data comes from the API with the staff token",
    "GET /api/v1/tickets/<token>": "by unguessable token, in whichever office (public status)",
    "GET /t/<token>": "by unguessable token, in whichever office",
    "GET /t/<token>/qr.svg": "by unguessable token, in whichever office",
    "GET /t/<token>/survey": "by token; rating and answers need the citizen's key",
    "GET /d/<token>": "by unguessable token, in whichever office",
    "GET /d/<token>/survey": "by token; rating and answers need the citizen's key",
}


# Staff: login, counters, the officer's day.


@probe("POST /api/v1/auth/token", "A's password on B's username")
def _login_across(w: World) -> None:
    answer = w.call(
        "POST", "/api/v1/auth/token", {}, json={"username": w.b.username, "password": w.a.password}
    )
    refused(answer, 401, "invalid_credentials")
    mine = w.call(
        "POST", "/api/v1/auth/token", {}, json={"username": w.a.username, "password": w.a.password}
    )
    assert mine.status_code == 201
    assert mine.get_json()["officer"]["username"] == w.a.username


@probe("GET /api/v1/counters", "A's list holds A's counters and tickets only")
def _counters_list(w: World) -> None:
    answer = w.call("GET", "/api/v1/counters", w.a.staff)
    assert answer.status_code == 200
    counters = answer.get_json()
    w.assert_nothing_of_b(counters)
    numbers = {c["number"] for c in counters}
    assert w.a.own_counter in numbers
    assert w.b.own_counter not in numbers
    current = {c["number"]: (c["current"] or {}).get("token") for c in counters}
    assert current[2] == w.a.tokens["current"]
    assert current[w.a.own_counter] == w.a.tokens["extra"]
    assert current[1] is None


@probe(f"POST {COUNTER_VERB}", "every verb at B's own counter number")
def _verbs_at_b_counter(w: World) -> None:
    for verb in ("call-next", "recall", "start", "no-show", "finish"):
        answer = w.call("POST", f"/api/v1/counters/{w.b.own_counter}/{verb}", w.a.staff)
        refused(answer, 404, "unknown_counter")


@probe(f"POST {COUNTER_VERB}", "every verb at a counter number both offices have")
def _verbs_at_shared_numbers(w: World) -> None:
    # Counter 1 of both offices is idle with a waiting ticket behind it, counter 2 of both is
    # serving: each call must act on A's counter and A's ticket, never B's.
    steps = (
        (1, "call-next", "waiting"),
        (2, "recall", "current"),
        (2, "start", "current"),
        (2, "finish", "current"),
        (1, "no-show", "waiting"),
    )
    for number, verb, label in steps:
        answer = w.call("POST", f"/api/v1/counters/{number}/{verb}", w.a.staff)
        assert answer.status_code == 200, (verb, answer.get_json())
        assert answer.get_json()["token"] == w.a.tokens[label], verb
    idle = w.call("POST", "/api/v1/counters/1/call-next", w.a.staff)
    assert idle.status_code == 204  # B's waiting ticket is not A's to call


@probe("POST /api/v1/counters/<int:number>/priority", "at B's own counter, then at counter 2")
def _priority(w: World) -> None:
    answer = w.call(
        "POST", f"/api/v1/counters/{w.b.own_counter}/priority", w.a.staff, json={"confirmed": True}
    )
    refused(answer, 404, "unknown_counter")
    mine = w.call("POST", "/api/v1/counters/2/priority", w.a.staff, json={"confirmed": False})
    assert mine.status_code == 200
    assert mine.get_json()["token"] == w.a.tokens["current"]
    assert mine.get_json()["priority_confirmed"] is False


@probe("POST /api/v1/counters/<int:number>/transfer", "from B's counter, to B's counter or service")
def _transfer(w: World) -> None:
    answer = w.call(
        "POST", f"/api/v1/counters/{w.b.own_counter}/transfer", w.a.staff, json={"service": "B"}
    )
    refused(answer, 404, "unknown_counter")
    to_counter = w.call(
        "POST", "/api/v1/counters/2/transfer", w.a.staff, json={"counter": w.b.own_counter}
    )
    refused(to_counter, 404, "unknown_counter")
    to_service = w.call(
        "POST", "/api/v1/counters/2/transfer", w.a.staff, json={"service": w.b.own_service}
    )
    refused(to_service, 404, "unknown_service")
    # The shared number 4 is A's own counter 4: the ticket goes there, in A.
    moved = w.call("POST", "/api/v1/counters/2/transfer", w.a.staff, json={"counter": 4})
    assert moved.status_code == 200, moved.get_json()
    with w.session() as session:
        leg = _ticket(session, moved.get_json()["token"])
        target = session.get(Counter, leg.target_counter_id)
        assert leg.office_id == w.a.id
        assert target is not None
        assert target.office_id == w.a.id


@probe("GET /api/v1/officer/today", "A's officer's figures count A's visits only")
def _officer_today(w: World) -> None:
    answer = w.call("GET", "/api/v1/officer/today", w.a.staff)
    assert answer.status_code == 200
    assert answer.get_json()["served"] == 1  # B's admin served one too, at B's counter 1


# Kiosk: services, tickets, catalogue, printer.


def _b_waited_long(w: World) -> None:
    """B's waiting ticket joined B's queue 45 minutes ago (A's joined just now)."""
    with w.session() as session:
        ticket = _ticket(session, w.b.tokens["waiting"])
        ticket.queued_at = ticket.issued_at - timedelta(minutes=45)
        session.commit()


@probe(
    "GET /api/v1/services",
    "A's kiosk and A's staff see A's services and queues",
    prepare=_b_waited_long,
)
def _services(w: World) -> None:
    for who in (w.a.device("kiosk"), w.a.staff):
        answer = w.call("GET", "/api/v1/services", who)
        assert answer.status_code == 200
        services = {s["code"]: s for s in answer.get_json()}
        assert w.a.own_service in services
        assert w.b.own_service not in services
        assert services["B"]["waiting"] == 1  # A's own; B's waits in B
        assert services["B"]["longest_wait_minutes"] == 0  # A's, not B's 45 minutes
        assert services["A"]["waiting"] == 0


@probe("POST /api/v1/tickets", "B's service, B's idempotency key, and a ticket for A")
def _tickets(w: World) -> None:
    kiosk = w.a.device("kiosk")
    answer = w.call("POST", "/api/v1/tickets", kiosk, json={"service": w.b.own_service})
    refused(answer, 404, "unknown_service")
    replay = w.call(
        "POST", "/api/v1/tickets", {**kiosk, "Idempotency-Key": SHARED_KEY}, json={"service": "B"}
    )
    assert replay.status_code == 200  # A's own ticket of that key, never B's
    assert replay.get_json()["token"] == w.a.tokens["waiting"]
    for who, number in ((kiosk, "A003"), (w.a.staff, "A004")):  # A's own sequence
        made = w.call("POST", "/api/v1/tickets", who, json={"service": "A"})
        assert made.status_code == 201
        assert made.get_json()["number"] == number
        with w.session() as session:
            assert _ticket(session, made.get_json()["token"]).office_id == w.a.id


@probe(
    "GET /api/v1/procedures",
    "A's kiosk reads A's catalogue",
)
def _procedures(w: World) -> None:
    for query in ("", f"?office={w.a.code}"):
        answer = w.call("GET", f"/api/v1/procedures{query}", w.a.device("kiosk"))
        assert answer.status_code == 200
        codes = {p["code"] for f in answer.get_json() for p in f["procedures"]}
        assert w.b.own_procedure not in codes
        assert w.a.own_procedure in codes


@probe(
    "GET /kiosk",
    "the kiosk page of A (?office=A) shows A's catalogue",
)
def _kiosk_page(w: World) -> None:
    page = w.call("GET", f"/kiosk?office={w.a.code}", {}).get_data(as_text=True)
    assert w.b.own_procedure not in page
    assert w.a.own_procedure in page


@probe("GET /api/v1/kiosk/printer", "A's kiosk hears of its own printer")
def _kiosk_printer(w: World) -> None:
    answer = w.call("GET", "/api/v1/kiosk/printer", w.a.device("kiosk"))
    assert answer.status_code == 200
    assert answer.get_json()["printer"] == w.a.printer


# Printing: reprints, retries, the printers page, previews, the print agent.


@probe("POST /api/v1/tickets/<token>/reprint", "B's ticket")
def _reprint_b_ticket(w: World) -> None:
    for token in (w.b.tokens["served"], w.b.tokens["waiting"]):
        answer = w.call("POST", f"/api/v1/tickets/{token}/reprint", w.a.staff, json={})
        refused(answer, 404, "unknown_ticket")


@probe("POST /api/v1/tickets/<token>/reprint", "A's ticket on B's printer")
def _reprint_on_b_printer(w: World) -> None:
    answer = w.call(
        "POST",
        f"/api/v1/tickets/{w.a.tokens['served']}/reprint",
        w.a.staff,
        json={"printer": w.b.printer},
    )
    assert answer.status_code in (400, 403, 404), answer.get_json()


@probe("POST /api/v1/print-jobs/<int:job_id>/retry", "B's failed job")
def _retry(w: World) -> None:
    answer = w.call("POST", f"/api/v1/print-jobs/{w.b.failed_job}/retry", w.a.staff)
    refused(answer, 404, "unknown_print_job")


@probe("GET /api/v1/printers", "B's failed jobs and devices are not listed")
def _printers_jobs(w: World) -> None:
    answer = w.call("GET", "/api/v1/printers", w.a.staff)
    assert answer.status_code == 200
    printers = {p["printer"]: p for p in answer.get_json()}
    failed = {job["id"] for p in printers.values() for job in p["failed_jobs"]}
    assert failed == {w.a.failed_job}
    assert printers[w.a.printer]["devices"] == ["kiosk-1" if w.a.code == DEMO else "kiosk-hai"]
    assert all(p["devices"] == [] for name, p in printers.items() if name != w.a.printer)


def _b_printer_out_of_paper(w: World) -> None:
    """B's printer reported out of paper (B's devices are told; nobody else should be)."""
    with w.session() as session:
        printing.record_health(session, w.b.printer, "paper_out", "hết giấy", reported_by="test")
        session.commit()


@probe(
    "GET /api/v1/printers",
    "a printer only B uses is not A's",
    prepare=_b_printer_out_of_paper,
)
def _printers_list(w: World) -> None:
    answer = w.call("GET", "/api/v1/printers", w.a.staff)
    assert answer.status_code == 200
    shown = {p["printer"]: p["status"] for p in answer.get_json()}
    assert w.b.printer not in shown, f"A sees B's printer as {shown.get(w.b.printer)!r}"


@probe(
    "GET /api/v1/printers/<name>/preview.png",
    "B's printer",
)
def _preview(w: World) -> None:
    answer = w.call("GET", f"/api/v1/printers/{w.b.printer}/preview.png", w.a.staff)
    assert answer.status_code in (403, 404)


def _b_job_on_a_printer(w: World) -> None:
    """A job of B on the printer A's agent serves (a shared printer): it is still B's."""
    with w.session() as session:
        job = session.get(PrintJob, w.b.queued_job)
        assert job is not None
        printing.queue_job(
            session,
            w.b.id,
            w.a.printer,
            PrintKind.TICKET,
            dict(job.payload),
            ticket_id=job.ticket_id,
        )
        session.commit()


@probe(
    "POST /api/v1/print-agent/jobs/claim",
    "A's agent takes A's jobs only",
    prepare=_b_job_on_a_printer,
)
def _claim(w: World) -> None:
    answer = w.call("POST", "/api/v1/print-agent/jobs/claim", w.a.device("agent"), json={})
    assert answer.status_code == 200
    with w.session() as session:
        for job in answer.get_json()["jobs"]:
            row = session.get(PrintJob, job["id"])
            assert row is not None
            assert row.office_id == w.a.id


def _b_agent_claims(w: World) -> None:
    """B's own agent (named like A's) takes B's jobs first, where it serves any."""
    taken = w.call("POST", "/api/v1/print-agent/jobs/claim", w.b.device("agent"), json={})
    assert taken.status_code == 200


@probe("POST /api/v1/print-agent/jobs/<int:job_id>/result", "B's jobs", prepare=_b_agent_claims)
def _job_result(w: World) -> None:
    for job in (w.b.queued_job, w.b.failed_job):
        answer = w.call(
            "POST",
            f"/api/v1/print-agent/jobs/{job}/result",
            w.a.device("agent"),
            json={"ok": False, "reason": "jammed", "transient": False},
        )
        refused(answer, 404, "unknown_print_job")


@probe("POST /api/v1/print-agent/health", "B's printer")
def _agent_health(w: World) -> None:
    answer = w.call(
        "POST",
        "/api/v1/print-agent/health",
        w.a.device("agent"),
        json={"printer": w.b.printer, "status": "paper_out", "detail": "from A"},
    )
    refused(answer, 403, "not_my_printer")


@probe("GET /api/v1/print-agent/printers", "B's printer is not offered to A's agent")
def _agent_printers(w: World) -> None:
    answer = w.call("GET", "/api/v1/print-agent/printers", w.a.device("agent"))
    assert answer.status_code == 200
    assert w.b.printer not in {p["name"] for p in answer.get_json()}


# Dossiers.


@probe("POST /api/v1/dossiers", "from B's ticket, for B's procedure")
def _receive_from_b(w: World) -> None:
    for token in (w.b.tokens["current"], w.b.tokens["served"]):
        answer = w.call(
            "POST",
            "/api/v1/dossiers",
            w.a.staff,
            json={"procedure": SAME_DAY, "applicant": APPLICANT, "ticket": token},
        )
        refused(answer, 404, "unknown_ticket")
    answer = w.call(
        "POST",
        "/api/v1/dossiers",
        w.a.staff,
        json={"procedure": w.b.own_procedure, "applicant": APPLICANT},
    )
    refused(answer, 404, "unknown_procedure")


@probe("POST /api/v1/dossiers", "A's receipt on B's printer")
def _receipt_on_b_printer(w: World) -> None:
    answer = w.call(
        "POST",
        "/api/v1/dossiers",
        w.a.staff,
        json={"procedure": SAME_DAY, "applicant": APPLICANT, "print": w.b.printer},
    )
    assert answer.status_code in (400, 403, 404), answer.get_json()


@probe("GET /api/v1/dossiers/<code>", "B's dossier with A's token, with and without B's token")
def _dossier_status(w: World) -> None:
    for code, token in w.b.dossiers.values():
        for query in ("", f"?token={token}"):
            answer = w.call("GET", f"/api/v1/dossiers/{code}{query}", w.a.staff)
            refused(answer, 404, "unknown_dossier")
        # A's devices hold no staff token: without B's dossier token nothing is found.
        answer = w.call("GET", f"/api/v1/dossiers/{code}", w.a.device("kiosk"))
        refused(answer, 404, "unknown_dossier")
    mine, _ = w.a.dossiers["plain"]
    answer = w.call("GET", f"/api/v1/dossiers/{mine}", w.a.staff)
    assert answer.status_code == 200
    w.assert_nothing_of_b(answer.get_json())


@probe("POST /api/v1/dossiers/<code>/actions", "every kind of action on B's dossiers")
def _dossier_actions(w: World) -> None:
    bodies = (
        {"action": "start"},
        {"action": "resolve"},
        {
            "action": "request_supplement",
            "note": "Thiếu giấy",
            "reason": "Bản sao chưa được chứng thực",
        },
        {"action": "refuse", "note": "Không đủ điều kiện"},
        {"action": "withdraw", "note": "Rút"},
        {"action": "stop", "note": "Dừng"},
        {"action": "extend", "note": "Xin lỗi", "new_due_at": "2026-11-26T10:00:00+07:00"},
        {"action": "extend_by_law", "note": "Xác minh", "new_due_at": "2026-11-26T10:00:00+07:00"},
    )
    for code, _ in w.b.dossiers.values():
        for body in bodies:
            answer = w.call("POST", f"/api/v1/dossiers/{code}/actions", w.a.staff, json=body)
            refused(answer, 404, "unknown_dossier")


@probe(
    "POST /api/v1/reception",
    "guidance and refusal from B's ticket, for B's procedure, on B's printer",
)
def _reception_of_b(w: World) -> None:
    base = {"applicant": APPLICANT, "reason": "Thiếu", "missing": ["CCCD"]}
    for kind in ("guidance", "refusal"):
        for token in (w.b.tokens["current"], w.b.tokens["served"]):
            body = {**base, "kind": kind, "procedure": SAME_DAY, "ticket": token}
            refused(
                w.call("POST", "/api/v1/reception", w.a.staff, json=body), 404, "unknown_ticket"
            )
        body = {**base, "kind": kind, "procedure": w.b.own_procedure}
        refused(w.call("POST", "/api/v1/reception", w.a.staff, json=body), 404, "unknown_procedure")
        body = {**base, "kind": kind, "procedure": SAME_DAY, "print": w.b.printer}
        answer = w.call("POST", "/api/v1/reception", w.a.staff, json=body)
        assert answer.status_code in (400, 403, 404), answer.get_json()


@probe("POST /api/v1/dossiers/<code>/control", "B's control slip, and A's on B's printer")
def _control_print(w: World) -> None:
    for code, _ in w.b.dossiers.values():
        answer = w.call(
            "POST", f"/api/v1/dossiers/{code}/control", w.a.staff, json={"print": w.a.printer}
        )
        refused(answer, 404, "unknown_dossier")
    mine, _ = w.a.dossiers["plain"]
    answer = w.call(
        "POST", f"/api/v1/dossiers/{mine}/control", w.a.staff, json={"print": w.b.printer}
    )
    assert answer.status_code in (400, 403, 404), answer.get_json()


@probe("GET /api/v1/dossiers/<code>/control.pdf", "B's control slip as PDF")
def _control_pdf(w: World) -> None:
    for code, _ in w.b.dossiers.values():
        refused(
            w.call("GET", f"/api/v1/dossiers/{code}/control.pdf", w.a.staff), 404, "unknown_dossier"
        )


@probe(
    "POST /api/v1/dossiers/<code>/actions",
    "A's supplement slip on B's printer",
)
def _slip_on_b_printer(w: World) -> None:
    code, _ = w.a.dossiers["plain"]
    body = {
        "action": "request_supplement",
        "note": "Thiếu giấy",
        "reason": "Bản sao chưa được chứng thực",
        "print": w.b.printer,
    }
    answer = w.call("POST", f"/api/v1/dossiers/{code}/actions", w.a.staff, json=body)
    assert answer.status_code in (400, 403, 404), answer.get_json()


@probe("GET /api/v1/dossiers/watch", "A's watch list")
def _watch(w: World) -> None:
    answer = w.call("GET", "/api/v1/dossiers/watch", w.a.staff)
    assert answer.status_code == 200
    w.assert_nothing_of_b(answer.get_json())
    assert {d["code"] for d in answer.get_json()} == {w.a.dossiers["linked"][0]}


@probe("GET /api/v1/dossiers/search", "A's search finds none of B's, by name, code or QR")
def _search(w: World) -> None:
    b_code, b_token = w.b.dossiers["plain"]
    for query in (w.b.applicant, b_code, f"http://x/d/{b_token}?k=1", w.b.code):
        answer = w.call("GET", "/api/v1/dossiers/search?q=" + quote(query), w.a.staff)
        assert answer.status_code == 200
        assert answer.get_json() == [], query
    own = w.call("GET", "/api/v1/dossiers/search?q=" + quote(w.a.applicant), w.a.staff)
    assert own.get_json()  # the positive control: A finds A's own


@probe("GET /api/v1/dossiers/awaiting-return", "A's results awaiting return")
def _awaiting(w: World) -> None:
    answer = w.call("GET", "/api/v1/dossiers/awaiting-return", w.a.staff)
    assert answer.status_code == 200
    w.assert_nothing_of_b(answer.get_json())


@probe("GET /api/v1/dossiers/register", "A's Sổ theo dõi: A's dossiers only, in every format")
def _register(w: World) -> None:
    answer = w.call("GET", "/api/v1/dossiers/register", w.a.staff)
    assert answer.status_code == 200
    w.assert_nothing_of_b(answer.get_json())
    assert {r["code"] for r in answer.get_json()} >= {w.a.dossiers["plain"][0]}
    exported = w.call("GET", "/api/v1/dossiers/register?format=csv", w.a.staff)
    text = exported.get_data().decode("utf-8-sig")
    assert w.a.dossiers["plain"][0] in text
    assert not {m for m in w.b.markers if len(m) > 6 and m in text}


# The citizen's voice: ratings and surveys (by pad, or phone with the key).


def _dossier_query(side: Side, label: str) -> tuple[str, str]:
    code, token = side.dossiers[label]
    return f"/api/v1/dossiers/{code}", f"token={token}"


def _b_visits(w: World) -> list[tuple[str, str]]:
    """B's visits as (path, query so far): the served ticket and both dossiers."""
    return [
        (f"/api/v1/tickets/{w.b.tokens['served']}", ""),
        _dossier_query(w.b, "linked"),
        _dossier_query(w.b, "plain"),
    ]


def _b_unsatisfied(w: World) -> None:
    """B's citizens rate their visits unsatisfied from the phone, reasons to come."""
    for path, query in (_b_visits(w)[0], _b_visits(w)[2]):
        token = w.b.tokens["served"] if "tickets" in path else w.b.dossiers["plain"][1]
        answer = w.call(
            "POST", f"{path}/rating?{query}&k={w.key(token)}", {}, json={"score": "unsatisfied"}
        )
        assert answer.status_code == 201, answer.get_json()


def _rating_attempts(w: World, method: str, body: dict[str, Any]) -> None:
    for path, query in _b_visits(w):
        url = f"{path}/rating?{query}"
        refused(w.call(method, url, w.a.device("pad"), json=body), 403, "served_elsewhere")
        refused(w.call(method, url, w.a.device("kiosk"), json=body), 403, "wrong_device_kind")
        refused(w.call(method, url, w.a.staff, json=body), 403, "feedback_key_invalid")
        # The key of A's own citizen's paper does not open B's visit.
        mine = f"{url}&k={w.key(w.a.tokens['served'])}"
        refused(w.call(method, mine, {}, json=body), 403, "feedback_key_invalid")


@probe("POST /api/v1/tickets/<token>/rating", "B's visit by A's pad, kiosk, staff and key")
def _rate_ticket(w: World) -> None:
    _rating_attempts(w, "POST", {"score": "very_satisfied"})


@probe("POST /api/v1/dossiers/<code>/rating", "B's dossiers by A's pad, kiosk, staff and key")
def _rate_dossier(w: World) -> None:
    _rating_attempts(w, "POST", {"score": "very_satisfied"})


@probe("PATCH /api/v1/tickets/<token>/rating", "B's unsatisfied rating", prepare=_b_unsatisfied)
def _explain_ticket(w: World) -> None:
    _rating_attempts(w, "PATCH", {"reasons": ["attitude"]})


@probe("PATCH /api/v1/dossiers/<code>/rating", "B's unsatisfied rating", prepare=_b_unsatisfied)
def _explain_dossier(w: World) -> None:
    _rating_attempts(w, "PATCH", {"reasons": ["attitude"]})


def _survey_attempts(w: World, method: str) -> None:
    body = None if method == "GET" else {"answers": {"f1": 1}, "contact": "from A"}
    for path, query in _b_visits(w):
        url = f"{path}/survey?{query}"
        for who in (w.a.staff, w.a.device("pad"), w.a.device("kiosk")):
            refused(w.call(method, url, who, json=body), 403, "feedback_key_invalid")
        mine = f"{url}&k={w.key(w.a.tokens['served'])}"
        refused(w.call(method, mine, w.a.staff, json=body), 403, "feedback_key_invalid")


for _method in ("GET", "POST", "PUT"):
    for _visit in ("/api/v1/tickets/<token>", "/api/v1/dossiers/<code>"):
        probe(f"{_method} {_visit}/survey", "B's survey by A's staff, devices and key")(
            lambda w, method=_method: _survey_attempts(w, method)
        )


# Back office: the evaluation and the contacts.


@probe("GET /api/v1/evaluation", "A's period counts A's dossiers, officers and answers only")
def _evaluation(w: World) -> None:
    answer = w.call("GET", f"/api/v1/evaluation?from={TODAY}&to={TODAY}", w.a.staff)
    assert answer.status_code == 200
    result = answer.get_json()
    w.assert_nothing_of_b(result)
    assert result["dossiers"] == 2
    assert result["survey"]["responses"] == 1
    assert [o["username"] for o in result["officers"]] == [w.a.username]


@probe("GET /api/v1/reports/<kind>", "A's reports count A's dossiers, tickets and officers only")
def _reports(w: World) -> None:
    period = f"from={TODAY}&to={TODAY}"
    for kind in ("bieu06", "kpi", "queue", "officers", "satisfaction", "summary"):
        answer = w.call("GET", f"/api/v1/reports/{kind}?{period}", w.a.staff)
        assert answer.status_code == 200, kind
        w.assert_nothing_of_b(answer.get_json())
    bieu06 = w.call("GET", f"/api/v1/reports/bieu06?{period}", w.a.staff).get_json()
    assert bieu06["total"]["received_total"] == 2
    officers = w.call("GET", f"/api/v1/reports/officers?{period}", w.a.staff).get_json()
    assert {o["name"] for o in officers["officers"]} <= {w.a.username, w.a.full_name}
    for fmt in ("csv", "xlsx"):
        answer = w.call("GET", f"/api/v1/reports/bieu06?{period}&format={fmt}", w.a.staff)
        assert answer.status_code == 200
        assert w.b.name.encode() not in answer.get_data()


@probe("GET /api/v1/reports/dashboard", "A's dashboard is A's figures only")
def _dashboard(w: World) -> None:
    answer = w.call("GET", f"/api/v1/reports/dashboard?from={TODAY}&to={TODAY}", w.a.staff)
    assert answer.status_code == 200
    w.assert_nothing_of_b(answer.get_json())
    assert answer.get_json()["dossiers"]["received"] == 2


@probe("GET /api/v1/dossiers/<code>/evaluation", "B's dossiers")
def _dossier_evaluation(w: World) -> None:
    for code, _ in w.b.dossiers.values():
        answer = w.call("GET", f"/api/v1/dossiers/{code}/evaluation", w.a.staff)
        refused(answer, 404, "unknown_dossier")


@probe("POST /api/v1/feedback/contacts", "A's supervisor sees A's citizens only")
def _contacts(w: World) -> None:
    answer = w.call(
        "POST", "/api/v1/feedback/contacts", w.a.staff, json={"from": TODAY, "to": TODAY}
    )
    assert answer.status_code == 200
    w.assert_nothing_of_b(answer.get_json())
    assert [c["contact"] for c in answer.get_json()] == [w.a.contact]


# The rating pad.


@probe("GET /api/v1/rating-pad/state", "A's pad of counter 1 asks about A's visit")
def _pad_state(w: World) -> None:
    answer = w.call("GET", "/api/v1/rating-pad/state", w.a.device("pad"))
    assert answer.status_code == 200
    state = answer.get_json()
    w.assert_nothing_of_b(state)
    assert state["office"] == w.a.name
    assert state["pending"]["token"] == w.a.tokens["served"]


# Public screens, for the office they name.


@probe("GET /api/v1/display/state", "A's display (?office=A)")
def _display_state(w: World) -> None:
    answer = w.call("GET", f"/api/v1/display/state?office={w.a.code}", {})
    assert answer.status_code == 200
    state = answer.get_json()
    w.assert_nothing_of_b(state)
    assert w.a.notice in {n["text"] for n in state["notices"]}
    assert state["waiting"]["B"] == 1
    assert w.b.own_service not in state["services"]
    assert w.b.own_service not in state["waiting"]
    # A's counters 1 (last called), 2 and its own: never B's own counter number.
    assert {s["counter"] for s in state["now_serving"]} == {1, 2, w.a.own_counter}


@probe("GET /display", "A's display page (?office=A)")
def _display_page(w: World) -> None:
    page = w.call("GET", f"/display?office={w.a.code}", {}).get_data(as_text=True)
    assert w.a.name in page
    assert w.b.name not in page


@probe("GET /api/v1/board", "A's board (?office=A)")
def _board(w: World) -> None:
    answer = w.call("GET", f"/api/v1/board?office={w.a.code}", {})
    assert answer.status_code == 200
    board = answer.get_json()
    w.assert_nothing_of_b(board)
    assert board["received"] == 2
    assert {d["code"] for d in board["in_progress"]} == {c for c, _ in w.a.dossiers.values()}


@probe("GET /public", "A's public page (?office=A): A's figures, board and catalogue")
def _public_page(w: World) -> None:
    page = w.call("GET", f"/public?office={w.a.code}", {}).get_data(as_text=True)
    assert w.a.name in page
    assert all(code in page for code, _ in w.a.dossiers.values())
    assert not [code for code, _ in w.b.dossiers.values() if code in page]
    assert w.b.name not in page
    assert w.b.own_procedure not in page


@probe("GET /board", "A's board page (?office=A)")
def _board_page(w: World) -> None:
    page = w.call("GET", f"/board?office={w.a.code}", {}).get_data(as_text=True)
    assert all(code in page for code, _ in w.a.dossiers.values())
    assert not [code for code, _ in w.b.dossiers.values() if code in page]
    assert w.b.name not in page


def route_cases() -> list[Any]:
    return list(_route_cases())


def _route_cases() -> Iterator[Any]:
    for route, probes in sorted(ROUTES.items()):
        for each in probes:
            for way in DIRECTIONS:
                reason = each.leaks.get(way)
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(each, way, id=f"{way} | {route} | {each.name}", marks=marks)


@pytest.mark.parametrize(("case", "direction"), route_cases(), indirect=["direction"])
def test_a_route_never_reaches_the_other_office(world: World, case: Probe) -> None:
    if case.prepare is not None:
        case.prepare(world)
    before = snapshot(world.app, world.b.id)
    case.run(world)
    after = snapshot(world.app, world.b.id)
    changed = sorted(name for name in before if before[name] != after[name])
    assert not changed, f"B's rows changed in {changed}"


def _rules(app: Flask) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_covered(app: Flask) -> None:
    """A new route needs a probe in ``ROUTES`` (or a reason in ``PUBLIC``) before it ships."""
    rules = _rules(app)
    assert sorted(rules - set(ROUTES) - set(PUBLIC)) == []
    assert sorted((set(ROUTES) | set(PUBLIC)) - rules) == []  # no stale entries
    assert not set(ROUTES) & set(PUBLIC)


# -- Socket.IO ---------------------------------------------------------------------------------

# What each namespace's client of an office hears of that office's day (the positive control:
# B's own client must hear these, so A's silence means something).
HEARD = {
    "/counter": {"ticket_issued", "queue_changed", "ticket_called", "printer_status"},
    "/kiosk": {"queue_changed", "print_status", "printer_status"},
    "/rating": {"rating_requested"},
    "/display": {"ticket_called", "queue_changed", "notices_changed"},
}


def socket_auth(namespace: str, side: Side, spoof: str | None) -> dict[str, str]:
    """How ``side``'s screen of ``namespace`` connects (``spoof``: also naming that office)."""
    extra = {"office": spoof} if spoof else {}
    if namespace == "/counter":
        return {"token": side.bearer, **extra}
    if namespace == "/kiosk":
        return {"key": side.keys["kiosk"], **extra}
    if namespace == "/rating":
        return {"key": side.keys["pad"], **extra}
    return {"office": side.code}


def test_every_namespace_is_covered(app: Flask) -> None:
    assert {namespace for _, _, namespace in socketio.handlers} == set(HEARD)


def _b_day(w: World) -> None:
    """Everything B does that its screens hear of."""
    client, b = w.client, w.b
    issue(client, b.device("kiosk"), "A")
    _act(client, b, 1, "call-next")
    _act(client, b, 1, "finish")
    with w.session() as session:
        office = session.get(Office, b.id)
        assert office is not None
        notices.add_notice(session, office, f"Thông báo mới của {b.code}", actor="test")
        session.commit()
        printing.record_health(session, b.printer, "paper_out", "hết giấy", reported_by="test")
        session.commit()
        from printer.worker import finish_attempt

        job = session.get(PrintJob, b.queued_job)
        assert job is not None
        finish_attempt(session, job, None)
        session.commit()


def _catch_up(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process commits for B (its seq moves without a push from here), and the
    catch-up of a server without a message queue looks twice, as its thread would."""
    monkeypatch.setattr(catchup, "_pushed", {})
    assert catchup.look(w.app, {}) == {}  # the first look only takes note
    with w.session() as session:
        bump = update(Office).where(Office.id == w.b.id).values(event_seq=Office.event_seq + 1)
        session.execute(bump)
        session.commit()
    # It looks at every office: B's change, and only B's, is caught up (to B's sockets).
    ahead = catchup.look(w.app, {})
    assert set(ahead) == {w.b.id}
    assert catchup.look(w.app, ahead) == {}
    set_read_only(False)  # a look leaves this thread reading only


SOCKET_CASES = [
    pytest.param(namespace, spoof, id=f"{namespace}-{'auth-names-B' if spoof else 'plain'}")
    for namespace in sorted(HEARD)
    # A display names the office it shows: that is its whole auth, nothing to spoof.
    for spoof in ((False,) if namespace == "/display" else (False, True))
]


@pytest.mark.parametrize(("namespace", "spoof"), SOCKET_CASES)
@pytest.mark.parametrize("direction", BOTH, indirect=True)
def test_a_socket_never_hears_the_other_office(
    world: World, monkeypatch: pytest.MonkeyPatch, namespace: str, spoof: bool
) -> None:
    def connect(side: Side, named: str | None = None) -> Any:
        connection = socketio.test_client(
            world.app,
            namespace=namespace,
            auth=socket_auth(namespace, side, named),
            flask_test_client=world.client,
        )
        assert connection.is_connected(namespace)
        return connection

    mine = connect(world.a, world.b.code if spoof else None)
    theirs = connect(world.b)
    first = mine.get_received(namespace)
    assert (first == []) is (namespace == "/rating")  # the others get a snapshot on connect
    for event in first:
        world.assert_nothing_of_b(event["args"])
    if namespace == "/display":
        assert first[0]["args"][0]["office"] == world.a.name
    theirs.get_received(namespace)

    _b_day(world)
    _catch_up(world, monkeypatch)

    heard = theirs.get_received(namespace)
    assert HEARD[namespace] <= {e["name"] for e in heard}
    assert mine.get_received(namespace) == []
    mine.disconnect(namespace)
    theirs.disconnect(namespace)


# -- data that has no route of its own: notices and calendar days ----------------------------


@pytest.mark.parametrize("direction", BOTH, indirect=True)
def test_a_notice_of_one_office_is_not_the_others_to_retire(world: World) -> None:
    with world.session() as session:
        b_notice = next(n for n in queries.notices(session, world.b.id) if n.text == world.b.notice)
        a_office = session.get(Office, world.a.id)
        assert a_office is not None
        with pytest.raises(NotFound):
            notices.retire_notice(session, a_office, b_notice.id, actor="test")
        session.rollback()
    state = world.call("GET", f"/api/v1/display/state?office={world.b.code}", {}).get_json()
    assert world.b.notice in {n["text"] for n in state["notices"]}


@pytest.mark.parametrize("direction", BOTH, indirect=True)
def test_calendar_days_of_one_office_never_move_the_others_deadlines(world: World) -> None:
    with world.session() as session:
        b_office = session.get(Office, world.b.id)
        a_office = session.get(Office, world.a.id)
        assert a_office is not None
        assert b_office is not None
        for day in (date(2026, 11, 24), date(2026, 11, 25)):
            workcalendar.set_override(
                session, b_office, day, working=False, note="Nghỉ riêng", actor="test"
            )
        session.commit()
        with pytest.raises(NotFound):
            workcalendar.remove_override(session, a_office, date(2026, 11, 24), actor="test")
        session.rollback()
    before, after = {}, {}
    for side in (world.a, world.b):
        code, _ = _receive(world.client, side, THREE_DAYS)  # at the same moment as "plain"
        for due, received in ((before, side.dossiers["plain"][0]), (after, code)):
            shown = world.call("GET", f"/api/v1/dossiers/{received}", side.staff)
            due[side.code] = shown.get_json()["due_at"]
    assert after[world.a.code] == before[world.a.code]  # B's days off are not A's
    assert after[world.b.code] > before[world.b.code]  # they are B's

"""Many offices in one deployment, from the command line: `office add --like` sets a commune up
like another, and `--office CODE` puts staff, devices, notices, catalogue and calendar days in
that office, never in the configured one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from onestop.models import (
    AuditEvent,
    CalendarOverride,
    CatalogField,
    Counter,
    Device,
    Notice,
    Office,
    Officer,
    Procedure,
    Service,
)
from tests.conftest import data_block
from tests.helpers import issue, last_json, run_cli

DEMO = "UBND-XA-DEMO"


def counts(folder: Path, model: Any) -> dict[str, int]:
    """Rows of ``model`` per office code."""
    engine = create_engine(f"sqlite:///{folder / 'cli.db'}")
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Office.code, func.count(model.id))
                .join(model, model.office_id == Office.id)
                .group_by(Office.code)
            ).all()
            return dict(rows)
    finally:
        engine.dispose()


def test_an_office_set_up_like_another_gets_its_services_counters_and_catalogue(
    tmp_path: Path,
) -> None:
    assert run_cli(tmp_path, "init", "--demo").returncode == 0
    made = run_cli(
        tmp_path,
        "office",
        "add",
        "XA-BINH-AN",
        "--name",
        "UBND xã Bình An",
        "--like",
        DEMO,
        "--json",
    )
    assert made.returncode == 0, made.stderr
    assert last_json(made.stdout) == {
        "code": "XA-BINH-AN",
        "name": "UBND xã Bình An",
        "timezone": "Asia/Ho_Chi_Minh",
        "like": DEMO,
    }
    for model in (Service, Counter, CatalogField, Procedure):
        per_office = counts(tmp_path, model)
        assert per_office["XA-BINH-AN"] == per_office[DEMO] > 0, model.__name__
    # Each office's own: staff, devices and notices are not copied.
    for model in (Officer, Device, Notice):
        assert "XA-BINH-AN" not in counts(tmp_path, model), model.__name__
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(engine) as session:
        office = session.scalar(select(Office).where(Office.code == "XA-BINH-AN"))
        assert office is not None
        counter = session.scalar(
            select(Counter).where(Counter.office_id == office.id, Counter.number == 1)
        )
        assert counter is not None
        assert counter.officer_id is None
        assert [link.service.code for link in counter.services] == ["A", "B"]
        assert all(link.service.office_id == office.id for link in counter.services)
        audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "office_added"))
        assert audit is not None
        assert audit.data["procedures"] == counts(tmp_path, Procedure)[DEMO]
    engine.dispose()


def test_office_add_refuses_what_it_cannot_make(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").returncode == 0
    for args, message in (
        (["office", "add", DEMO, "--name", "Again"], "already exists"),
        (["office", "add", "X 1", "--name", "Bad code"], "office code"),
        (["office", "add", "X2", "--name", "Z", "--timezone", "Mars/Olympus"], "time zone"),
        (["office", "add", "X3", "--name", "Z", "--like", "NOWHERE"], "does not exist"),
    ):
        done = run_cli(tmp_path, *args)
        assert done.returncode != 0, args
        assert message in done.stderr, (args, done.stderr)
    assert set(counts(tmp_path, Service)) <= {DEMO}


def test_office_option_puts_each_thing_in_that_office(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init", "--demo").returncode == 0
    assert (
        run_cli(tmp_path, "office", "add", "XA-2", "--name", "Xã Hai", "--like", DEMO).returncode
        == 0
    )
    office = ("--office", "XA-2")
    user = run_cli(
        tmp_path,
        "user",
        "add",
        "lan2",
        "--role",
        "officer",
        "--password-stdin",
        *office,
        stdin="a-long-password\n",
    )
    assert user.returncode == 0, user.stderr
    device = run_cli(tmp_path, "device", "add", "kiosk", "kiosk-1", *office, "--json")
    assert device.returncode == 0, device.stderr  # kiosk-1 exists in the demo office, not here
    notice = run_cli(tmp_path, "notice", "add", "Lịch tiếp dân", *office)
    assert notice.returncode == 0, notice.stderr
    day = run_cli(tmp_path, "calendar", "set", "2026-12-26", "--working", *office)
    assert day.returncode == 0, day.stderr
    year = ("calendar", "show", "--year", "2026", "--json")
    shown = last_json(run_cli(tmp_path, *year, *office).stdout)
    assert "2026-12-26" in shown["working_weekend_days"]
    home = last_json(run_cli(tmp_path, *year).stdout)
    assert "2026-12-26" not in home["working_weekend_days"]
    assert counts(tmp_path, Officer)["XA-2"] == 1
    assert counts(tmp_path, Device)["XA-2"] == 1
    assert counts(tmp_path, Notice)["XA-2"] == 1
    assert counts(tmp_path, CalendarOverride) == {"XA-2": 1}
    missing = run_cli(tmp_path, "notice", "add", "x", "--office", "NOWHERE")
    assert missing.returncode != 0
    assert "NOWHERE" in missing.stderr


# -- the screens and public pages of one office among several --------------------------------


def office_with_kiosk(app: Any, code: str, name: str, timezone: str = "Asia/Ho_Chi_Minh") -> str:
    """Office ``code`` set up like the demo one, with a kiosk of its own; the kiosk's key."""
    from onestop import auth, offices
    from onestop.db import db

    with db.new_session(app) as session:
        made = offices.add_office(session, code, name, timezone=timezone, like=DEMO)
        _, key = auth.create_device(session, made, "kiosk", f"kiosk-{code.lower()}")
        session.commit()
    return key


@pytest.fixture
def two_offices(app: Any, creds: Any) -> Any:
    """The demo office and XA-2, set up like it, with a kiosk of its own; the kiosks' keys."""
    key = office_with_kiosk(app, "XA-2", "UBND xã Hai")
    return {DEMO: {"X-Device-Key": creds["devices"]["kiosk-1"]}, "XA-2": {"X-Device-Key": key}}


def test_a_display_shows_the_office_it_is_for(client: Any, two_offices: Any) -> None:
    for _ in range(2):
        issue(client, two_offices["XA-2"], "B")
    issue(client, two_offices[DEMO], "A")
    other = client.get("/api/v1/display/state?office=XA-2").get_json()
    assert other["office"] == "UBND xã Hai"
    assert other["waiting"] == {"A": 0, "B": 2, "C": 0, "D": 0}
    home = client.get("/api/v1/display/state").get_json()
    assert home["waiting"] == {"A": 1, "B": 0, "C": 0, "D": 0}
    assert client.get("/api/v1/display/state?office=NOWHERE").status_code == 404
    page = client.get("/display?office=XA-2").get_data(as_text=True)
    assert "UBND xã Hai" in page
    screen = data_block(page, "display-config")
    assert screen["office"] == "XA-2"
    assert screen["state_url"].endswith("?office=XA-2")
    assert (
        data_block(client.get("/display").get_data(as_text=True), "display-config")["office"]
        is None
    )
    board = client.get("/api/v1/board?office=XA-2").get_json()
    assert board["received"] == 0


def test_a_display_socket_follows_its_office_only(app: Any, client: Any, two_offices: Any) -> None:
    from onestop.extensions import socketio

    def display(auth: Any) -> Any:
        return socketio.test_client(app, namespace="/display", auth=auth, flask_test_client=client)

    other, home = display({"office": "XA-2"}), display(None)
    assert not display({"office": "NOWHERE"}).is_connected("/display")
    [state] = [e["args"][0] for e in other.get_received("/display") if e["name"] == "state"]
    assert state["office"] == "UBND xã Hai"
    home.get_received("/display")
    issue(client, two_offices["XA-2"], "A")
    pushed = [e["args"][0] for e in other.get_received("/display") if e["name"] == "queue_changed"]
    assert pushed[-1]["waiting"]["A"] == 1
    assert [e for e in home.get_received("/display") if e["name"] == "queue_changed"] == []


def test_public_pages_work_by_token_in_any_office(client: Any, two_offices: Any) -> None:
    ticket = issue(client, two_offices["XA-2"], "A")
    page = client.get(f"/t/{ticket['token']}")
    assert page.status_code == 200
    assert "UBND xã Hai" in page.get_data(as_text=True)
    assert client.get(f"/api/v1/tickets/{ticket['token']}").get_json()["number"] == "A001"


def test_a_registered_display_follows_the_office_of_its_key(
    app: Any, client: Any, two_offices: Any
) -> None:
    from onestop import auth
    from onestop.db import db
    from onestop.extensions import socketio

    with db.new_session(app) as session:
        other = session.scalar(select(Office).where(Office.code == "XA-2"))
        _, key = auth.create_device(session, other, "display", "tv-x2")
        session.commit()
    issue(client, two_offices["XA-2"], "B")
    page = client.get(f"/display?key={key}").get_data(as_text=True)
    assert "UBND xã Hai" in page
    screen = data_block(page, "display-config")
    assert screen["office"] == "XA-2"  # the page then asks for its office's state and room
    assert client.get(screen["state_url"]).get_json()["waiting"]["B"] == 1
    kiosk_key = two_offices["XA-2"]["X-Device-Key"]
    assert client.get(f"/display?key={kiosk_key}").status_code == 403
    assert client.get("/display?key=not-a-key").status_code == 401

    tv = socketio.test_client(
        app, namespace="/display", auth={"key": key}, flask_test_client=client
    )
    [state] = [e["args"][0] for e in tv.get_received("/display") if e["name"] == "state"]
    assert state["office"] == "UBND xã Hai"
    issue(client, two_offices[DEMO], "A")  # the other office's change never reaches it
    assert [e for e in tv.get_received("/display") if e["name"] == "queue_changed"] == []
    issue(client, two_offices["XA-2"], "A")
    pushed = [e["args"][0] for e in tv.get_received("/display") if e["name"] == "queue_changed"]
    assert pushed[-1]["waiting"] == {"A": 1, "B": 1, "C": 0, "D": 0}
    for wrong in ({"key": kiosk_key}, {"key": "nope"}):
        refused = socketio.test_client(
            app, namespace="/display", auth=wrong, flask_test_client=client
        )
        assert not refused.is_connected("/display")


def test_an_office_of_the_deployment_has_its_own_address_and_hours(
    make_app: Any, demo_templates: Any, tmp_path: Path
) -> None:
    from onestop import auth
    from onestop.db import db
    from onestop.workcalendar import calendar_for

    own = {"public_url": "https://hai.example.vn", "morning": "08:00-11:00"}
    app = make_app(offices={"XA-2": own})
    creds = demo_templates.load(app, tmp_path)
    key = office_with_kiosk(app, "XA-2", "UBND xã Hai", "Asia/Bangkok")
    with db.new_session(app) as session:
        other = auth.office_by_code(session, "XA-2")
        cfg = app.config["ONESTOP"]
        hai = calendar_for(session, other, cfg)
        home = calendar_for(session, auth.office_by_code(session, DEMO), cfg)
    assert hai.sessions[0][0].hour == 8  # its own morning
    assert hai.sessions[1] == home.sessions[1]  # the deployment's afternoon
    assert home.sessions[0][0].hour == 7
    assert hai.timezone == "Asia/Bangkok"
    client = app.test_client()
    theirs = issue(client, {"X-Device-Key": key})
    ours = issue(client, {"X-Device-Key": creds["devices"]["kiosk-1"]})
    assert theirs["status_url"].startswith("https://hai.example.vn/t/")
    assert ours["status_url"].startswith("http://127.0.0.1:5000/t/")
    public = client.get(f"/api/v1/tickets/{theirs['token']}").get_json()
    assert public["status_url"].startswith("https://hai.example.vn/t/")


def test_each_office_heads_and_dates_its_papers_as_its_own(
    make_app: Any, demo_templates: Any, tmp_path: Path, frozen: Any
) -> None:
    """NĐ 30/2020: a slip is headed by the body above the unit and its date line starts with
    the commune's place name. Each office has its own; one that has none cannot print a slip
    (409, nothing received), never borrowing the deployment's: Hai's receipt headed "UBND xã
    Demo" or dated "Demo, ngày …" would be a false paper."""
    from onestop import auth
    from onestop.db import db
    from onestop.models import Dossier, PrintJob
    from printer.slips import receipt
    from tests.helpers import login
    from tests.printer.test_slips import texts

    desks = {f"desk-{n}": {"transport": "virtual", "office": f"XA-{n}"} for n in (2, 3)}
    hai = {"place_name": "Hai", "parent_body": "UBND xã Hai"}
    app = make_app(offices={"XA-2": hai}, printers=desks)
    demo_templates.load(app, tmp_path)
    client = app.test_client()
    for n in (2, 3):
        office_with_kiosk(app, f"XA-{n}", f"UBND xã {n}")
        with db.new_session(app) as session:
            office = auth.office_by_code(session, f"XA-{n}")
            auth.create_officer(session, office, f"officer{n}", "a-long-password", "officer")
            session.commit()
    body = {"procedure": "1.004873", "applicant": {"name": "Trần Văn An"}, "delivery": "counter"}

    def receive(n: int) -> Any:
        headers = login(client, f"officer{n}", "a-long-password")
        return client.post("/api/v1/dossiers", json={**body, "print": f"desk-{n}"}, headers=headers)

    received = receive(2)
    assert received.status_code == 201, received.get_json()
    with db.new_session(app) as session:
        [job] = session.scalars(select(PrintJob).where(PrintJob.printer == "desk-2")).all()
        lines = texts(receipt(job.payload))
    assert "Hai, ngày 23 tháng 11 năm 2026" in lines
    assert "UBND XÃ HAI" in lines  # the body above the unit, at the head of the paper
    assert not any(line.startswith(("Demo,", "UBND xã 2,", "UBND XÃ DEMO")) for line in lines)
    refused = receive(3)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "place_name_missing"
    assert "[offices.XA-3]" in refused.get_json()["error"]["message"]
    with db.new_session(app) as session:
        three = auth.office_by_code(session, "XA-3")
        assert (
            session.scalar(select(func.count(Dossier.id)).where(Dossier.office_id == three.id)) == 0
        )


def test_an_office_hours_table_with_a_mistake_stops_the_start() -> None:
    from onestop.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=r"offices\.XA-2\.morning"):
        load_config({"offices": {"XA-2": {"morning": "11:00-08:00"}}})


def test_the_daily_reset_cancels_yesterday_in_every_office(
    app: Any, client: Any, two_offices: Any, frozen: Any
) -> None:
    from onestop import housekeeping
    from onestop.db import db
    from onestop.models import Ticket, TicketState

    for office in (DEMO, "XA-2"):
        issue(client, two_offices[office], "A")
    frozen.advance(days=1)
    assert housekeeping.run_once(app) == 2
    with db.new_session(app) as session:
        states = session.execute(
            select(Office.code, Ticket.state).join(Office, Office.id == Ticket.office_id)
        ).all()
    assert sorted(states) == [(DEMO, TicketState.CANCELLED), ("XA-2", TicketState.CANCELLED)]
    assert housekeeping.run_once(app) == 0


def test_an_office_counts_its_days_in_its_own_time_zone(
    make_app: Any, demo_templates: Any, tmp_path: Path, frozen: Any
) -> None:
    """At 16:30 UTC it is 23:30 in Hà Nội and 01:30 the next day in Tokyo: the Tokyo office's
    tickets are of its own new day, and its times carry its own offset."""
    from datetime import UTC, datetime

    from onestop import housekeeping

    app = make_app()
    creds = demo_templates.load(app, tmp_path)
    key = office_with_kiosk(app, "XA-T", "Văn phòng Tokyo", "Asia/Tokyo")
    client = app.test_client()
    frozen.set(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))  # 21:00 Hà Nội, 23:00 Tokyo
    assert issue(client, {"X-Device-Key": key})["number"] == "A001"
    frozen.set(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # 23:30 Hà Nội, 01:30 Tokyo
    late = issue(client, {"X-Device-Key": key})
    assert late["number"] == "A001"  # a new day in Tokyo
    assert late["issued_at"].endswith("+09:00")
    home = issue(client, {"X-Device-Key": creds["devices"]["kiosk-1"]})
    assert home["issued_at"].endswith("+07:00")
    # Tokyo's yesterday is cancelled by the daily reset; Hà Nội's today is not.
    assert housekeeping.run_once(app) == 1

"""The print queue end to end: jobs from the kiosk to fake printers on loopback, health, reprint,
retry, slips on a page printer, the print agent against a real server, and the test page."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from werkzeug.serving import make_server

from onestop import auth, printing
from onestop.db import db
from onestop.events import print_job_queued, realtime_event
from onestop.models import AuditEvent, PrinterState, PrintJob, PrintStatus, Ticket, TicketState
from printer.agent import Agent, AgentError
from printer.escpos_out import Setup, escpos_bytes
from printer.layout import ticket
from printer.worker import MAX_ATTEMPTS, check_printers, process_pending
from tests.helpers import add_officer
from tests.helpers import issue as issue_from
from tests.helpers import login as log_in
from tests.printer.fakes import ONLINE, PAPER_LOW, PAPER_OUT, FakeNetworkPrinter, refused_port
from tests.printer.fakes import config as table
from tests.printer.test_render import decode_qr


def network(fake: FakeNetworkPrinter, **overrides: Any) -> dict[str, Any]:
    base = {"transport": "network", "host": "127.0.0.1", "port": fake.port, "timeout_seconds": 1.0}
    return table(**{**base, **overrides})


@pytest.fixture
def setup(
    make_app: Any, tmp_path: Path, demo_templates: Any
) -> Callable[..., tuple[Flask, dict[str, Any]]]:
    def build(**printers: dict[str, Any]) -> tuple[Flask, dict[str, Any]]:
        app = make_app()
        app.config["ONESTOP"]["printers"].update(printers)
        return app, demo_templates.load(app, tmp_path)

    return build


@pytest.fixture
def pushed() -> Iterator[list[dict[str, Any]]]:
    """Realtime events released after commits (what Socket.IO would push)."""
    events: list[dict[str, Any]] = []

    def record(_sender: Any, *, push: Any) -> None:
        events.append(dataclasses.asdict(push))

    realtime_event.connect(record)
    yield events
    realtime_event.disconnect(record)


def issue(app: Flask, creds: dict[str, Any], service: str = "A") -> dict[str, Any]:
    """A ticket from the demo kiosk."""
    return issue_from(app.test_client(), {"X-Device-Key": creds["devices"]["kiosk-1"]}, service)


def jobs(app: Flask) -> list[PrintJob]:
    with app.app_context():
        rows = db.session.query(PrintJob).order_by(PrintJob.id).all()
        db.session.expunge_all()
        return rows


def state(app: Flask, name: str = "kiosk-1") -> PrinterState | None:
    with app.app_context():
        row = db.session.get(PrinterState, name)
        db.session.expunge_all()
        return row


def login(app: Flask, creds: dict[str, Any], role: str = "admin") -> dict[str, str]:
    """The demo admin's header, or that of a new ``<role>1`` account."""
    username, password = "admin", creds["admin"]["password"]
    if role != "admin":
        username, password = f"{role}1", "a-long-password"
        add_officer(app, username, role, password)
    return log_in(app.test_client(), username, password)


def test_virtual_printer_writes_png_and_bin(setup: Any, tmp_path: Path) -> None:
    app, creds = setup()
    issued = issue(app, creds)
    assert process_pending(app) == 1
    [png] = (tmp_path / "prints").glob("*-A001-*.png")
    [binary] = (tmp_path / "prints").glob("*-A001-*.bin")
    assert decode_qr(Image.open(png)) == [issued["status_url"]]
    [job] = jobs(app)
    cfg = app.config["ONESTOP"]["printers"]["kiosk-1"]
    assert binary.read_bytes() == escpos_bytes(ticket(job.payload), Setup.from_config(cfg))
    assert job.status == PrintStatus.PRINTED
    assert job.office_id
    assert job.kind == "ticket"


def test_network_printer_gets_the_exact_bytes_after_a_status_check(
    setup: Any, fake_printer: Any
) -> None:
    fake = fake_printer(ONLINE)
    app, creds = setup(
        **{"kiosk-1": network(fake, mode="text", profile="TM-T20II", query_status=True)}
    )
    issue(app, creds)
    assert process_pending(app) == 1
    [job] = jobs(app)
    assert job.status == PrintStatus.PRINTED
    assert job.attempts == 1
    expected = escpos_bytes(ticket(job.payload), Setup("text", 80, "TM-T20II"))
    fake.thread.join(0.5)
    assert fake.job == expected
    assert len(expected) < 1024
    assert fake.queries[:2] == [1, 4]
    assert state(app).status == "online"


def test_refused_printer_retries_then_fails_and_keeps_the_ticket(
    setup: Any, frozen: Any, pushed: list[dict[str, Any]]
) -> None:
    app, creds = setup(
        **{
            "kiosk-1": table(
                transport="network", host="127.0.0.1", port=refused_port(), timeout_seconds=1.0
            )
        }
    )
    issued = issue(app, creds)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert process_pending(app) == 1
        [job] = jobs(app)
        assert job.attempts == attempt
        assert "unreachable" in (job.last_error or "")
        assert process_pending(app) == 0  # backing off: not due yet
        frozen.advance(seconds=10)
    assert job.status == PrintStatus.FAILED
    kiosk = [e for e in pushed if e["name"] == "print_status"]
    assert kiosk[-1]["payload"]["status"] == "failed"
    assert kiosk[-1]["namespaces"] == ("/kiosk",)
    status = app.test_client().get(f"/api/v1/tickets/{issued['token']}").get_json()
    assert status["state"] == "waiting"  # the ticket is still in the queue
    assert state(app).status == "offline"


def test_stalled_printer_times_out_retries_then_fails(
    setup: Any, fake_printer: Any, frozen: Any
) -> None:
    fake = fake_printer(ONLINE, stall=True)
    app, creds = setup(**{"kiosk-1": network(fake, query_status=True, timeout_seconds=0.4)})
    issued = issue(app, creds)
    for _ in range(MAX_ATTEMPTS):
        assert process_pending(app) == 1
        frozen.advance(seconds=10)
    [job] = jobs(app)
    assert job.status == PrintStatus.FAILED
    assert job.attempts == MAX_ATTEMPTS
    assert "did not answer" in (job.last_error or "")
    with app.app_context():
        assert db.session.query(Ticket).one().state == TicketState.WAITING
    status = app.test_client().get(f"/api/v1/tickets/{issued['token']}").get_json()
    assert status["state"] == "waiting"
    assert status["position"] == 1


def test_paper_out_fails_the_job_warns_kiosk_and_counters(
    setup: Any, fake_printer: Any, frozen: Any, pushed: list[dict[str, Any]]
) -> None:
    fake = fake_printer(PAPER_OUT)
    app, creds = setup(**{"kiosk-1": network(fake, query_status=True)})
    issue(app, creds)
    for _ in range(MAX_ATTEMPTS):
        process_pending(app)
        frozen.advance(seconds=10)
    [job] = jobs(app)
    assert job.status == PrintStatus.FAILED
    assert (job.last_error or "").startswith("printer kiosk-1 (127.0.0.1:")
    assert (job.last_error or "").endswith("is out of paper")
    assert fake.job == b""  # nothing was sent to a printer without paper
    alerts = [e for e in pushed if e["name"] == "printer_status"]
    assert len(alerts) == 1  # told once, not at every attempt
    assert alerts[0]["namespaces"] == ("/counter", "/kiosk")
    assert alerts[0]["payload"]["status"] == "paper_out"
    assert not alerts[0]["payload"]["ok"]
    assert alerts[0]["payload"]["devices"] == ["kiosk-1"]
    assert "seq" not in alerts[0]["payload"]  # displays never see it, so it must not make a gap
    kiosk = (
        app.test_client()
        .get("/api/v1/kiosk/printer", headers={"X-Device-Key": creds["devices"]["kiosk-1"]})
        .get_json()
    )
    assert kiosk["status"] == "paper_out"
    assert kiosk["ok"] is False
    # The paper is changed: the next health check clears the alert for everyone.
    fake.replies = dict(ONLINE)
    assert check_printers(app) == 1
    assert state(app).status == "online"
    assert [e["payload"]["status"] for e in pushed if e["name"] == "printer_status"][-1] == "online"


def test_health_check_reads_paper_low(setup: Any, fake_printer: Any) -> None:
    fake = fake_printer(PAPER_LOW)
    app, _ = setup(**{"kiosk-1": network(fake, query_status=True)})
    assert check_printers(app) == 1
    row = state(app)
    assert row is not None
    assert row.status == "paper_low"
    assert row.reported_by == "server"
    assert fake.job == b""


def test_reprint_from_the_counter_is_marked_and_audited(setup: Any, tmp_path: Path) -> None:
    app, creds = setup()
    issued = issue(app, creds)
    process_pending(app)
    client, headers = app.test_client(), login(app, creds, "officer")
    answer = client.post(f"/api/v1/tickets/{issued['token']}/reprint", headers=headers)
    assert answer.status_code == 202
    assert answer.get_json()["printer"] == "kiosk-1"
    assert process_pending(app) == 1
    first, again = jobs(app)
    assert again.payload["reprint_at"]
    assert again.ticket_id == first.ticket_id
    assert len(list((tmp_path / "prints").glob("*-A001-*.png"))) == 2
    with app.app_context():
        audit = db.session.query(AuditEvent).filter_by(action="ticket_reprinted").one()
        assert audit.actor == "officer:officer1"
    unknown = client.post("/api/v1/tickets/nope/reprint", headers=headers)
    assert unknown.status_code == 404
    bad = client.post(
        f"/api/v1/tickets/{issued['token']}/reprint", json={"printer": "x"}, headers=headers
    )
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "unknown_printer"
    staff_ticket = client.post("/api/v1/tickets", json={"service": "B"}, headers=headers)
    never = client.post(
        f"/api/v1/tickets/{staff_ticket.get_json()['token']}/reprint", headers=headers
    )
    assert never.status_code == 409
    assert client.post(f"/api/v1/tickets/{issued['token']}/reprint").status_code == 401


def test_back_office_sees_failures_and_retries_them(setup: Any, frozen: Any) -> None:
    app, creds = setup(
        **{
            "kiosk-1": table(
                transport="network", host="127.0.0.1", port=refused_port(), timeout_seconds=1.0
            )
        }
    )
    issue(app, creds)
    for _ in range(MAX_ATTEMPTS):
        process_pending(app)
        frozen.advance(seconds=10)
    client = app.test_client()
    officer, admin = login(app, creds, "officer"), login(app, creds)
    [row] = [
        p
        for p in client.get("/api/v1/printers", headers=officer).get_json()
        if p["printer"] == "kiosk-1"
    ]
    assert row["status"] == "offline"
    assert not row["ok"]
    assert row["devices"] == ["kiosk-1"]
    [failed] = row["failed_jobs"]
    assert failed["number"] == "A001"
    assert "unreachable" in failed["error"]
    refused = client.post(f"/api/v1/print-jobs/{failed['id']}/retry", headers=officer)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "wrong_role"
    retried = client.post(f"/api/v1/print-jobs/{failed['id']}/retry", headers=admin)
    assert retried.status_code == 202
    twice = client.post(f"/api/v1/print-jobs/{failed['id']}/retry", headers=admin)
    assert twice.status_code == 409
    assert "retried" in twice.get_json()["error"]["message"]
    again = client.post(f"/api/v1/print-jobs/{retried.get_json()['job']}/retry", headers=admin)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "not_failed"
    assert client.post("/api/v1/print-jobs/9999/retry", headers=admin).status_code == 404


def test_a_claimed_job_is_not_sent_twice(setup: Any) -> None:
    from printer.worker import claim

    app, creds = setup()
    issue(app, creds)
    late = db.new_session(app)
    [seen_by_late] = late.query(PrintJob).all()  # loaded before the other process claims it
    late.rollback()
    first = db.new_session(app)
    [job] = first.query(PrintJob).all()
    assert claim(first, job, by="server:1", seconds=60)
    first.commit()
    assert not claim(late, seen_by_late, by="server:2", seconds=60)
    late.commit()
    assert seen_by_late.claimed_by == "server:1"
    first.close()
    late.close()
    assert process_pending(app) == 0  # held by server:1


def test_delivery_clears_offline_even_without_status(
    setup: Any, tmp_path: Path, frozen: Any
) -> None:
    target = tmp_path / "missing-folder" / "lp0"
    app, creds = setup(**{"kiosk-1": table(transport="file", path=str(target))})
    issue(app, creds)
    assert process_pending(app) == 1
    assert state(app).status == "offline"
    target.parent.mkdir()
    frozen.advance(seconds=10)
    assert process_pending(app) == 1
    row = state(app)
    assert row.status == "online"
    assert "delivered" in row.detail
    assert target.read_bytes().startswith(b"\x1b@")


@pytest.mark.parametrize("kind", ["ticket", "receipt", "supplement_request", "apology"])
def test_preview_png(setup: Any, kind: str) -> None:
    app, creds = setup()
    answer = app.test_client().get(
        f"/api/v1/printers/kiosk-1/preview.png?kind={kind}", headers=login(app, creds)
    )
    assert answer.status_code == 200
    assert answer.mimetype == "image/png"
    assert answer.data.startswith(b"\x89PNG")


def test_slip_prints_as_pdf_on_a_page_printer(setup: Any, tmp_path: Path) -> None:
    from printer.slips import sample

    app, _ = setup(desk=table(page="A5"))
    session = db.new_session(app)
    office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
    printers = app.config["ONESTOP"]["printers"]
    job = printing.queue_slip(
        session,
        office,
        "desk",
        "receipt",
        sample("receipt"),
        printers=printers,
        actor="officer:test",
    )
    with pytest.raises(Exception, match="unknown slip"):
        printing.queue_slip(session, office, "desk", "invoice", {}, printers=printers, actor="t")
    session.commit()
    session.close()
    assert process_pending(app) == 1
    [pdf] = (tmp_path / "prints").glob(f"*-receipt-{job.id}.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert jobs(app)[-1].status == PrintStatus.PRINTED


class LiveApp:
    """The app served by werkzeug on a loopback port in a thread (the agent's real server)."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def test_print_agent_sends_the_servers_jobs_to_its_local_printer(
    setup: Any, fake_printer: Any, tmp_path: Path, frozen: Any
) -> None:
    fake = fake_printer(ONLINE)
    app, creds = setup(**{"kiosk-1": network(fake, agent="pc-1", query_status=True)})
    session = db.new_session(app)
    office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
    _, key = auth.create_device(session, office, "agent", "pc-1")
    _, other = auth.create_device(session, office, "agent", "pc-2")
    session.commit()
    session.close()
    session = db.new_session(app)
    office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
    broken = printing.queue_slip(
        session,
        office,
        "kiosk-1",
        "receipt",
        {"number": "1"},
        printers=app.config["ONESTOP"]["printers"],
        actor="t",
    )
    session.commit()
    session.close()
    issue(app, creds)
    assert process_pending(app) == 0  # the server leaves agent printers alone
    live = LiveApp(app)
    try:
        agent = Agent(live.url, key, data_dir=tmp_path / "agent")
        assert Agent(live.url, other, data_dir=tmp_path).send_jobs() == 0  # not its printer
        assert agent.report_health() == 1
        assert agent.send_jobs() == 1  # the ticket; the broken slip failed on the server
        fake.thread.join(0.5)
        slip, job = jobs(app)
        assert slip.id == broken.id
        assert slip.status == PrintStatus.FAILED
        assert "internal error" in str(slip.last_error)
        assert job.status == PrintStatus.PRINTED
        assert job.claimed_by is None
        cfg = app.config["ONESTOP"]["printers"]["kiosk-1"]
        assert fake.job == escpos_bytes(ticket(job.payload), Setup.from_config(cfg))
        assert state(app).reported_by == "agent:pc-1"
        # A job whose outcome never comes back is offered again after the lease.
        issue(app, creds)
        claimed = agent.call("POST", "/jobs/claim", {})["jobs"]
        assert len(claimed) == 1
        assert agent.call("POST", "/jobs/claim", {})["jobs"] == []
        # The lease ran out: that counts as a failed attempt, then the job is offered again.
        frozen.advance(seconds=app.config["ONESTOP"]["printing"]["agent_lease_seconds"] + 1)
        assert agent.call("POST", "/jobs/claim", {})["jobs"] == []
        stale = jobs(app)[-1]
        assert stale.attempts == 1
        assert "pc-1 took the job and did not report back" in str(stale.last_error)
        frozen.advance(seconds=10)
        again = agent.call("POST", "/jobs/claim", {})["jobs"]
        assert [j["id"] for j in again] == [claimed[0]["id"]]
        with pytest.raises(AgentError, match="HTTP 409"):
            Agent(live.url, other, data_dir=tmp_path).call(
                "POST", f"/jobs/{claimed[0]['id']}/result", {"ok": True}
            )
        with pytest.raises(AgentError, match="HTTP 401"):
            Agent(live.url, "wrong-key", data_dir=tmp_path).send_jobs()
    finally:
        live.close()


def test_agent_insists_on_https_off_this_machine(tmp_path: Path) -> None:
    with pytest.raises(AgentError, match="https"):
        Agent("http://onestop.example.vn", "k", data_dir=tmp_path)
    assert Agent("https://onestop.example.vn/", "k", data_dir=tmp_path).server.endswith(".vn")
    assert Agent("http://localhost:5000", "k", data_dir=tmp_path).server
    assert Agent("http://10.0.0.2", "k", data_dir=tmp_path, allow_http=True).server


def test_cli_test_page_and_agent_device(tmp_path: Path) -> None:
    from tests.helpers import last_json
    from tests.helpers import run_cli as run

    answer = run(tmp_path, "printer", "test", "kiosk-1", "--json")
    assert answer.returncode == 0, answer.stderr
    result = last_json(answer.stdout)
    assert result["printer"] == "kiosk-1"
    assert result["status"] == "online"
    data = (tmp_path / "var" / "prints" / "test-page-kiosk-1.bin").read_bytes()
    assert len(data) == result["bytes"]
    assert data.count(b"\x1b@") == 3
    assert (tmp_path / "var" / "prints" / "test-page-kiosk-1.png").exists()
    missing = run(tmp_path, "printer", "test", "nope")
    assert missing.returncode != 0
    assert "no [printers.nope]" in missing.stderr
    assert run(tmp_path, "init").returncode == 0
    agent = run(tmp_path, "device", "add", "agent", "pc-1", "--json")
    assert agent.returncode == 0
    assert last_json(agent.stdout)["kind"] == "agent"
    off = run(
        tmp_path, "print-agent", "--server", "http://onestop.example.vn", "--key", "k", "--once"
    )
    assert off.returncode != 0
    assert "https://" in off.stderr


@pytest.mark.services
def test_two_processes_claim_a_job_once_on_postgresql(pg_app: Any) -> None:
    """Two server processes' workers race for one job on PostgreSQL: exactly one sends it."""
    from printer.worker import claim

    app, creds = pg_app
    issue(app, creds)
    barrier = threading.Barrier(2)
    won: list[bool] = []

    def worker(name: str) -> None:
        session = db.new_session(app)
        try:
            [job] = session.query(PrintJob).all()
            barrier.wait(10)
            won.append(claim(session, job, by=name, seconds=60))
            session.commit()
        finally:
            session.close()

    threads = [threading.Thread(target=worker, args=(f"server:{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(won) == [False, True]
    [job] = jobs(app)
    assert job.claimed_by in {"server:1", "server:2"}
    assert job.attempts == 0


def test_a_backlog_drains_without_pausing_between_batches(setup: Any, tmp_path: Path) -> None:
    """After an outage the queue holds many jobs: the worker takes batch after batch at once,
    not one batch of 20 per poll (it polls here only once a minute)."""
    import time

    from onestop import auth, queue
    from printer.worker import PrintWorker

    app, _creds = setup()
    with db.new_session(app) as session:  # more than two batches, past the kiosk's rate limit
        office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
        for _ in range(45):
            rules = app.extensions["onestop.rules"]
            queue.issue_ticket(session, office, "A", printer="kiosk-1", rules=rules)
        session.commit()
    worker = PrintWorker(app, poll_seconds=60)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(j.status == PrintStatus.PRINTED for j in jobs(app)):
                break
            time.sleep(0.2)
    finally:
        worker.stop.set()
        worker.wake.set()
        worker.thread.join(10)
        print_job_queued.disconnect(worker._on_job)
    assert [j.status for j in jobs(app)] == [PrintStatus.PRINTED] * 45
    assert len(list((tmp_path / "prints").glob("*.png"))) == 45

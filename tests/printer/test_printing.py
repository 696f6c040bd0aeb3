"""Printing: the layout, the ESC/POS bytes, the QR read back, and the queue worker end to end."""

from __future__ import annotations

import socket
import threading
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from escpos.printer import Dummy
from PIL import Image

from onestop.models import PrintJob, PrintStatus, Ticket, TicketState
from printer.escpos_out import raster_bytes
from printer.layout import DOTS, render_ticket
from printer.worker import MAX_ATTEMPTS, process_pending

PAYLOAD = {
    "number": "B012",
    "service": "B",
    "service_name": "Hộ tịch",
    "service_name_en": "",
    "priority": None,
    "token": "tok",
    "status_url": "http://127.0.0.1:5000/t/abcDEF123",
    "issued_at": "2026-11-23T09:05:00+07:00",
    "waiting_ahead": 4,
    "estimated_wait_minutes": 12,
    "office_name": "UBND xã Demo",
}


def decode_qr(image: Image.Image) -> list[str]:
    from pyzbar.pyzbar import decode

    return [d.data.decode() for d in decode(image.convert("L"))]


@pytest.mark.parametrize("paper", [80, 58])
def test_layout_fits_the_paper_and_its_qr_reads_back(paper: int) -> None:
    image = render_ticket(PAYLOAD, paper)
    assert image.mode == "1" and image.width == DOTS[paper]
    assert decode_qr(image) == [PAYLOAD["status_url"]]


def test_long_service_name_wraps_on_58mm() -> None:
    long = dict(
        PAYLOAD,
        service_name="Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ "
        "quan, tổ chức có thẩm quyền của Việt Nam cấp hoặc chứng nhận " * 2,
    )
    short = render_ticket(PAYLOAD, 58)
    wrapped = render_ticket(long, 58)
    assert wrapped.width == 384 and wrapped.height > short.height + 100
    assert decode_qr(wrapped) == [PAYLOAD["status_url"]]


def test_nfd_text_prints_exactly_like_nfc() -> None:
    nfd = {
        k: unicodedata.normalize("NFD", v) if isinstance(v, str) else v for k, v in PAYLOAD.items()
    }
    assert nfd["service_name"] != PAYLOAD["service_name"]
    assert render_ticket(nfd).tobytes() == render_ticket(PAYLOAD).tobytes()


def test_raster_bytes_are_what_python_escpos_makes() -> None:
    image = render_ticket(PAYLOAD)
    data = raster_bytes(image, profile="TM-T20II")
    expected = Dummy(profile="TM-T20II")
    expected.hw("INIT")
    expected.image(image, impl="bitImageRaster")
    expected.ln(2)
    expected.cut()
    assert data == bytes(expected.output)
    assert data.startswith(b"\x1b@")  # ESC @ initialise
    header = b"\x1dv0\x00" + (576 // 8).to_bytes(2, "little")
    assert header in data  # GS v 0, 72 bytes per row
    assert len(data) < 40_000


def test_priority_ticket_stays_small() -> None:
    assert len(raster_bytes(render_ticket(dict(PAYLOAD, priority="elderly_80")))) < 40_000


def test_profile_without_width_still_prints() -> None:
    assert raster_bytes(render_ticket(PAYLOAD, 58), profile="default").startswith(b"\x1b@")


class FakePrinter:
    """A raw-port printer on loopback that records what it receives (or refuses)."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            chunks = []
            while data := conn.recv(65536):
                chunks.append(data)
            self.received.append(b"".join(chunks))

    def close(self) -> None:
        self.server.close()
        self.thread.join(5)


def _app_with_printer(make_app: Any, tmp_path: Path, printer: dict[str, Any]) -> Any:
    from tests.conftest import load_demo

    app = make_app()
    app.config["ONESTOP"]["printers"]["kiosk-1"] = {
        "transport": "network",
        "mode": "raster",
        "profile": "default",
        "paper_mm": 80,
        "host": "127.0.0.1",
        "port": 9,
        "path": "",
        "timeout_seconds": 1.0,
        **printer,
    }
    creds = load_demo(app, tmp_path)
    return app, creds


def _issue(app: Any, creds: Any) -> dict[str, Any]:
    answer = app.test_client().post(
        "/api/v1/tickets",
        json={"service": "A"},
        headers={"X-Device-Key": creds["devices"]["kiosk-1"]},
    )
    assert answer.status_code == 201
    return answer.get_json()


def _job(app: Any) -> PrintJob:
    from onestop.db import db

    with app.app_context():
        job = db.session.query(PrintJob).one()
        db.session.expunge(job)
        return job


def test_virtual_printer_writes_png_and_bin(
    client: Any, kiosk_headers: Any, app: Any, tmp_path: Path
) -> None:
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers).get_json()
    assert process_pending(app) == 1
    pngs = list((tmp_path / "prints").glob("*-A001-*.png"))
    bins = list((tmp_path / "prints").glob("*-A001-*.bin"))
    assert len(pngs) == 1 and len(bins) == 1
    assert decode_qr(Image.open(pngs[0])) == [ticket["status_url"]]
    assert bins[0].read_bytes() == raster_bytes(Image.open(pngs[0]).convert("1"))
    assert _job(app).status == PrintStatus.PRINTED


def test_network_printer_receives_the_exact_bytes(make_app: Any, tmp_path: Path) -> None:
    fake = FakePrinter()
    try:
        app, creds = _app_with_printer(make_app, tmp_path, {"port": fake.port})
        _issue(app, creds)
        assert process_pending(app) == 1
        fake.thread.join(5)
        job = _job(app)
        assert job.status == PrintStatus.PRINTED and job.attempts == 1
        expected = raster_bytes(render_ticket(job.payload, 80))
        assert fake.received == [expected]
    finally:
        fake.close()


def test_refused_printer_retries_then_fails_and_keeps_the_ticket(
    make_app: Any, tmp_path: Path, frozen: Any
) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed_port = probe.getsockname()[1]
    probe.close()  # nothing listens there: connection refused
    app, creds = _app_with_printer(make_app, tmp_path, {"port": closed_port})
    ticket = _issue(app, creds)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert process_pending(app) == 1
        job = _job(app)
        assert job.attempts == attempt and "unreachable" in (job.last_error or "")
        assert process_pending(app) == 0  # backing off: not due yet
        frozen.advance(seconds=10)
    assert job.status == PrintStatus.FAILED
    status = app.test_client().get(f"/api/v1/tickets/{ticket['token']}").get_json()
    assert status["state"] == "waiting"  # the ticket is still in the queue
    from onestop.db import db

    with app.app_context():
        assert db.session.query(Ticket).one().state == TicketState.WAITING

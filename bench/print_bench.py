"""Printing: render time and bytes per ticket in each mode, and print-queue throughput into a
fake network printer on loopback.

Prints a table and writes bench/results/print.json. Not a test: figures, not pass/fail.
The render figures time the whole path from the job's payload to the bytes a printer receives
(layout, drawing, ESC/POS); the queue figures time the worker from queued rows in SQLite to
bytes delivered over TCP, the claim and the outcome each committed, as in production.
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from onestop import auth, demo, queue  # noqa: E402
from onestop.app import create_app  # noqa: E402
from onestop.db import db, make_engine  # noqa: E402
from onestop.migrate import upgrade  # noqa: E402
from onestop.models import PrintJob  # noqa: E402
from printer.escpos_out import Setup, escpos_bytes  # noqa: E402
from printer.layout import sample_ticket, ticket  # noqa: E402
from printer.worker import process_pending  # noqa: E402

RENDERS = 200
JOBS = 500
CASES = [
    ("raster", 80, "TM-T20II"),
    ("raster", 58, "TM-T20II"),
    ("hybrid", 80, "TM-T20II"),
    ("text", 80, "TM-T20II"),
    ("raster", 80, "simple"),
]


def render_figures() -> list[dict[str, Any]]:
    rows = []
    for mode, paper, profile in CASES:
        setup = Setup(mode, paper, profile)
        payloads = [dict(sample_ticket(), number=f"B{i:03d}") for i in range(RENDERS)]
        escpos_bytes(ticket(payloads[0]), setup)  # warm the font and QR caches
        times, sizes = [], []
        for payload in payloads:
            start = time.perf_counter()
            data = escpos_bytes(ticket(payload), setup)
            times.append(time.perf_counter() - start)
            sizes.append(len(data))
        ordered = sorted(times)
        rows.append(
            {
                "mode": mode,
                "paper_mm": paper,
                "profile": profile,
                "render_p50_ms": statistics.median(ordered) * 1000,
                "render_p95_ms": ordered[int(len(ordered) * 0.95)] * 1000,
                "bytes_mean": statistics.mean(sizes),
                "bytes_max": max(sizes),
            }
        )
    return rows


class Sink:
    """A raw-port printer on loopback: reads every job to its end, answers status queries."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.jobs = 0
        self.bytes = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    if data.startswith(b"\x10\x04"):
                        conn.sendall(b"\x12")  # online, paper present
                        continue
                    self.bytes += len(data)
                self.jobs += 1

    def close(self) -> None:
        self.server.close()


def transport_alone(
    app: Any, printer: dict[str, Any], payloads: list[dict[str, Any]]
) -> tuple[float, float]:
    """The floors of the queue figure, over the very jobs the queue drained: the first one's
    bytes sent once for each (the transport alone), and each rendered then sent (no
    database, no claim, no outcome)."""
    from printer.render import document_for, render
    from printer.transports import send

    cfg = {**app.config["ONESTOP"]["printers"]["kiosk-1"], **printer}
    data = render(document_for("ticket", payloads[0]), cfg, preview=False).data
    rates = []
    for with_render in (False, True):
        start = time.perf_counter()
        for n, payload in enumerate(payloads):
            if with_render:
                data = render(document_for("ticket", payload), cfg, preview=False).data
            send(cfg, data, name=f"bench-{n}", data_dir=Path("."))
        rates.append(len(payloads) / (time.perf_counter() - start))
    return rates[0], rates[1]


def queue_figures(mode: str, query_status: bool, folder: Path) -> dict[str, Any]:
    sink = Sink()
    url = f"sqlite:///{folder / f'print-{mode}-{query_status}.db'}"
    printer = {
        "transport": "network",
        "host": "127.0.0.1",
        "port": sink.port,
        "mode": mode,
        "profile": "TM-T20II",
        "query_status": query_status,
        "timeout_seconds": 5.0,
    }
    app = create_app(
        {
            "database": {"url": url},
            "server": {"data_dir": str(folder)},
            "secret_key": "bench",
            "printers": {"kiosk-1": printer},
        }
    )
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    session = db.new_session(app)
    cfg = app.config["ONESTOP"]
    demo.ensure_office(session, cfg["office"])
    demo.load_demo(session, cfg, folder)
    office = auth.office_by_code(session, cfg["office"]["code"])
    rules = queue.QueueRules.from_config(cfg)
    for i in range(JOBS):
        queue.issue_ticket(
            session, office, "ABCD"[i % 4], actor=queue.Actor(), rules=rules, printer="kiosk-1"
        )
    session.commit()
    payloads = [job.payload for job in session.scalars(select(PrintJob).order_by(PrintJob.id))]
    session.close()
    start = time.perf_counter()
    sent = 0
    while sent < JOBS:
        done = process_pending(app, limit=50)
        if not done:
            break
        sent += done
    elapsed = time.perf_counter() - start
    time.sleep(0.2)  # let the sink count the last job
    delivered = sink.jobs
    alone, pipeline = transport_alone(app, printer, payloads)
    sink.close()
    return {
        "mode": mode,
        "query_status": query_status,
        "jobs": JOBS,
        "delivered": delivered,
        "jobs_per_s": delivered / elapsed,
        "transport_jobs_per_s": alone,
        "render_and_send_jobs_per_s": pipeline,
        "ms_per_job": elapsed / max(delivered, 1) * 1000,
        "bytes_per_job": sink.bytes / max(sink.jobs, 1),
    }


def main() -> None:
    renders = render_figures()
    print(f"Render, {RENDERS} tickets each (payload → ESC/POS bytes)")
    print(f"{'mode':8} {'paper':>5} {'profile':9} {'p50 ms':>7} {'p95 ms':>7} {'bytes':>7}")
    for r in renders:
        print(
            f"{r['mode']:8} {r['paper_mm']:>5} {r['profile']:9} {r['render_p50_ms']:7.1f} "
            f"{r['render_p95_ms']:7.1f} {r['bytes_mean']:7.0f}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        queues = [
            queue_figures(mode, query, Path(tmp))
            for mode, query in (("raster", False), ("raster", True), ("text", False))
        ]
    print(
        f"\nPrint queue into a fake network printer on loopback, {JOBS} jobs (SQLite; the claim "
        "and the outcome of each job committed)"
    )
    print(
        f"{'mode':8} {'status q':>8} {'jobs/s':>7} {'send alone/s':>12} {'render+send/s':>13} "
        f"{'÷render+send':>12} {'ms/job':>7} {'bytes/job':>9} {'delivered':>9}"
    )
    for q in queues:
        print(
            f"{q['mode']:8} {q['query_status']!s:>8} {q['jobs_per_s']:7.1f} "
            f"{q['transport_jobs_per_s']:12.1f} {q['render_and_send_jobs_per_s']:13.1f} "
            f"{q['jobs_per_s'] / q['render_and_send_jobs_per_s']:12.2f} "
            f"{q['ms_per_job']:7.1f} {q['bytes_per_job']:9.0f} {q['delivered']:>9}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "print.json").write_text(json.dumps({"render": renders, "queue": queues}, indent=2))


if __name__ == "__main__":
    main()

"""The print queue worker: takes queued jobs from the database and sends them.

Printing never blocks the kiosk's request and a fault never loses the ticket: the job row was
written with the ticket; here it becomes ``printed``, or after ``MAX_ATTEMPTS`` transient faults
(with a growing pause between them) or one permanent fault, ``failed`` with the reason. Either way
the kiosk hears ``print_status`` and shows the QR on screen for longer when printing failed.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import object_session

from onestop import clock, realtime
from onestop.config import data_dir
from onestop.db import db
from onestop.events import defer, print_job_queued, realtime_event
from onestop.models import PrintJob, PrintStatus
from printer.escpos_out import raster_bytes
from printer.layout import render_ticket
from printer.transports import PrintError, send

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = (0, 2, 5)


def print_one(app: Flask, job: PrintJob) -> None:
    """Render and send one job, recording the outcome on the row (the caller commits)."""
    printers = app.config["ONESTOP"]["printers"]
    at = clock.now()
    job.attempts += 1
    job.updated_at = at
    cfg = printers.get(job.printer)
    try:
        if cfg is None:
            raise PrintError(f"no [printers.{job.printer}] in the configuration", transient=False)
        image = render_ticket(job.payload, cfg["paper_mm"])
        data = raster_bytes(image, profile=cfg["profile"])
        name = (
            f"{clock.local_day(at, app.config['ONESTOP']['office']['timezone'])}-"
            f"{job.payload['number']}-{job.id}"
        )
        send(cfg, data, image, name=name, data_dir=data_dir(app.config["ONESTOP"]))
        job.status, job.last_error = PrintStatus.PRINTED, None
    except PrintError as exc:
        job.last_error = exc.reason
        if not exc.transient or job.attempts >= MAX_ATTEMPTS:
            job.status = PrintStatus.FAILED
        else:
            job.not_before = at + timedelta(seconds=BACKOFF_SECONDS[job.attempts])
        log.warning("print job %s: %s", job.id, exc.reason)
    except Exception as exc:  # a layout bug must not kill the worker or lose the ticket
        log.exception("print job %s crashed", job.id)
        job.status, job.last_error = PrintStatus.FAILED, f"internal error: {exc}"
    if job.status != PrintStatus.QUEUED:
        payload = realtime.print_status(
            job.payload["token"], job.payload["number"], job.status.value, job.last_error
        )
        office_id = job.ticket.office_id
        session = object_session(job)
        assert session is not None
        defer(
            session,
            realtime_event,
            office_id=office_id,
            name="print_status",
            payload=payload,
            namespaces=(realtime.KIOSK,),
        )


def process_pending(app: Flask, limit: int = 20) -> int:
    """Try every job that is due; returns how many were tried."""
    session = db.new_session(app)
    tried = 0
    try:
        now = clock.now()
        jobs = session.scalars(
            select(PrintJob)
            .where(
                PrintJob.status == PrintStatus.QUEUED,
                or_(PrintJob.not_before.is_(None), PrintJob.not_before <= now),
            )
            .order_by(PrintJob.id)
            .limit(limit)
        ).all()
        for job in jobs:
            print_one(app, job)
            session.commit()
            tried += 1
    finally:
        session.close()
    return tried


class PrintWorker:
    """A daemon thread woken by new jobs, and every few seconds for retries."""

    def __init__(self, app: Flask, poll_seconds: float = 2.0) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="onestop-print", daemon=True)

    def start(self) -> None:
        print_job_queued.connect(self._on_job, weak=False)
        self.thread.start()

    def _on_job(self, _sender: Any, **_kwargs: Any) -> None:
        self.wake.set()

    def _run(self) -> None:
        while not self.stop.is_set():
            self.wake.clear()
            try:
                process_pending(self.app)
            except Exception:
                log.exception("print worker pass failed; retrying")
            self.wake.wait(self.poll_seconds)

"""The print queue worker: takes queued jobs from the database and sends them.

Printing never blocks the kiosk's request and a fault never loses the ticket: the job row was
written with the ticket; here it becomes ``printed``, or after ``MAX_ATTEMPTS`` transient faults
(with a growing pause between them) or one permanent fault, ``failed`` with the reason. Either way
the kiosk hears ``print_status`` and shows the QR on screen for longer when printing failed.
Printers served by a print agent (``agent = …``) are left to it. Between jobs the worker asks the
printers that answer status queries how they are, every ``[printing] health_seconds``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from onestop import clock, printing, realtime
from onestop.config import data_dir
from onestop.db import db
from onestop.events import defer, print_job_queued, realtime_event
from onestop.models import PrintJob, PrintKind, PrintStatus
from printer.render import document_for, render
from printer.transports import Health, PrintError, check, send

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = (0, 2, 5)


def job_name(job: PrintJob, tz: str) -> str:
    """``2026-11-27-A001-17``: the file name a virtual printer gives the job."""
    label = job.payload["slip"] if job.kind == PrintKind.SLIP else job.payload["number"]
    safe = re.sub(r"[^A-Za-z0-9_]+", "_", str(label))  # a file name, whatever the payload says
    return f"{clock.local_day(job.created_at, tz)}-{safe}-{job.id}"


def finish_attempt(session: Session, job: PrintJob, error: PrintError | None) -> None:
    """Record one try's outcome on the row: printed, retry later, or failed (caller commits)."""
    at = clock.now()
    job.attempts += 1
    job.updated_at = at
    job.claimed_by = None
    if error is None:
        job.status, job.last_error = PrintStatus.PRINTED, None
    else:
        job.last_error = error.reason
        if not error.transient or job.attempts >= MAX_ATTEMPTS:
            job.status = PrintStatus.FAILED
        else:
            job.not_before = at + timedelta(seconds=BACKOFF_SECONDS[job.attempts])
        log.warning("print job %s: %s", job.id, error.reason)
    if job.status != PrintStatus.QUEUED and job.kind == PrintKind.TICKET:
        payload = realtime.print_status(
            job.payload["token"], job.payload["number"], job.status.value, job.last_error
        )
        defer(
            session,
            realtime_event,
            office_id=job.office_id,
            name="print_status",
            payload=payload,
            namespaces=(realtime.KIOSK,),
        )


def note_health(session: Session, printer: str, health: Health | None, reported_by: str) -> None:
    if health is not None and health.status != "unknown":
        printing.record_health(
            session, printer, health.status, health.detail, reported_by=reported_by
        )


def print_one(app: Flask, session: Session, job: PrintJob) -> None:
    """Render and send one job, recording the outcome on the row (the caller commits)."""
    cfg = app.config["ONESTOP"]["printers"].get(job.printer)
    health: Health | None = None
    error: PrintError | None = None
    try:
        if cfg is None:
            raise PrintError(f"no [printers.{job.printer}] in the configuration", transient=False)
        output = render(
            document_for(job.kind, job.payload), cfg, preview=cfg["transport"] == "virtual"
        )
        tz = app.config["ONESTOP"]["office"]["timezone"]
        health = send(
            cfg,
            output.data,
            name=job_name(job, tz),
            data_dir=data_dir(app.config["ONESTOP"]),
            image=output.image,
            pdf=output.pdf,
        )
    except PrintError as exc:
        error, health = (
            exc,
            exc.health or (Health("offline", exc.reason) if exc.transient else None),
        )
    except Exception as exc:  # a layout bug must not kill the worker or lose the ticket
        log.exception("print job %s crashed", job.id)
        error = PrintError(f"internal error: {exc}", transient=False)
    finish_attempt(session, job, error)
    note_health(session, job.printer, health, "server")


def _served_here(app: Flask) -> list[str]:
    return [name for name, cfg in app.config["ONESTOP"]["printers"].items() if not cfg["agent"]]


def process_pending(app: Flask, limit: int = 20) -> int:
    """Try every job that is due on a printer this server sends to; returns how many were tried."""
    session = db.new_session(app)
    tried = 0
    try:
        now = clock.now()
        jobs = session.scalars(
            select(PrintJob)
            .where(
                PrintJob.status == PrintStatus.QUEUED,
                PrintJob.printer.in_(_served_here(app)),
                or_(PrintJob.not_before.is_(None), PrintJob.not_before <= now),
            )
            .order_by(PrintJob.id)
            .limit(limit)
        ).all()
        for job in jobs:
            print_one(app, session, job)
            session.commit()
            tried += 1
    finally:
        session.close()
    return tried


def check_printers(app: Flask) -> int:
    """Ask every printer that answers status queries how it is; returns how many were asked."""
    asked = 0
    for name in _served_here(app):
        cfg = app.config["ONESTOP"]["printers"][name]
        if not cfg["query_status"]:
            continue
        health = check(cfg)
        session = db.new_session(app)
        try:
            note_health(session, name, health, "server")
            session.commit()
        finally:
            session.close()
        asked += 1
    return asked


class PrintWorker:
    """A daemon thread woken by new jobs, and every few seconds for retries and health checks."""

    def __init__(self, app: Flask, poll_seconds: float = 2.0) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.health_seconds = float(app.config["ONESTOP"]["printing"]["health_seconds"])
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="onestop-print", daemon=True)

    def start(self) -> None:
        print_job_queued.connect(self._on_job, weak=False)
        self.thread.start()

    def _on_job(self, _sender: Any, **_kwargs: Any) -> None:
        self.wake.set()

    def _run(self) -> None:
        next_check = time.monotonic()
        while not self.stop.is_set():
            self.wake.clear()
            try:
                process_pending(self.app)
                if time.monotonic() >= next_check:
                    next_check = time.monotonic() + self.health_seconds
                    check_printers(self.app)
            except Exception:
                log.exception("print worker pass failed; retrying")
            self.wake.wait(self.poll_seconds)

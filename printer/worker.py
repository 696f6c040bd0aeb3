"""The print queue worker: takes queued jobs from the database and sends them.

Printing never blocks the kiosk's request and a fault never loses the ticket: the job row was
written with the ticket; here it becomes ``printed``, or after ``MAX_ATTEMPTS`` transient faults
(with a growing pause between them) or one permanent fault, ``failed`` with the reason. Either way
the kiosk hears ``print_status`` and shows the QR on screen for longer when printing failed.
Printers served by a print agent (``agent = …``) are left to it. Between jobs the worker asks the
printers that answer status queries how they are, every ``[printing] health_seconds``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
from datetime import timedelta
from typing import Any, cast

from flask import Flask
from sqlalchemy import CursorResult, String, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from onestop import clock, printing, queries, realtime
from onestop.config import data_dir
from onestop.db import db
from onestop.events import notify, print_job_queued
from onestop.models import PrintJob, PrintKind, PrintStatus, run_core, table_of
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
        notify(session, job.office_id, "print_status", payload, (realtime.KIOSK,))


def claim(session: Session, job: PrintJob, *, by: str, seconds: float) -> bool:
    """Take a due job for ``seconds`` so that no other server process or agent sends it too.

    One conditional UPDATE decides between competitors. A job still held by someone whose
    time ran out (a crashed process, an agent that never reported back) counts that as a
    failed attempt first, so it cannot go round for ever.
    """
    now = clock.now()
    previous = job.claimed_by
    held = {"claimed_by": by, "not_before": now + timedelta(seconds=seconds), "updated_at": now}
    keys = {"job": job.id, "now": now, "previous": previous, "by": by, "until": held["not_before"]}
    result = run_core(session, _claim_statement(), keys)
    if cast("CursorResult[Any]", result).rowcount != 1:  # an UPDATE's result counts its rows
        session.expire(job)  # another took it, or it is no longer due: read it afresh if used
        return False
    for name, value in held.items():  # what the row now says, without reading it back
        set_committed_value(job, name, value)
    if previous is not None:
        reason = f"{previous} took the job and did not report back"
        finish_attempt(session, job, PrintError(reason, transient=True))
        return False  # backing off now, or failed: a later pass takes it
    return True


@functools.cache
def _claim_statement() -> Any:
    moment = PrintJob.updated_at.type
    now = bindparam("now", type_=moment)
    return (
        update(table_of(PrintJob))
        .where(
            PrintJob.id == bindparam("job"),
            queries.print_job_due(cast(Any, now)),
            PrintJob.claimed_by.is_not_distinct_from(bindparam("previous", type_=String)),
        )
        .values(
            claimed_by=bindparam("by"),
            not_before=bindparam("until", type_=moment),
            updated_at=now,
        )
    )


def health_after(error: PrintError | None, seen: Health | None) -> Health | None:
    """What one job's outcome says about its printer (None: nothing)."""
    if error is None:
        # Delivered: online, even where the transport cannot read status (file, CUPS).
        ok = seen is not None and seen.status != "unknown"
        return seen if ok else Health("online", "the last job was delivered")
    if error.health is not None:
        return error.health
    return Health("offline", error.reason) if error.transient else None


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
            printer=job.printer,
        )
    except PrintError as exc:
        error = exc
    except Exception as exc:  # a layout bug must not kill the worker or lose the ticket
        log.exception("print job %s crashed", job.id)
        error = PrintError(f"internal error: {exc}", transient=False)
    finish_attempt(session, job, error)
    if cfg is not None:
        note_health(session, job.printer, health_after(error, health), "server")


def _served_here(app: Flask) -> list[str]:
    return [name for name, cfg in app.config["ONESTOP"]["printers"].items() if not cfg["agent"]]


def process_pending(app: Flask, limit: int = 20) -> int:
    """Try up to ``limit`` jobs due on the printers this server sends to; returns how many were
    tried (the worker takes the next batch at once while this is not zero)."""
    session = db.new_session(app)
    tried = 0
    try:
        jobs = queries.due_print_jobs(session, _served_here(app), clock.now(), limit=limit)
        printers = app.config["ONESTOP"]["printers"]
        taken = []
        for place, job in enumerate(jobs):
            # Held long enough for the sends before it in this batch and its own with its
            # status query, whatever the printer does.
            timeout = float(printers.get(job.printer, {}).get("timeout_seconds", 5))
            hold = 3 * timeout * (place + 1) + 10
            if claim(session, job, by=f"server:{os.getpid()}", seconds=hold):
                taken.append(job)
        session.commit()  # the batch's claims, at once: other processes see them before sends
        for job in taken:
            print_one(app, session, job)
            session.commit()  # each outcome at once: the kiosk hears of its ticket's print
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
        health = check(cfg, name=name)
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
                # A backlog (after an outage, a morning rush) drains at the printers' speed: the
                # next batch at once while the last one found work, the pause only when idle.
                while process_pending(self.app) and not self.stop.is_set():
                    pass
                if time.monotonic() >= next_check:
                    next_check = time.monotonic() + self.health_seconds
                    check_printers(self.app)
            except Exception:
                log.exception("print worker pass failed; retrying")
            self.wake.wait(self.poll_seconds)

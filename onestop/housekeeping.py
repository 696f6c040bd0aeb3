"""The daily reset, run in the background of a serving process."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import select

from onestop import queue
from onestop.db import db
from onestop.models import Office

log = logging.getLogger(__name__)


def run_once(app: Flask) -> int:
    """Cancel the tickets left from earlier days, in every office; returns how many."""
    session = db.new_session(app)
    try:
        count = 0
        base = app.extensions["onestop.rules"]
        for office in session.scalars(select(Office).order_by(Office.id)):
            rules = base.of(office)  # "yesterday" is the office's own
            count += queue.close_stale_tickets(session, office, rules=rules)
            session.commit()  # office by office: one office's trouble holds back no other
        return count
    finally:
        session.close()


def start_housekeeping(app: Flask) -> threading.Thread:
    interval = app.config["ONESTOP"]["queue"]["housekeeping_seconds"]
    stop = threading.Event()
    app.extensions["onestop.housekeeping_stop"] = stop

    def loop() -> None:
        while not stop.is_set():
            try:
                count = run_once(app)
                if count:
                    log.info("cancelled %d tickets left from earlier days", count)
            except Exception:
                log.exception("housekeeping failed; will try again")
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="onestop-housekeeping", daemon=True)
    thread.start()
    return thread

"""The daily reset, run in the background of a serving process."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from onestop import auth, queue
from onestop.db import db

log = logging.getLogger(__name__)


def run_once(app: Flask) -> int:
    """Cancel tickets left from earlier days; returns how many."""
    session = db.new_session(app)
    try:
        office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
        count = queue.close_stale_tickets(session, office, rules=app.extensions["onestop.rules"])
        session.commit()
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

"""Printing: ticket layout → PNG and ESC/POS bytes, transports, and the print queue worker.

Imports only ``onestop``. The composition root calls :func:`init_app` and, in a serving process,
:func:`start_worker`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    app.extensions["onestop.printers"] = app.config["ONESTOP"]["printers"]


def start_worker(app: Flask) -> None:
    from printer.worker import PrintWorker

    worker = PrintWorker(app)
    app.extensions["onestop.print_worker"] = worker
    worker.start()

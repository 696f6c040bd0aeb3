"""Printing: ticket layout → PNG and ESC/POS bytes, transports, and the print queue worker.

Imports only ``onestop``. A serving process starts the worker with :func:`start_worker`.
"""

from __future__ import annotations

from flask import Flask


def start_worker(app: Flask) -> None:
    from printer.worker import PrintWorker

    worker = PrintWorker(app)
    app.extensions["onestop.print_worker"] = worker
    worker.start()

"""Printing: one layout model rendered to PNG, ESC/POS bytes (raster, text, hybrid) and PDF;
transports; the print queue worker and the print agent's API.

Imports only ``onestop``. The composition root calls :func:`init_app`, and a serving process
starts the worker with :func:`start_worker`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from printer import agent, views

    agent.init_app(app)
    views.init_app(app)


def start_worker(app: Flask) -> None:
    from printer.worker import PrintWorker

    worker = PrintWorker(app)
    app.extensions["onestop.print_worker"] = worker
    worker.start()

"""``onestop serve``: gunicorn with simple-websocket, on its gevent worker or its threaded one.

One worker process (the embedded default keeps the queue in one SQLite file and pushes events
from memory); scale out by running several ``onestop serve`` processes on PostgreSQL with a Redis
message queue behind a proxy. On the gevent worker (``[realtime] async_mode = "gevent"``, the
standard library monkey-patched by ``onestop.__main__``) each connection is a greenlet, up to
``[server] connections``; on the threaded one each open WebSocket holds one of ``[server]
threads`` threads.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, make_app: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.make_app = make_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.make_app()


def _ready(app: Flask) -> None:
    """The worker's last step before it serves: its threads, then the objects made so far
    (the app, its modules, templates, catalogue) set aside from the garbage collector, whose
    full collections would otherwise walk them all again and again while calls wait."""
    from onestop.app import start_background_workers

    start_background_workers(app)
    gc.collect()
    gc.freeze()


def serve(app: Flask, host: str, port: int, threads: int) -> None:
    """Serve the configuration of ``app`` (the one ``onestop serve`` checked); ``threads`` for
    the threaded worker, the rest from its configuration.

    The served app is made anew in the worker, after gunicorn forked it (and, on the gevent
    worker, after gevent was set up there): no engine, lock, timer or thread of the parent's
    is shared with it.
    """
    from onestop.app import create_app

    overrides = app.extensions["onestop.overrides"]
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": 1,
        **_worker(app, threads),
        "timeout": 60,
        "graceful_timeout": 5,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "post_worker_init": lambda worker: _ready(worker.wsgi),
        "proc_name": "onestop",
        # gunicorn's control socket is one fixed path for every server on the machine (the
        # second server would take the first one's); onestop does not use it.
        "control_socket_disable": True,
    }
    app.extensions["onestop.engine"].dispose()
    if app.extensions["onestop.async_mode"] == "gevent":
        import gevent

        # The checked app's one-shot timers (the rate limiter's memory store) end here, in
        # this process, rather than be copied into the worker half-run.
        gevent.sleep(0.05)
    _Gunicorn(lambda: create_app(overrides), options).run()


def _worker(app: Flask, threads: int) -> dict[str, Any]:
    if app.extensions["onestop.async_mode"] == "gevent":
        connections = int(app.config["ONESTOP"]["server"]["connections"])
        return {"worker_class": "gevent", "worker_connections": connections}
    return {"worker_class": "gthread", "threads": threads}

"""``onestop serve``: gunicorn's threaded worker with simple-websocket.

One worker process (the embedded default keeps the queue in one SQLite file and pushes events
from memory); scale out by running several ``onestop serve`` processes on PostgreSQL with a Redis
message queue behind a proxy. Each open WebSocket holds one of ``server.threads`` threads.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(app: Flask, host: str, port: int, threads: int) -> None:
    from onestop.app import start_background_workers

    def post_worker_init(_worker: Any) -> None:
        # Connections opened in the parent (init checks) must not be shared with the worker.
        app.extensions["onestop.engine"].dispose(close=False)
        start_background_workers(app)

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": 5,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "post_worker_init": post_worker_init,
        "proc_name": "onestop",
        # gunicorn's control socket is one fixed path for every server on the machine (the
        # second server would take the first one's); onestop does not use it.
        "control_socket_disable": True,
    }
    _Gunicorn(app, options).run()

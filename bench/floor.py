"""The floor the server benchmarks measure onestop against: the least each path must do.

A bare Flask + Flask-SocketIO app, served exactly as ``onestop serve`` serves (the standard
library monkey-patched first, gunicorn with one gevent worker, simple-websocket, the access log
on stdout), so the difference is onestop's own work:

- ``POST /ticket {"office", "service"}``: the same upsert-returning of the day's number and the
  same ticket insert, in one transaction (``BEGIN IMMEDIATE`` on SQLite), no authentication;
- ``POST /call {"office", "number", "counter"}``: one emit of ``ticket_called`` to the office's
  displays, nothing written;
- the ``/display`` namespace: join the office's room (``auth={"office": N}``), send a state;
- ``GET /state?office=N``: the smallest state answer.

Run: ``python bench/floor.py --port P --database URL [--message-queue redis://…]``.
"""

from __future__ import annotations

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

import argparse
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO, emit, join_room
from gunicorn.app.base import BaseApplication
from sqlalchemy import create_engine, event, text

SCHEMA = [
    (
        "CREATE TABLE IF NOT EXISTS seq (office INTEGER, service TEXT, day TEXT, last INTEGER, "
        "PRIMARY KEY (office, service, day))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS ticket (id {serial} PRIMARY KEY, office INTEGER, "
        "service TEXT, day TEXT, n INTEGER, number TEXT, token TEXT, at TEXT, "
        "UNIQUE (office, service, day, n))"
    ),
]
UPSERT = (
    "INSERT INTO seq (office, service, day, last) VALUES (:o, :s, :d, 1) "
    "ON CONFLICT (office, service, day) DO UPDATE SET last = seq.last + 1 RETURNING last"
)
INSERT = (
    "INSERT INTO ticket (office, service, day, n, number, token, at) "
    "VALUES (:o, :s, :d, :n, :number, :token, :at)"
)


def make_engine(url: str) -> Any:
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(conn: Any, _record: Any) -> None:
        conn.isolation_level = None
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_app(database: str, message_queue: str) -> Flask:
    app = Flask("floor")
    engine = make_engine(database)
    serial = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as conn:
        for statement in SCHEMA:
            conn.execute(text(statement.format(serial=serial)))
    socketio = SocketIO(app, async_mode="gevent", message_queue=message_queue or None)

    @app.get("/healthz")
    def healthz() -> Any:
        return {"status": "ok"}

    @app.post("/ticket")
    def ticket() -> Any:
        body = request.get_json()
        now = datetime.now(UTC)
        keys = {"o": int(body["office"]), "s": str(body["service"]), "d": now.date().isoformat()}
        with engine.begin() as conn:
            n = conn.execute(text(UPSERT), keys).scalar_one()
            number = f"{keys['s']}{n:03d}"
            conn.execute(
                text(INSERT),
                {
                    **keys,
                    "n": n,
                    "number": number,
                    "token": secrets.token_urlsafe(18),
                    "at": now.isoformat(),
                },
            )
        return {"number": number}, 201

    @app.post("/call")
    def call() -> Any:
        body = request.get_json()
        payload = {"number": body["number"], "counter": body["counter"], "seq": body.get("seq")}
        socketio.emit("ticket_called", payload, to=f"o{body['office']}", namespace="/display")
        return {"called": body["number"]}

    @app.get("/state")
    def state() -> Any:
        return {"office": request.args.get("office"), "now_serving": []}

    @socketio.on("connect", namespace="/display")
    def connect(auth: Any = None) -> None:
        join_room(f"o{(auth or {}).get('office', 0)}")
        emit("state", {"now_serving": []})

    return app


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], database: str, message_queue: str) -> None:
        self.options, self.database, self.message_queue = options, database, message_queue
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return make_app(self.database, self.message_queue)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--message-queue", default="")
    args = parser.parse_args()
    options = {  # as onestop/server.py sets them
        "bind": f"127.0.0.1:{args.port}",
        "workers": 1,
        "worker_class": "gevent",
        "worker_connections": 10000,
        "timeout": 60,
        "graceful_timeout": 5,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "onestop-floor",
        "control_socket_disable": True,
    }
    _Gunicorn(options, args.database, args.message_queue).run()


if __name__ == "__main__":
    main()

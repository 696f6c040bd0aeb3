"""The composition root: the only module of ``onestop`` that imports the surfaces.

``create_app`` wires configuration, extensions and blueprints. It does no network I/O, starts no
thread and runs no migration: ``onestop init`` migrates, ``onestop serve`` starts the workers.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

import admin
import counter
import display
import kiosk
import printer
from onestop import emitter, health, i18n
from onestop.config import ConfigError, data_dir, load_config
from onestop.db import db, set_read_only
from onestop.extensions import csrf, limiter, socketio
from onestop.feedback import FeedbackRules
from onestop.http import SAFE_METHODS, DatabaseInt, install_error_handlers
from onestop.queue import QueueRules

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self' ws: wss:; media-src 'self'; frame-ancestors 'none'"
)


def _secret_key(cfg: dict[str, Any]) -> str:
    if cfg["secret_key"]:
        return str(cfg["secret_key"])
    stored = data_dir(cfg) / "secret_key"
    if stored.exists():
        return stored.read_text().strip()
    # No key yet (before `onestop init`): a per-process key keeps this process working.
    return secrets.token_urlsafe(32)


def async_mode(cfg: dict[str, Any]) -> str:
    """The configured mode where the process runs it: gevent only once ``onestop serve`` has
    monkey-patched (``onestop.__main__``); a command, a test or a plain import runs threads."""
    if cfg["realtime"]["async_mode"] != "gevent" or "gevent" not in sys.modules:
        return "threading"
    from gevent import monkey

    return "gevent" if monkey.is_module_patched("socket") else "threading"


def _message_queue(url: str | None) -> Any:
    """The Socket.IO client manager for ``url``: Redis (onestop.mq) or none (one process)."""
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"realtime.message_queue must be a redis:// URL, got {url!r}")
    from onestop.mq import RedisQueue

    return RedisQueue(url)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    cfg = load_config(overrides)
    app = Flask(
        "onestop",
        static_folder=str(Path(__file__).parent / "static"),
        template_folder=str(Path(__file__).parent / "templates"),
    )
    app.config.update(
        ONESTOP=cfg,
        SECRET_KEY=_secret_key(cfg),
        MAX_CONTENT_LENGTH=cfg["security"]["max_body_bytes"],
        JSON_AS_ASCII=False,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["onestop.overrides"] = overrides  # a server's worker makes its app anew
    app.extensions["onestop.rules"] = QueueRules.from_config(cfg, app.config["SECRET_KEY"])
    app.extensions["onestop.feedback"] = FeedbackRules.from_config(cfg)

    app.url_map.converters["int"] = DatabaseInt  # before any route is declared
    db.init_app(app)
    csrf.init_app(app)
    install_error_handlers(app)
    limiter.init_app(app)
    # Surfaces first: their Socket.IO handlers must be declared before socketio binds to the
    # app, or Flask-SocketIO attaches them to the previous app's server only.
    for surface in (kiosk, counter, display, admin, printer):
        surface.init_app(app)
    i18n.init_app(app)
    origins = [o.strip() for o in cfg["realtime"]["cors_allowed_origins"].split(",") if o.strip()]
    queue_url = cfg["realtime"]["message_queue"] or None
    app.extensions["onestop.async_mode"] = mode = async_mode(cfg)
    socketio.init_app(
        app,
        async_mode=mode,
        cors_allowed_origins=origins or None,
        # Without a queue, say so: Flask-SocketIO keeps an earlier app's queue client otherwise
        # (one process making several apps: the CLI run in-process, the tests).
        client_manager=_message_queue(queue_url),
    )
    emitter.connect_signals(cfg["realtime"]["coalesce_ms"])
    proxies = int(cfg["server"]["trusted_proxies"])
    if proxies > 0:  # outside Socket.IO's middleware too: a screen's address is the client's
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    @app.before_request
    def _reads_do_not_lock() -> None:
        set_read_only(request.method in SAFE_METHODS)

    @app.teardown_request
    def _writes_lock_again(_exc: BaseException | None) -> None:
        # Server threads are reused, and a thread's next work may be no request at all (a
        # command, a worker's pass): a GET's flag must not make its writes skip the lock.
        set_read_only(False)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/")
    def index() -> Any:
        from flask import render_template

        return render_template("index.html", office=cfg["office"])

    @app.get("/healthz")
    def healthz() -> Any:
        """200 when the database (and Redis, where configured) can serve, else 503: a proxy
        takes a sick process out of rotation."""
        parts = health.check(app.extensions["onestop.engine"], cfg)
        sick = any(state != "ok" for state in parts.values())
        return {"status": "unavailable" if sick else "ok", **parts}, 503 if sick else 200

    return app


def start_background_workers(app: Flask) -> None:
    """Threads a serving process needs: the print worker, the daily housekeeping and the
    catch-up pushes for other processes' changes."""
    printer.start_worker(app)
    from onestop.catchup import start_catchup, state_pushes
    from onestop.housekeeping import start_housekeeping

    start_housekeeping(app)
    start_catchup(app)
    # After a message-queue outage, the offices whose state was lost get it afresh.
    emitter.EMITTER.state_of = lambda offices: state_pushes(app, offices)

"""Shared fixtures: a migrated SQLite app per test, demo data, a frozen clock, service URLs."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from onestop import auth, clock, demo
from onestop.app import create_app
from onestop.db import make_engine
from onestop.migrate import upgrade
from tests.helpers import login

# scrypt costs about 0.1 s a hash and as much a check; in this test process only, passwords are
# hashed cheaply (werkzeug reads the method back from each hash, so checks stay cheap too).
# Servers and commands the tests start as child processes keep the real method.
auth.PASSWORD_METHOD = "pbkdf2:sha256:1000"

REQUIRE_SERVICES = os.environ.get("ONESTOP_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get(
    "ONESTOP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ONESTOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def service_missing(what: str, why: str) -> None:
    """Skip with the reason, or fail when CI requires the services."""
    message = f"{what} not reachable ({why}); set ONESTOP_REQUIRE_SERVICES=1 to make this fail"
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required in CI but not reachable: {why}")
    pytest.skip(message)


def data_block(html: str, element_id: str) -> Any:
    """The JSON a page hands its script in ``<script type="application/json" id=…>``."""
    found = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.DOTALL
    )
    assert found, f"no #{element_id} data block"
    return json.loads(found.group(1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (fast and honest)."""
    path = tmp_path_factory.mktemp("template") / "onestop.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def _writes_take_the_lock() -> None:
    """Each test starts as a fresh thread does: not read-only. The Socket.IO test client runs
    the connect handlers in this thread, and they mark it read-only (a plain deferred
    ``BEGIN``); a request clears its own flag when it ends, a connect handler does not."""
    from onestop.db import set_read_only

    set_read_only(False)


def app_overrides(tmp_path: Path, url: str, **extra: Any) -> dict[str, Any]:
    overrides: dict[str, Any] = {
        "database": {"url": url, "busy_timeout_ms": 5000},
        "server": {"data_dir": str(tmp_path)},
        "secret_key": "test-secret",
        # Pushes leave from the committing thread, so a test reads them right after its request
        # (tests/onestop/test_emitter.py covers the background sender).
        "realtime": {"coalesce_ms": 0},
    }
    for section, values in extra.items():
        overrides.setdefault(section, {}).update(values)
    return overrides


@pytest.fixture
def make_app(tmp_path: Path, migrated_template: Path) -> Any:
    def factory(**extra: Any) -> Flask:
        db_file = tmp_path / f"onestop-{uuid.uuid4().hex[:6]}.db"
        shutil.copy(migrated_template, db_file)
        app = create_app(app_overrides(tmp_path, f"sqlite:///{db_file}", **extra))
        app.config["TESTING"] = True
        return app

    return factory


@pytest.fixture
def app(make_app: Any) -> Flask:
    result: Flask = make_app()
    return result


@pytest.fixture
def session(app: Flask) -> Iterator[Any]:
    from onestop.db import db

    s = db.new_session(app)
    yield s
    s.close()


def load_demo(app: Flask, folder: Path) -> dict[str, Any]:
    from onestop.db import db

    s = db.new_session(app)
    try:
        cfg = app.config["ONESTOP"]
        demo.ensure_office(s, cfg["office"])
        creds = demo.load_demo(s, cfg, folder)
        s.commit()
        return creds
    finally:
        s.close()


class DemoTemplates:
    """The demo loaded once into a copy of the migrated template, then restored into each test's
    database: what ``load_demo`` on that fresh database would have made, without paying for it.

    One template per distinct input of the load: the office table, whether ``kiosk-1`` is a
    configured printer (its kiosk prints there) and the clock (a frozen test's demo rows carry
    the frozen instant, as a fresh load would). Databases other than SQLite load for real.
    """

    def __init__(self, root: Path, migrated: Path) -> None:
        self.root, self.migrated = root, migrated
        self.built: dict[str, tuple[Path, dict[str, Any]]] = {}

    @staticmethod
    def _key(cfg: dict[str, Any]) -> str:
        frozen = None if clock._now is clock._system_now else clock.now().isoformat()
        return json.dumps([cfg["office"], "kiosk-1" in cfg["printers"], frozen], sort_keys=True)

    def _build(self, cfg: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
        from sqlalchemy.orm import Session

        folder = self.root / f"demo-{len(self.built)}"
        folder.mkdir()
        path = folder / "onestop.db"
        shutil.copy(self.migrated, path)
        engine = make_engine(f"sqlite:///{path}")
        try:
            with Session(engine) as session:
                demo.ensure_office(session, cfg["office"])
                creds = demo.load_demo(session, cfg, folder)
                session.commit()
        finally:
            engine.dispose()  # the last connection checkpoints the WAL into the file
        return folder, creds

    def load(self, app: Flask, folder: Path) -> dict[str, Any]:
        """The demo in ``app``'s database, its credentials file in ``folder``; the clear
        credentials."""
        cfg = app.config["ONESTOP"]
        url = cfg["database"]["url"]
        if not url.startswith("sqlite:///"):
            return load_demo(app, folder)
        key = self._key(cfg)
        if key not in self.built:
            self.built[key] = self._build(cfg)
        source, creds = self.built[key]
        # SQLite's backup API replaces the pages of the live database, so connections the app
        # may already hold see the demo on their next transaction.
        src = sqlite3.connect(source / "onestop.db")
        dst = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        shutil.copy(source / "demo-credentials.json", folder / "demo-credentials.json")
        return copy.deepcopy(creds)


@pytest.fixture(scope="session")
def demo_templates(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
) -> DemoTemplates:
    return DemoTemplates(tmp_path_factory.mktemp("demo"), migrated_template)


@pytest.fixture
def creds(app: Flask, tmp_path: Path, demo_templates: DemoTemplates) -> dict[str, Any]:
    """Demo data (services A–D, counters 1–4, devices, admin) and its clear credentials."""
    return demo_templates.load(app, tmp_path)


@pytest.fixture
def client(app: Flask, creds: dict[str, Any]) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def kiosk_headers(creds: dict[str, Any]) -> dict[str, str]:
    return {"X-Device-Key": creds["devices"]["kiosk-1"]}


@pytest.fixture
def staff_headers(client: FlaskClient, creds: dict[str, Any]) -> dict[str, str]:
    return login(client, "admin", creds["admin"]["password"])


class FrozenClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.current = moment


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    """Time stands still at Mon 2026-11-23 09:00 in Hà Nội until the test moves it."""
    fake = FrozenClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    clock.set_clock(fake)
    yield fake
    clock.set_clock(None)


def pg_url_or_skip() -> str:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - dev extra installs it
        service_missing("PostgreSQL driver", str(exc))
    plain = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(plain, connect_timeout=3):
            pass
    except Exception as exc:  # noqa: BLE001  (any failure to connect: the service is absent)
        service_missing("PostgreSQL", str(exc))
    return PG_ADMIN_URL


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    admin_url = pg_url_or_skip()
    name = f"onestop_test_{uuid.uuid4().hex[:10]}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_app(pg_database: str, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """An app on a fresh, migrated PostgreSQL database with the demo loaded, and its creds."""
    engine = make_engine(pg_database)
    upgrade(engine)
    engine.dispose()
    app = create_app(app_overrides(tmp_path, pg_database))
    yield app, load_demo(app, tmp_path)
    app.extensions["onestop.engine"].dispose()


@pytest.fixture
def redis_url() -> str:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001  (any failure to connect: the service is absent)
        service_missing("Redis", str(exc))
    return REDIS_URL

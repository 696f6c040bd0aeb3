"""Fit to serve: /healthz checks the database (and Redis where configured), a lost database is
a 503 like a busy one, and `onestop serve` refuses a database it cannot use, or to make up a
secret key."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from onestop import cli, ratelimit, server
from tests.conftest import free_port
from tests.helpers import under_gevent

# A port on loopback where nothing listens: the database or Redis is down.
NOWHERE = free_port()


def test_healthz_says_ok_with_its_database(client: Any) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_and_every_route_answer_503_when_the_database_is_gone(make_app: Any) -> None:
    app = make_app(database={"url": f"postgresql+psycopg://postgres@127.0.0.1:{NOWHERE}/x"})
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable"
    assert "cannot be reached" in health.get_json()["database"]
    for answer in (
        client.get("/api/v1/display/state"),
        client.post("/api/v1/tickets", json={"service": "A"}, headers={"X-Device-Key": "k"}),
        client.post("/api/v1/auth/token", json={"username": "a", "password": "b"}),
    ):
        assert answer.status_code == 503
        assert answer.get_json()["error"]["code"] == "database_busy"
        assert answer.headers["Retry-After"]


def test_healthz_checks_redis_where_it_is_configured(make_app: Any) -> None:
    # The rate limits' storage (the message queue would bind the shared Socket.IO server to
    # Redis for the tests that follow).
    app = make_app(security={"ratelimit_storage": f"redis://127.0.0.1:{NOWHERE}/0"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json()["database"] == "ok"
    assert "ConnectionError" in answer.get_json()["redis"]


@pytest.mark.parametrize("kind", ["unreachable", "not_migrated"])
def test_serve_refuses_a_database_it_cannot_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(server, "serve", lambda *args: started.append(args))
    url = (
        f"postgresql+psycopg://postgres@127.0.0.1:{NOWHERE}/x"
        if kind == "unreachable"
        else f"sqlite:///{tmp_path / 'empty.db'}"
    )
    env = {"ONESTOP_DATABASE__URL": url, "ONESTOP_SECRET_KEY": "k", "ONESTOP_CONFIG": None}
    result = CliRunner().invoke(cli.main, ["serve"], env=env)
    assert result.exit_code != 0
    assert "cannot serve" in result.output
    assert ("cannot be reached" if kind == "unreachable" else "onestop init") in result.output
    assert started == []


def test_rate_limits_fall_back_to_memory_while_redis_is_down(make_app: Any) -> None:
    """A Redis outage must not turn every rate-limited route into a 500: the limits are counted
    in memory meanwhile, so they still hold."""
    app = make_app(
        security={
            "ratelimit_storage": f"redis://127.0.0.1:{NOWHERE}/0",
            "login_rate_limit": "3 per minute",
        }
    )
    client = app.test_client()
    codes = [
        client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    assert client.get("/api/v1/display/state").status_code in (200, 404)  # not a 500


def test_serve_refuses_to_make_up_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrated_template: Path
) -> None:
    """Without ONESTOP_SECRET_KEY or the key `onestop init` writes, every process would sign
    the printed links with a key of its own: serve says so and does not start."""
    started: list[Any] = []
    monkeypatch.setattr(server, "serve", lambda *args: started.append(args))
    shutil.copy(migrated_template, tmp_path / "x.db")
    env = {
        "ONESTOP_DATABASE__URL": f"sqlite:///{tmp_path / 'x.db'}",
        "ONESTOP_SERVER__DATA_DIR": str(tmp_path / "var"),
        "ONESTOP_SECRET_KEY": None,
        "ONESTOP_CONFIG": None,
    }
    refused = CliRunner().invoke(cli.main, ["serve"], env=env)
    assert refused.exit_code != 0
    assert "no secret key" in refused.output
    assert started == []
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("written-by-init")
    assert CliRunner().invoke(cli.main, ["serve"], env=env).exit_code == 0
    assert len(started) == 1


def test_rate_limits_go_back_to_their_storage_once_it_answers(
    make_app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """After a fault the memory counts only until the next try; then the shared storage counts
    again (and the log says both)."""
    app = make_app(security={"login_rate_limit": "100 per minute"})
    counters = app.extensions["onestop.ratelimits"]
    shared = counters.storage
    real_incr = shared.incr
    down, counted = {"now": True}, []

    def flaky(key: str, expiry: int, amount: int = 1) -> int:
        if down["now"]:
            raise ConnectionError("storage cut")
        counted.append(key)
        return real_incr(key, expiry, amount)

    monkeypatch.setattr(shared, "incr", flaky)
    clock = {"now": 1000.0}
    monkeypatch.setattr(ratelimit, "monotonic", lambda: clock["now"])  # its clock only
    client = app.test_client()

    def login() -> int:
        answer = client.post("/api/v1/auth/token", json={"username": "x", "password": "y"})
        return answer.status_code

    assert [login(), login()] == [401, 401]  # counted in memory, nobody refused
    assert "counting in memory, next try in 1 s" in caplog.text
    assert counters.failures == 1
    down["now"] = False
    assert login() == 401  # still within the pause: memory
    assert counters.failures == 1
    assert counted == []
    clock["now"] += 1.5
    assert login() == 401
    assert counters.failures == 0
    assert "is back" in caplog.text
    assert len(counted) == 1  # the shared storage counts again


def test_the_rate_limit_log_never_shows_the_storage_password() -> None:
    counters = ratelimit.Counters("redis://:s3cret@10.0.0.6:6379/1", ratelimit.WindowCounts())
    assert counters.shown == "redis://:***@10.0.0.6:6379/1"
    assert ratelimit.Counters("redis://10.0.0.6:6379/1", ratelimit.WindowCounts()).shown.endswith(
        "6379/1"
    )


def test_memory_windows_count_until_their_end_then_start_again() -> None:
    clock = {"now": 1000.0}
    counts = ratelimit.WindowCounts(clock=lambda: clock["now"])
    assert [counts.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert counts.incr("b", 60) == 1  # each key its own window
    assert counts.get_expiry("a") == 1060.0
    clock["now"] = 1059.9
    assert counts.incr("a", 60) == 4
    clock["now"] = 1060.0  # the window has ended: a new one
    assert counts.incr("a", 60) == 1
    assert counts.get_expiry("a") == 1120.0
    assert counts.get_expiry("nobody") == 1060.0  # no window: it would end now


def test_memory_windows_drop_the_ended_ones_now_and_then() -> None:
    clock = {"now": 0.0}
    counts = ratelimit.WindowCounts(clock=lambda: clock["now"])
    counts.PRUNE_EVERY = 10
    for n in range(9):
        counts.incr(f"old-{n}", 5)
    clock["now"] = 6.0
    counts.incr("new", 5)  # the tenth increment: the ended windows go
    assert set(counts.windows) == {"new"}
    assert counts.incr("new", 5) == 2


NO_YIELD_UNDER_GEVENT = """
import gevent
from onestop.ratelimit import WindowCounts
ran = []
gevent.spawn(ran.append, 1)
counts = WindowCounts()
for _ in range(3):
    counts.incr("k", 60)
print(len(ran))
gevent.sleep(0)
print(len(ran))
"""


def test_counting_a_request_never_yields_under_gevent() -> None:
    """As served, a rate-limited request must not give up its turn before its handler runs
    (limits' MemoryStorage did, on every increment)."""
    assert under_gevent(NO_YIELD_UNDER_GEVENT) == ["0", "1"]

"""Scale-out for real: two server processes, one PostgreSQL database, Redis between them.

A call made through server A reaches a display connected to server B (Flask-SocketIO's Redis
message queue), and numbers stay unique across both servers.
"""

from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.e2e.conftest import LiveServer

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_two_servers_share_queue_and_pushes(
    pg_database: str, redis_url: str, tmp_path: Path
) -> None:
    channel_db = redis_url.rsplit("/", 1)[0] + "/15"
    env = {
        "ONESTOP_DATABASE__URL": pg_database,
        "ONESTOP_REALTIME__MESSAGE_QUEUE": redis_url,
        "ONESTOP_SECURITY__RATELIMIT_STORAGE": channel_db,
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = LiveServer(tmp_path / "a", env), LiveServer(tmp_path / "b", env)
    b.env["ONESTOP_SERVER__DATA_DIR"] = a.env["ONESTOP_SERVER__DATA_DIR"]
    a.creds = a.cli("init", "--demo")
    b.creds = a.creds
    a.start()
    b.start()
    inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
    display = socketio.Client(reconnection=False)
    display.on(
        "ticket_called", lambda data: inbox.put(("ticket_called", data)), namespace="/display"
    )
    try:
        display.connect(b.url, namespaces=["/display"], transports=["websocket"], wait_timeout=10)
        numbers = []
        for server in (a, b, a, b):
            answer = requests.post(
                f"{server.url}/api/v1/tickets",
                json={"service": "A"},
                headers=server.kiosk(),
                timeout=5,
            )
            assert answer.status_code == 201
            numbers.append(answer.json()["number"])
        assert numbers == ["A001", "A002", "A003", "A004"]

        called = requests.post(f"{a.url}/api/v1/counters/1/call-next", headers=a.login(), timeout=5)
        assert called.status_code == 200
        deadline = time.time() + 10
        event = None
        while time.time() < deadline and event is None:
            try:
                name, data = inbox.get(timeout=0.5)
                event = data if name == "ticket_called" else None
            except queue.Empty:
                pass
        assert event is not None, "the display on server B never heard the call made on A"
        assert event["number"] == "A001"
        assert event["counter"] == 1
        state_b = requests.get(f"{b.url}/api/v1/display/state", timeout=5).json()
        assert state_b["now_serving"][0]["number"] == "A001"
    finally:
        display.disconnect()
        a.stop()
        b.stop()

"""A display on a real server hears calls, and re-syncs by itself after a server restart."""

from __future__ import annotations

import queue
import time
from typing import Any

import pytest
import requests
import socketio

pytestmark = pytest.mark.slow


def wait_for(inbox: queue.Queue[tuple[str, Any]], name: str, timeout: float = 10) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            event, data = inbox.get(timeout=max(0.01, deadline - time.time()))
        except queue.Empty:
            break
        if event == name:
            return data
    raise AssertionError(f"no {name} within {timeout} s")


def test_display_hears_calls_and_resyncs_after_restart(live_server: Any) -> None:
    inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
    client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
    for name in ("state", "ticket_called", "queue_changed"):
        client.on(name, (lambda n: lambda data: inbox.put((n, data)))(name), namespace="/display")
    client.connect(
        live_server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=10
    )
    try:
        first = wait_for(inbox, "state")
        assert first["now_serving"] == []
        staff, kiosk = live_server.login(), live_server.kiosk()
        base = live_server.url
        requests.post(f"{base}/api/v1/tickets", json={"service": "A"}, headers=kiosk, timeout=5)
        t0 = time.perf_counter()
        call = requests.post(f"{base}/api/v1/counters/1/call-next", headers=staff, timeout=5)
        assert call.status_code == 200
        pushed = wait_for(inbox, "ticket_called")
        latency = time.perf_counter() - t0
        assert pushed["number"] == "A001"
        assert pushed["counter"] == 1
        assert pushed["seq"] > first["seq"]
        assert latency < 2, f"call reached the display after {latency:.2f} s"

        live_server.stop()
        live_server.start()  # same port, same database
        resynced = wait_for(inbox, "state", timeout=20)
        assert resynced["now_serving"][0]["number"] == "A001"
        assert resynced["seq"] == pushed["seq"]

        requests.post(f"{base}/api/v1/tickets", json={"service": "B"}, headers=kiosk, timeout=5)
        requests.post(f"{base}/api/v1/counters/2/call-next", headers=live_server.login(), timeout=5)
        after = wait_for(inbox, "ticket_called")
        assert after["number"] == "B001"
        assert after["counter"] == 2
    finally:
        client.disconnect()


def test_served_pages_and_assets(live_server: Any) -> None:
    for path in (
        "/",
        "/kiosk",
        "/counter",
        "/display",
        "/static/vendor/socket.io.min.js",
        "/static/onestop.css",
    ):
        answer = requests.get(live_server.url + path, timeout=5)
        assert answer.status_code == 200, path
    assert (
        "Content-Security-Policy" in requests.get(live_server.url + "/display", timeout=5).headers
    )


def test_two_servers_on_one_machine_share_no_control_socket(tmp_path: Any) -> None:
    """gunicorn's control socket is one fixed path per machine: onestop opens none, so a second
    server never takes over the first one's."""
    from tests.e2e.conftest import running_server

    with running_server(tmp_path / "a") as first, running_server(tmp_path / "b") as second:
        for server in (first, second):
            assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
    for folder in ("a", "b"):
        log = (tmp_path / folder / "server.log").read_text()
        assert "Listening at" in log
        assert "Control socket" not in log

"""Redis cut off and back, for real: a TCP proxy between a running server and Redis.

While Redis is unreachable the kiosk, the login and the public pages keep answering (the rate
limits count in memory meanwhile); once it is back, every display gets the state it missed
within a few seconds, and later pushes flow again, without restarting anything.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.conftest import free_port
from tests.e2e.conftest import LiveServer

pytestmark = [pytest.mark.services, pytest.mark.slow]


class CuttableProxy:
    """Forwards a loopback port to Redis until cut; then refuses, until restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.links: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        assert self.listener is not None
        self.listener.close()
        self.listener = None
        for link in self.links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            link.close()
        self.links.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                near, _ = listener.accept()
            except OSError:
                return  # cut
            far = socket.create_connection(self.target)
            self.links += [near, far]
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


def _wait(inbox: queue.Queue[tuple[str, Any]], test: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            name, data = inbox.get(timeout=0.2)
        except queue.Empty:
            continue
        if test(name, data):
            return data
    return None


def test_a_redis_outage_loses_no_state_a_screen_needs(redis_url: str, tmp_path: Path) -> None:
    host, port_db = redis_url.removeprefix("redis://").split(":")
    proxy = CuttableProxy((host, int(port_db.split("/")[0])))
    through = f"redis://127.0.0.1:{proxy.port}"
    server = LiveServer(
        tmp_path,
        {
            "ONESTOP_REALTIME__MESSAGE_QUEUE": f"{through}/13",
            "ONESTOP_SECURITY__RATELIMIT_STORAGE": f"{through}/14",
        },
    )
    server.init_demo()
    server.start()
    inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
    display = socketio.Client(reconnection=False)
    for name in ("state", "queue_changed"):
        display.on(name, (lambda n: lambda d: inbox.put((n, d)))(name), namespace="/display")
    try:
        display.connect(
            server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=10
        )
        assert _wait(inbox, lambda n, _d: n == "state", 10) is not None
        proxy.cut()
        kiosk = server.kiosk()
        for _ in range(2):  # the kiosk is never locked out by Redis
            answer = requests.post(
                f"{server.url}/api/v1/tickets", json={"service": "A"}, headers=kiosk, timeout=10
            )
            assert answer.status_code == 201, answer.text
        assert server.login()["Authorization"].startswith("Bearer ")
        public = requests.get(f"{server.url}/api/v1/display/state", timeout=10)
        assert public.status_code == 200
        seq_now = public.json()["seq"]
        time.sleep(1.5)
        while not inbox.empty():  # what got through meanwhile is not what is checked
            inbox.get_nowait()

        proxy.restore()
        state = _wait(inbox, lambda n, d: n == "state" and d.get("seq", 0) >= seq_now, 10)
        assert state is not None, "the display never got the state it missed"
        assert state["waiting"]["A"] == 2

        answer = requests.post(
            f"{server.url}/api/v1/tickets", json={"service": "A"}, headers=kiosk, timeout=10
        )
        assert answer.status_code == 201
        later = _wait(inbox, lambda n, d: n == "queue_changed" and d["waiting"].get("A") == 3, 10)
        assert later is not None, "pushes did not flow again after Redis came back"
    finally:
        display.disconnect()
        server.stop()
        if proxy.listener is not None:
            proxy.cut()

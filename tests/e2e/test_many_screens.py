"""More open screens than the old server had threads, and the kiosk is still served at once.

The threaded server gave each open WebSocket one of its 64 threads: the 65th display was
refused and, while 64 were open, ticket requests waited 10 s. The evented server holds every
connection as a greenlet.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
import requests
import socketio

pytestmark = pytest.mark.slow

SCREENS = 200  # over three times the old 64 threads


class Screens:
    """``count`` waiting-room displays in one asyncio loop on a thread of their own."""

    def __init__(self, url: str, count: int) -> None:
        self.url, self.count = url, count
        self.loop = asyncio.new_event_loop()
        self.clients: list[socketio.AsyncClient] = []
        self.heard: dict[str, list[float]] = {"state": [], "queue_changed": []}
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def _run(self, work: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    async def _open_one(self) -> None:
        client = socketio.AsyncClient(reconnection=False)
        for name, times in self.heard.items():
            client.on(name, (lambda t: lambda _data: t.append(time.monotonic()))(times), "/display")
        # The namespace's answer may take over socketio's default 1 s while a wave of 50
        # connects on a slow machine (it failed so in CI): this test is about holding them.
        await client.connect(
            self.url, namespaces=["/display"], transports=["websocket"], wait_timeout=20
        )
        self.clients.append(client)

    async def _open_all(self) -> None:
        for start in range(0, self.count, 50):  # in waves, as screens come up in the morning
            wave = min(50, self.count - start)
            await asyncio.gather(*(self._open_one() for _ in range(wave)))

    def open(self) -> None:
        self._run(self._open_all(), 120)

    def connected(self) -> int:
        return sum(1 for c in self.clients if c.connected)

    def close(self) -> None:
        async def close_all() -> None:
            await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)

        try:
            self._run(close_all(), 30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


def test_more_screens_than_old_threads_and_a_ticket_is_quick(live_server: Any) -> None:
    screens = Screens(live_server.url, SCREENS)
    try:
        screens.open()
        assert screens.connected() == SCREENS
        deadline = time.monotonic() + 10
        while len(screens.heard["state"]) < SCREENS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(screens.heard["state"]) == SCREENS  # each got the office's state first

        health = requests.get(f"{live_server.url}/healthz", timeout=5)
        assert health.status_code == 200
        took = []
        for _ in range(5):
            started = time.monotonic()
            answer = requests.post(
                f"{live_server.url}/api/v1/tickets",
                json={"service": "A"},
                headers=live_server.kiosk(),
                timeout=10,
            )
            took.append(time.monotonic() - started)
            assert answer.status_code == 201, answer.text
        # 10 s before; a ticket stays a matter of milliseconds on this small machine.
        assert sorted(took)[len(took) // 2] < 0.5, took

        deadline = time.monotonic() + 10
        while len(screens.heard["queue_changed"]) < SCREENS and time.monotonic() < deadline:
            time.sleep(0.05)
        # Five tickets in quick succession: every screen hears the queue change (coalesced,
        # so at least once and at most five times each).
        heard = len(screens.heard["queue_changed"])
        assert SCREENS <= heard <= 5 * SCREENS
        assert screens.connected() == SCREENS
    finally:
        screens.close()

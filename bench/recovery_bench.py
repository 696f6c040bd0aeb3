"""Recovery: the server's worker killed (kill -9) while tickets are issued and called.

100 displays watch one office while a kiosk issues tickets and a counter calls them. Half-way,
the serving worker gets SIGKILL; gunicorn starts a new one, the displays reconnect by
themselves. Measured: seconds from the kill until every display holds the true state again
(each has a fresh ``state`` after the kill; once the load stops, each display's last counts
are those the server reports), tickets
answered 201 that cannot be found afterwards (lost), and the same for the floor's displays
(reconnected and given a state). Prints a table and writes bench/results/recovery.json.
Target: every display true within 5 s; nothing lost.

Run: ``python bench/recovery_bench.py``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from common import (
    Server,
    onestop_env,
    onestop_init,
    raise_open_files,
    running,
    start_floor,
    start_onestop,
    table,
    wait_healthy,
    write_results,
)
from screens_bench import Screens

DISPLAYS = 100


class Watch:
    """What each display last heard of the waiting counts, and when it reconnected."""

    def __init__(self) -> None:
        self.waiting: dict[int, dict[str, int]] = {}
        self.states: dict[int, float] = {}

    def on_event(self, name: str, data: Any, screen: int) -> None:
        if isinstance(data, dict) and isinstance(data.get("waiting"), dict):
            self.waiting[screen] = data["waiting"]
        if name == "state":
            self.states[screen] = time.monotonic()


async def load(
    url: str, kiosk: dict[str, str], staff: dict[str, str], stop: asyncio.Event, tokens: list[str]
) -> None:
    """A ticket every 100 ms and a call every 300 ms until ``stop``, riding out the restart."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        n = 0
        while not stop.is_set():
            try:
                async with session.post(
                    f"{url}/api/v1/tickets", json={"service": "A"}, headers=kiosk
                ) as answer:
                    if answer.status == 201:
                        tokens.append((await answer.json())["token"])
                if n % 3 == 0:
                    for verb in ("finish", "call-next"):
                        async with session.post(
                            f"{url}/api/v1/counters/1/{verb}", headers=staff
                        ) as answer:
                            await answer.read()
            except (aiohttp.ClientError, TimeoutError):
                pass  # the worker is restarting: the kiosk tries again
            n += 1
            await asyncio.sleep(0.1)


async def truth(url: str) -> dict[str, int]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/api/v1/display/state") as answer,
    ):
        state: dict[str, Any] = await answer.json()
    return state["waiting"]


async def onestop_run(server: Server, creds: dict[str, Any]) -> dict[str, Any]:
    watch = Watch()
    screens = Screens(server.url, watch.on_event)
    await screens.open(DISPLAYS, events=("state", "queue_changed"))
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{server.url}/api/v1/auth/token",
            json={"username": "admin", "password": creds["admin"]["password"]},
        ) as answer,
    ):
        staff = {"Authorization": f"Bearer {(await answer.json())['token']}"}
    kiosk = {"X-Device-Key": creds["devices"]["kiosk-1"]}
    stop, tokens = asyncio.Event(), []
    loader = asyncio.create_task(load(server.url, kiosk, staff, stop, tokens))
    await asyncio.sleep(3)
    killed = time.monotonic()
    server.kill_worker()
    await asyncio.to_thread(wait_healthy, server.url, "/healthz", 30)
    up = time.monotonic() - killed
    await asyncio.sleep(3)
    stop.set()
    await loader
    stopped = time.monotonic()
    settled = None
    while time.monotonic() < stopped + 30:  # until every display shows what the server says
        now_true = await truth(server.url)
        if all(watch.waiting.get(s) == now_true for s in range(DISPLAYS)):
            settled = time.monotonic() - stopped
            break
        await asyncio.sleep(0.05)
    lost = 0
    async with aiohttp.ClientSession() as session:
        for token in tokens:
            async with session.get(f"{server.url}/api/v1/tickets/{token}") as answer:
                lost += answer.status != 200
    await screens.close()
    return {
        **_reconnection(watch, killed),
        "worker_up_s": up,
        "true_after_load_s": settled,
        "tickets": len(tokens),
        "lost": lost,
    }


def _reconnection(watch: Watch, killed: float) -> dict[str, Any]:
    """How many displays got a fresh state after the kill, and the last of them when."""
    fresh = [t - killed for t in watch.states.values() if t > killed]
    return {
        "reconnected": len(fresh),
        "all_state_s": max(fresh) if len(fresh) == DISPLAYS else None,
    }


async def floor_run(server: Server) -> dict[str, Any]:
    watch = Watch()
    screens = Screens(server.url, watch.on_event)
    await screens.open(DISPLAYS, events=("state",))
    await asyncio.sleep(1)
    killed = time.monotonic()
    server.kill_worker()
    await asyncio.to_thread(wait_healthy, server.url, "/healthz", 30)
    up = time.monotonic() - killed
    deadline = killed + 30
    while sum(1 for t in watch.states.values() if t > killed) < DISPLAYS:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    await screens.close()
    return {
        **_reconnection(watch, killed),
        "worker_up_s": up,
        "true_after_load_s": None,
        "tickets": 0,
        "lost": 0,
    }


def main() -> None:
    raise_open_files()
    with tempfile.TemporaryDirectory(prefix="bench-recovery-") as scratch:
        folder = Path(scratch)
        env = onestop_env(folder, f"sqlite:///{folder / 'onestop.db'}")
        creds = onestop_init(folder, env)
        onestop = start_onestop(folder, env)
        floor = start_floor(folder, f"sqlite:///{folder / 'floor.db'}")
        with running(onestop, floor):
            mine = asyncio.run(onestop_run(onestop, creds))
            bare = asyncio.run(floor_run(floor))

    def shown(value: float | None) -> Any:
        return "never" if value is None else value

    rows = [
        [
            name,
            r["worker_up_s"],
            f"{r['reconnected']}/{DISPLAYS}",
            shown(r["all_state_s"]),
            "-" if name == "floor" else shown(r["true_after_load_s"]),
            r["tickets"],
            r["lost"],
        ]
        for name, r in (("onestop", mine), ("floor", bare))
    ]
    print(
        table(
            f"kill -9 of the worker, {DISPLAYS} displays watching, tickets and calls meanwhile",
            [
                "server",
                "serving again s",
                "reconnected",
                "all with state s",
                "true after load s",
                "tickets",
                "lost",
            ],
            rows,
        )
    )
    print("target: every display true within 5 s of the kill; no ticket lost")
    print("results:", write_results("recovery", {"onestop": mine, "floor": bare}))


if __name__ == "__main__":
    main()

"""Idle screens: 5,000 open displays on one server process, onestop beside the floor.

The screens are python-socketio ``AsyncClient``s in one asyncio loop of this process (the load
side must not need a thread per screen on two cores), connected in waves. For each server it
measures the worker's resident memory with none and with all of them, the cost of one screen,
how long they took to connect, and the ticket issue p50 with none and with all of them open
(the target: within 2x). Prints a table and writes bench/results/screens.json.

Run: ``python bench/screens_bench.py [--screens N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import socketio
from common import (
    Server,
    onestop_env,
    onestop_init,
    raise_open_files,
    ratio,
    running,
    start_floor,
    start_onestop,
    table,
    write_results,
)

WAVE = 100
OFFICES = 50


class Screens:
    """Display clients in the running asyncio loop; ``on_event(name, data, index)`` hears all."""

    def __init__(self, url: str, on_event: Callable[[str, Any, int], None] | None = None) -> None:
        self.url, self.on_event = url, on_event
        self.clients: list[socketio.AsyncClient] = []
        self.failed = 0

    async def _one(self, index: int, auth: dict[str, Any] | None, events: tuple[str, ...]) -> None:
        client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5)
        if self.on_event is not None:
            hear = self.on_event
            for name in events:
                client.on(name, (lambda n: lambda data: hear(n, data, index))(name), "/display")
        try:
            await client.connect(
                self.url,
                namespaces=["/display"],
                transports=["websocket"],
                auth=auth,
                wait_timeout=60,
            )
            self.clients.append(client)
        except Exception:  # noqa: BLE001 - counted, the table says how many failed
            self.failed += 1

    async def open(
        self,
        count: int,
        auth: Callable[[int], dict[str, Any] | None] = lambda _i: None,
        events: tuple[str, ...] = ("state",),
    ) -> float:
        """Connect ``count`` screens in waves; the seconds it took."""
        started = time.perf_counter()
        for start in range(0, count, WAVE):
            wave = range(start, min(count, start + WAVE))
            await asyncio.gather(*(self._one(i, auth(i), events) for i in wave))
        return time.perf_counter() - started

    def connected(self) -> int:
        return sum(1 for c in self.clients if c.connected)

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


def ticket_p50(url: str, path: str, headers: dict[str, str], body: Any, n: int) -> float:
    """The median of ``n`` tickets in a row, sent from a process of their own: the screens'
    loop here is busy with their events and would delay reading the answers."""
    probe = (
        "import json, statistics, sys, time, requests\n"
        "url, headers, body, n = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]),"
        " int(sys.argv[4])\n"
        "s, took = requests.Session(), []\n"
        "for _ in range(n):\n"
        "    t = time.perf_counter(); r = s.post(url, json=body, headers=headers, timeout=30)\n"
        "    assert r.status_code == 201, r.text; took.append(time.perf_counter() - t)\n"
        "print(statistics.median(took) * 1000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, url + path, json.dumps(headers), json.dumps(body), str(n)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return float(done.stdout.strip())


async def measure(
    server: Server,
    count: int,
    auth: Callable[[int], dict[str, Any]],
    path: str,
    headers: dict[str, str],
    body: Any,
) -> dict[str, Any]:
    probe = functools.partial(ticket_p50, server.url, path, headers, body)
    await asyncio.to_thread(probe, 30)  # warm up
    idle_ms = await asyncio.to_thread(probe, 200)
    rss_before = server.rss_mb()
    screens = Screens(server.url)
    seconds = await screens.open(count, auth)
    await asyncio.sleep(2)  # let the last states go out and the worker settle
    rss_after = server.rss_mb()
    busy_ms = await asyncio.to_thread(probe, 200)
    result = {
        "screens": screens.connected(),
        "failed": screens.failed,
        "connect_s": seconds,
        "rss_mb_none": rss_before,
        "rss_mb_all": rss_after,
        "kb_per_screen": (rss_after - rss_before) * 1024 / max(1, screens.connected()),
        "ticket_p50_ms_none": idle_ms,
        "ticket_p50_ms_all": busy_ms,
    }
    await screens.close()
    return result


def add_offices(env: dict[str, str], count: int) -> list[str]:
    """``count - 1`` more offices like the demo one; every office's code, the demo's first."""
    from onestop import offices
    from onestop.app import create_app
    from onestop.db import db
    from onestop.models import Office

    app = create_app({"database": {"url": env["ONESTOP_DATABASE__URL"]}})
    with db.new_session(app) as session:
        demo = session.query(Office).one()
        codes = [demo.code]
        for n in range(1, count):
            made = offices.add_office(
                session, f"XA-{n:02d}", f"UBND xã {n}", timezone=demo.timezone, like=demo.code
            )
            codes.append(made.code)
        session.commit()
    app.extensions["onestop.engine"].dispose()
    return codes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screens", type=int, default=5000)
    args = parser.parse_args()
    before, after = raise_open_files()
    print(f"open files: soft limit {before} raised to {after}")
    with tempfile.TemporaryDirectory(prefix="bench-screens-") as scratch:
        folder = Path(scratch)
        env = onestop_env(folder, f"sqlite:///{folder / 'onestop.db'}")
        onestop_init(folder, env)
        from ticket_bench import add_kiosks

        key = add_kiosks(env, 1)[0]
        codes = add_offices(env, OFFICES)
        onestop = start_onestop(folder, env)
        floor = start_floor(folder, f"sqlite:///{folder / 'floor.db'}")
        with running(onestop, floor):
            # The screens of a province: spread over its offices, 1 in 50 in the office whose
            # kiosk takes the tickets (each ticket is pushed to those).
            mine = asyncio.run(
                measure(
                    onestop,
                    args.screens,
                    lambda i: {"office": codes[i % OFFICES]},
                    "/api/v1/tickets",
                    {"X-Device-Key": key},
                    {"service": "A"},
                )
            )
            bare = asyncio.run(
                measure(
                    floor,
                    args.screens,
                    lambda i: {"office": i % OFFICES},
                    "/ticket",
                    {},
                    {"office": 0, "service": "A"},
                )
            )
    rows = []
    for name, r in (("onestop", mine), ("floor", bare)):
        rows.append(
            [
                name,
                r["screens"],
                r["failed"],
                r["connect_s"],
                r["rss_mb_none"],
                r["rss_mb_all"],
                r["kb_per_screen"],
                r["ticket_p50_ms_none"],
                r["ticket_p50_ms_all"],
                ratio(r["ticket_p50_ms_all"], r["ticket_p50_ms_none"]),
            ]
        )
    print(
        table(
            f"{args.screens} screens on one process, over {OFFICES} offices (display namespace)",
            [
                "server",
                "open",
                "failed",
                "connect s",
                "RSS MB none",
                "RSS MB all",
                "KB/screen",
                "ticket p50 ms none",
                "p50 ms all",
                "all÷none",
            ],
            rows,
        )
    )
    print(
        f"onestop ÷ floor: RSS with all {ratio(mine['rss_mb_all'], bare['rss_mb_all']):.2f}, "
        f"KB/screen {ratio(mine['kb_per_screen'], bare['kb_per_screen']):.2f}"
    )
    print("targets: RSS with 5,000 < 500 MB; ticket p50 all ÷ none ≤ 2")
    print(
        "results:",
        write_results("screens", {"open_files": [before, after], "onestop": mine, "floor": bare}),
    )


if __name__ == "__main__":
    main()

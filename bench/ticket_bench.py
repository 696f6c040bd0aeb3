"""Ticket issue over HTTP: 1 and 16 kiosks, SQLite and PostgreSQL, onestop beside the floor.

Each kiosk is a device of its own (no printer: the print path has its own benchmark) sending
``POST /api/v1/tickets`` one after the other on a kept-alive connection; the floor does the
same upsert and insert with no authentication, audit log, estimate or events. Prints a table
and writes bench/results/tickets.json. Targets (issue 13): at 16 kiosks ≥ 0.5× the floor's
rate; with one kiosk p50 ≤ 3× the floor's; p99 within 10× p50; no duplicate number.

On a small noisy machine one run of each can be off by a third, so onestop and the floor are
measured in turns, ``--rounds`` times (3), and the table gives each side's run of median rate,
and the range of the rounds' rate ratios ("rounds").

Run: ``python bench/ticket_bench.py [--requests N] [--rounds R]`` (PostgreSQL rows need
127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from common import (
    drop_pg,
    onestop_env,
    onestop_init,
    pg_database,
    ratio,
    running,
    start_floor,
    start_onestop,
    summary,
    table,
    write_results,
)

KIOSKS = 16


def add_kiosks(env: dict[str, str], count: int) -> list[str]:
    """``count`` kiosk devices without a printer, in the demo office; their keys."""
    from onestop import auth
    from onestop.app import create_app
    from onestop.db import db
    from onestop.models import Office

    app = create_app({"database": {"url": env["ONESTOP_DATABASE__URL"]}})
    keys = []
    with db.new_session(app) as session:
        office = session.query(Office).one()
        for n in range(count):
            _, key = auth.create_device(session, office, "kiosk", f"bench-kiosk-{n}")
            keys.append(key)
        session.commit()
    app.extensions["onestop.engine"].dispose()
    return keys


async def load(
    url: str, path: str, bodies: list[tuple[dict[str, str], dict[str, Any]]], each: int
) -> tuple[list[float], list[str], float]:
    """One task per (headers, body) sending ``each`` requests in turn; latencies, numbers."""
    latencies: list[float] = []
    numbers: list[str] = []
    connector = aiohttp.TCPConnector(limit=len(bodies))

    async def kiosk(session: aiohttp.ClientSession, headers: dict[str, str], body: Any) -> None:
        for _ in range(each):
            started = time.perf_counter()
            async with session.post(url + path, json=body, headers=headers) as answer:
                data = await answer.json()
                if answer.status != 201:
                    raise RuntimeError(f"{answer.status}: {data}")
            latencies.append(time.perf_counter() - started)
            numbers.append(data["number"])

    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(kiosk(session, h, b) for h, b in bodies))
        wall = time.perf_counter() - started
    return latencies, numbers, wall


def measure(url: str, path: str, bodies: list[Any], each: int) -> dict[str, Any]:
    asyncio.run(load(url, path, bodies, 10))  # warm up: connections, caches, the day's row
    latencies, numbers, wall = asyncio.run(load(url, path, bodies, each))
    result = summary(latencies, wall)
    result["duplicates"] = len(numbers) - len(set(numbers))
    return result


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median rate (its latencies with it: one run's figures, not a blend)."""
    return sorted(runs, key=lambda run: run["per_s"])[len(runs) // 2]


def run_database(kind: str, requests: int, rounds: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix=f"bench-tickets-{kind}-") as scratch:
        folder = Path(scratch)
        if kind == "sqlite":
            mine_url, floor_url = (
                f"sqlite:///{folder / 'onestop.db'}",
                f"sqlite:///{folder / 'floor.db'}",
            )
        else:
            mine_url, floor_url = pg_database("bench_onestop"), pg_database("bench_floor")
            if mine_url is None or floor_url is None:
                return []
        try:
            env = onestop_env(folder, mine_url)
            onestop_init(folder, env)
            keys = add_kiosks(env, KIOSKS)
            onestop = start_onestop(folder, env)
            floor = start_floor(folder, floor_url)
            with running(onestop, floor):
                for clients in (1, KIOSKS):
                    each = max(20, requests // clients)
                    mine_runs, bare_runs = [], []
                    for _ in range(rounds):  # taken in turns: a noisy spell hits both sides
                        mine_runs.append(
                            measure(
                                onestop.url,
                                "/api/v1/tickets",
                                [({"X-Device-Key": k}, {"service": "A"}) for k in keys[:clients]],
                                each,
                            )
                        )
                        bare_runs.append(
                            measure(
                                floor.url,
                                "/ticket",
                                [({}, {"office": 1, "service": "A"})] * clients,
                                each,
                            )
                        )
                    rows.append(
                        {
                            "database": kind,
                            "kiosks": clients,
                            "onestop": median_run(mine_runs),
                            "floor": median_run(bare_runs),
                            "round_ratios": [
                                m["per_s"] / b["per_s"]
                                for m, b in zip(mine_runs, bare_runs, strict=True)
                            ],
                        }
                    )
        finally:
            if kind == "postgresql":
                for url in (mine_url, floor_url):
                    if url:
                        drop_pg(url)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1600, help="per run, over all kiosks")
    parser.add_argument("--rounds", type=int, default=3, help="onestop and floor in turns")
    args = parser.parse_args()
    rows = run_database("sqlite", args.requests, args.rounds) + run_database(
        "postgresql", args.requests, args.rounds
    )
    lines = []
    for r in rows:
        mine, bare = r["onestop"], r["floor"]
        lines.append(
            [
                f"{r['database']} ×{r['kiosks']}",
                mine["per_s"],
                bare["per_s"],
                ratio(mine["per_s"], bare["per_s"]),
                f"{min(r['round_ratios']):.2f}–{max(r['round_ratios']):.2f}",
                mine["p50_ms"],
                bare["p50_ms"],
                ratio(mine["p50_ms"], bare["p50_ms"]),
                mine["p99_ms"],
                bare["p99_ms"],
                ratio(mine["p99_ms"], mine["p50_ms"]),
                mine["duplicates"],
            ]
        )
    print(
        table(
            "Ticket issue over HTTP (onestop beside the floor, same run)",
            [
                "kiosks",
                "tickets/s",
                "floor/s",
                "÷floor",
                "rounds",
                "p50 ms",
                "floor p50",
                "÷floor",
                "p99 ms",
                "floor p99",
                "p99÷p50",
                "dups",
            ],
            lines,
        )
    )
    print("targets: ×16 rate ÷floor ≥ 0.5; ×1 p50 ÷floor ≤ 3; p99÷p50 ≤ 10; dups 0")
    print("results:", write_results("tickets", {"rows": rows}))


if __name__ == "__main__":
    main()

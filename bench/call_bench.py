"""Call → display: how soon every waiting-room screen shows a call, onestop beside the floor.

Three runs, each on onestop and on the floor in the same run:
- many offices: 50 offices, 10 displays each (500), 20 calls a second over the offices;
- one busy office: 100 displays, 20 calls a second at its four counters;
- two processes: the busy office on PostgreSQL with a Redis message queue, the displays on one
  process and the counters' calls on the other (skipped without PostgreSQL and Redis).

A call is ``POST /api/v1/counters/<n>/call-next`` by the counter's officer (after finishing the
counter's last ticket); its latency, per display, is from sending the call to that display
hearing ``ticket_called`` for that number. The floor's call is one emit to the office's room.
The onestop displays check the seq of each event as display.js does and fetch
``GET /api/v1/display/state`` on a gap not filled within a second: the table counts those
refetches. Prints a table and writes bench/results/calls.json. Targets: p50 ≤ 2x and p99 ≤ 3x
the floor; two processes p99 ≤ 4x.

Run: ``python bench/call_bench.py [--seconds S] [--rate R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from common import (
    REDIS,
    Server,
    drop_pg,
    onestop_env,
    onestop_init,
    percentile,
    pg_database,
    raise_open_files,
    ratio,
    running,
    start_floor,
    start_onestop,
    table,
    write_results,
)
from screens_bench import Screens

COUNTERS = 4


@dataclass
class Office:
    code: str
    index: int  # the floor's office number
    tokens: list[str] = field(default_factory=list)  # one officer per counter


def set_up(env: dict[str, str], offices: int, tickets_each: int) -> list[Office]:
    """``offices`` offices like the demo one (the demo office first), an officer and a token
    per counter, and ``tickets_each`` tickets waiting in each."""
    from onestop import auth, queue
    from onestop import offices as office_setup
    from onestop.app import create_app
    from onestop.db import db
    from onestop.models import Office as OfficeRow

    # 200 officers: a cheap hash for these bench-only accounts (the server reads the method
    # back from each hash), or setting up would take minutes of scrypt.
    auth.PASSWORD_METHOD = "pbkdf2:sha256:1000"
    app = create_app({"database": {"url": env["ONESTOP_DATABASE__URL"]}})
    rules = app.extensions["onestop.rules"]
    made = []
    with db.new_session(app) as session:
        demo = session.query(OfficeRow).one()
        rows = [demo] + [
            office_setup.add_office(
                session, f"XA-{n:02d}", f"UBND xã {n}", timezone=demo.timezone, like=demo.code
            )
            for n in range(1, offices)
        ]
        session.commit()
        for index, row in enumerate(rows):
            office = Office(row.code, index)
            for counter in range(1, COUNTERS + 1):
                name = f"bench-{index}-{counter}"
                auth.create_officer(session, row, name, "bench-password-1", "officer")
                session.commit()
                token, _ = auth.issue_token(session, name, "bench-password-1", hours=24)
                office.tokens.append(token)
            for n in range(tickets_each):  # every service: each counter serves some of them
                queue.issue_ticket(session, row, "ABCD"[n % 4], rules=rules)
            session.commit()
            made.append(office)
    app.extensions["onestop.engine"].dispose()
    return made


@dataclass
class Run:
    sent: dict[tuple[int, str], float] = field(default_factory=dict)  # (office, number) → time
    # (office, number) → when each display heard it (a push may come before the call's answer)
    arrivals: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    refetches: int = 0
    failed_calls: list[int] = field(default_factory=list)
    last_seq: dict[int, int] = field(default_factory=dict)
    gaps: list[int] = field(default_factory=list)
    missing: dict[int, set[int]] = field(default_factory=dict)  # screen → seqs skipped over
    waiting_since: dict[int, float] = field(default_factory=dict)  # screen → when it saw a gap

    def latencies(self) -> list[float]:
        return [
            heard - self.sent[key]
            for key, times in self.arrivals.items()
            if key in self.sent
            for heard in times
        ]


GAP_WAIT = 1.0  # as display.js: a skipped seq is waited for this long before a refetch
GAP_MAX = 50


def hearing(run: Run, office_of_screen: list[int]) -> Any:
    def on_event(name: str, data: Any, screen: int) -> None:
        now = time.perf_counter()
        seq = data.get("seq") if isinstance(data, dict) else None
        if isinstance(seq, int):
            # As display.js: a coalesced push stands for the seqs from its "since"; the seqs
            # it skips over are waited for a moment before the state is fetched again.
            first, last = data.get("since", seq), run.last_seq.get(screen)
            missing = run.missing.setdefault(screen, set())
            if name == "state":
                missing.clear()
            elif last is not None and first - last > GAP_MAX:
                run.gaps.append(screen)
            elif last is not None:
                missing.update(range(last + 1, first))
                missing.difference_update(range(first, seq + 1))
                if missing and screen not in run.waiting_since:
                    run.waiting_since[screen] = now
            run.last_seq[screen] = max(seq, last or 0)
        if name == "ticket_called":
            key = (office_of_screen[screen], data["number"])
            run.arrivals.setdefault(key, []).append(now)

    return on_event


async def refetch(run: Run, url: str, codes: list[str], office_of_screen: list[int]) -> None:
    """Fetch the state for each screen whose gap was not filled in time, as display.js does."""
    async with aiohttp.ClientSession() as session:
        while True:
            now = time.perf_counter()
            for screen, since in list(run.waiting_since.items()):
                if not run.missing.get(screen):
                    del run.waiting_since[screen]
                elif now - since >= GAP_WAIT:
                    del run.waiting_since[screen]
                    run.gaps.append(screen)
            while run.gaps:
                screen = run.gaps.pop()
                code = codes[office_of_screen[screen]]
                async with session.get(f"{url}/api/v1/display/state?office={code}") as answer:
                    state = await answer.json()
                run.refetches += 1
                run.missing.pop(screen, None)
                run.last_seq[screen] = max(run.last_seq.get(screen, 0), int(state.get("seq", 0)))
            await asyncio.sleep(0.01)


async def onestop_calls(run: Run, url: str, offices: list[Office], calls: int, rate: float) -> None:
    lock = {(o.index, c): asyncio.Lock() for o in offices for c in range(COUNTERS)}

    async def one(session: aiohttp.ClientSession, office: Office, counter: int) -> None:
        async with lock[(office.index, counter)]:  # a counter calls after its last call ended
            headers = {"Authorization": f"Bearer {office.tokens[counter]}"}
            base = f"{url}/api/v1/counters/{counter + 1}"
            async with session.post(f"{base}/finish", headers=headers) as done:
                await done.read()
            started = time.perf_counter()
            async with session.post(f"{base}/call-next", headers=headers) as answer:
                if answer.status == 200:
                    run.sent[(office.index, (await answer.json())["number"])] = started
                else:
                    run.failed_calls.append(answer.status)

    await paced(
        calls,
        rate,
        lambda session, n: one(session, offices[n % len(offices)], (n // len(offices)) % COUNTERS),
    )


async def floor_calls(run: Run, url: str, offices: list[Office], calls: int, rate: float) -> None:
    async def one(session: aiohttp.ClientSession, n: int) -> None:
        office = offices[n % len(offices)]
        number = f"A{n:04d}"
        run.sent[(office.index, number)] = time.perf_counter()
        body = {"office": office.index, "number": number, "counter": 1}
        async with session.post(f"{url}/call", json=body) as answer:
            await answer.read()

    await paced(calls, rate, one)


async def paced(calls: int, rate: float, one: Any) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        started = time.perf_counter()
        tasks = []
        for n in range(calls):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, n)))
        await asyncio.gather(*tasks)


async def run_case(
    kind: str,
    watch: Server,
    call: Server,
    offices: list[Office],
    per_office: int,
    calls: int,
    rate: float,
) -> dict[str, Any]:
    run = Run()
    office_of_screen = [o.index for o in offices for _ in range(per_office)]
    codes = [o.code for o in offices]
    screens = Screens(watch.url, hearing(run, office_of_screen))
    if kind == "onestop":
        auth = lambda i: {"office": codes[office_of_screen[i]]}  # noqa: E731
    else:
        auth = lambda i: {"office": office_of_screen[i]}  # noqa: E731
    await screens.open(len(office_of_screen), auth, ("state", "ticket_called", "queue_changed"))
    await asyncio.sleep(1)
    fetcher = asyncio.create_task(refetch(run, watch.url, codes, office_of_screen))
    started = time.perf_counter()
    if kind == "onestop":
        await onestop_calls(run, call.url, offices, calls, rate)
    else:
        await floor_calls(run, call.url, offices, calls, rate)
    achieved = len(run.sent) / (time.perf_counter() - started)
    await asyncio.sleep(2)  # what has not arrived 2 s after the last call counts as missing
    fetcher.cancel()
    expected = len(run.sent) * per_office
    latencies = run.latencies()
    await screens.close()
    return {
        "screens": len(office_of_screen),
        "connected": screens.connected() + 0,
        "calls": len(run.sent),
        "calls_per_s": achieved,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "missing": expected - len(latencies),
        "refetches": run.refetches,
        "failed_calls": len(run.failed_calls),
    }


def case(
    name: str,
    env_extra: dict[str, str],
    database: str,
    floor_db: str,
    offices: int,
    per_office: int,
    seconds: float,
    rate: float,
    processes: int = 1,
) -> dict[str, Any]:
    calls = int(seconds * rate)
    with tempfile.TemporaryDirectory(prefix="bench-calls-") as scratch:
        folder = Path(scratch)
        env = onestop_env(folder, database, **env_extra)
        onestop_init(folder, env)
        per_counter = calls // (offices * COUNTERS) + 2
        made = set_up(env, offices, per_counter * COUNTERS)
        mine = [start_onestop(folder, env) for _ in range(processes)]
        bare = [
            start_floor(folder, floor_db, env_extra.get("ONESTOP_REALTIME__MESSAGE_QUEUE", ""))
            for _ in range(processes)
        ]
        with running(*mine, *bare):
            ours = asyncio.run(
                run_case("onestop", mine[0], mine[-1], made, per_office, calls, rate)
            )
            floor = asyncio.run(run_case("floor", bare[0], bare[-1], made, per_office, calls, rate))
    return {"case": name, "onestop": ours, "floor": floor}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20)
    args = parser.parse_args()
    raise_open_files()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-calls-db-") as dbs:
        folder = Path(dbs)
        results.append(
            case(
                "50 offices × 10 displays",
                {},
                f"sqlite:///{folder / 'a.db'}",
                f"sqlite:///{folder / 'fa.db'}",
                50,
                10,
                args.seconds,
                args.rate,
            )
        )
        results.append(
            case(
                "1 office × 100 displays",
                {},
                f"sqlite:///{folder / 'b.db'}",
                f"sqlite:///{folder / 'fb.db'}",
                1,
                100,
                args.seconds,
                args.rate,
            )
        )
    mine_pg, floor_pg = pg_database("bench_calls"), pg_database("bench_calls_floor")
    if mine_pg and floor_pg:
        try:
            redis = {
                "ONESTOP_REALTIME__MESSAGE_QUEUE": f"{REDIS}/5",
                "ONESTOP_SECURITY__RATELIMIT_STORAGE": f"{REDIS}/6",
            }
            results.append(
                case(
                    "2 processes (PG, Redis), 1 office × 100",
                    redis,
                    mine_pg,
                    floor_pg,
                    1,
                    100,
                    args.seconds,
                    args.rate,
                    processes=2,
                )
            )
        finally:
            drop_pg(mine_pg)
            drop_pg(floor_pg)
    rows = []
    for r in results:
        mine, bare = r["onestop"], r["floor"]
        rows.append(
            [
                r["case"],
                mine["calls_per_s"],
                mine["p50_ms"],
                bare["p50_ms"],
                ratio(mine["p50_ms"], bare["p50_ms"]),
                mine["p99_ms"],
                bare["p99_ms"],
                ratio(mine["p99_ms"], bare["p99_ms"]),
                mine["missing"],
                bare["missing"],
                mine["refetches"],
            ]
        )
    print(
        table(
            f"Call → display, {args.rate:g} calls/s for {args.seconds:g} s (beside the floor)",
            [
                "case",
                "calls/s",
                "p50 ms",
                "floor p50",
                "÷floor",
                "p99 ms",
                "floor p99",
                "÷floor",
                "missing",
                "floor missing",
                "state refetches",
            ],
            rows,
        )
    )
    print("targets: p50 ÷floor ≤ 2, p99 ÷floor ≤ 3 (two processes ≤ 4); missing 0")
    print("results:", write_results("calls", {"rows": results}))


if __name__ == "__main__":
    main()

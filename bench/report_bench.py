"""Reports on a busy office-year: every kind, the dashboard and the public page's figures.

One office's year is made up by ``onestop history --days 365 --per-day 600`` (about 150,000
tickets, 60,000 dossiers, 100,000 ratings) on SQLite and, when reachable, on PostgreSQL. Each
report is then asked for as the office head asks for it, through the API
(``GET /api/v1/reports/<kind>?period=year``, as JSON and as XLSX) and the dashboard
(``/api/v1/reports/dashboard``) for the year and for the month; the target is under 2 s each.

The floor beside it is the least any report of the year must do: fetch the year's ticket,
dossier and rating rows with plain DBAPI ``SELECT``s and nothing else. onestop ÷ floor says
how much the counting, the calendar and the rendering add to reading the rows.

Usage: ``cd bench && ../.venv/bin/python report_bench.py [--days N] [--per-day N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import drop_pg, onestop_env, onestop_init, pg_database, table, write_results

KINDS = ("summary", "bieu06", "kpi", "queue", "officers", "satisfaction")
TARGET_SECONDS = 2.0
RUNS = 2


def make_history(folder: Path, env: dict[str, str], days: int, per_day: int) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "onestop",
            "history",
            "--days",
            str(days),
            "--per-day",
            str(per_day),
            "--json",
        ],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    made: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    made["seconds"] = time.perf_counter() - started
    return made


def floor_seconds(app: Any, first: str, last: str) -> float:
    """The year's rows fetched through the bare DBAPI connection, nothing computed."""
    engine = app.extensions["onestop.engine"]
    queries = [
        "SELECT * FROM ticket WHERE day >= :a AND day <= :b",
        "SELECT * FROM dossier",
        "SELECT * FROM rating",
    ]
    from sqlalchemy import text

    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        with engine.connect() as conn:
            for sql in queries:
                conn.execute(text(sql), {"a": first, "b": last}).fetchall()
        best = min(best, time.perf_counter() - started)
    return best


def timed(client: Any, url: str, headers: dict[str, str]) -> tuple[float, float, int]:
    """(first, median of the next runs) seconds and the body's size of GET ``url``."""
    times, size = [], 0
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        answer = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise RuntimeError(f"{url}: {answer.status_code} {answer.get_data(as_text=True)[:300]}")
        size = len(answer.get_data())
    return times[0], statistics.median(times[1:]), size


def measure(name: str, url: str, days: int, per_day: int) -> dict[str, Any]:
    from onestop.app import create_app

    with tempfile.TemporaryDirectory(prefix="onestop-report-bench-") as tmp:
        folder = Path(tmp)
        env = onestop_env(folder, url)
        creds = onestop_init(folder, env)
        made = make_history(folder, env, days, per_day)
        print(
            f"{name}: history {made['ticket']:,} tickets, {made['dossier']:,} dossiers, "
            f"{made['rating']:,} ratings in {made['seconds']:.0f} s"
        )
        app = create_app(
            {
                "database": {"url": url},
                "server": {"data_dir": str(folder)},
                "secret_key": "bench-only-secret",
                "security": {"login_rate_limit": "1000000 per minute"},
            }
        )
        client = app.test_client()
        login = client.post(
            "/api/v1/auth/token",
            json={"username": "admin", "password": creds["admin"]["password"]},
        )
        headers = {"Authorization": f"Bearer {login.get_json()['token']}"}
        year = f"period=year&at={made['to']}"
        rows = []
        for kind in KINDS:
            for fmt in ("json", "xlsx"):
                first, median, size = timed(
                    client, f"/api/v1/reports/{kind}?{year}&format={fmt}", headers
                )
                rows.append(
                    {"what": f"{kind} {fmt}", "first": first, "median": median, "bytes": size}
                )
        for label, query in (("year", year), ("month", f"period=month&at={made['to']}")):
            first, median, size = timed(client, f"/api/v1/reports/dashboard?{query}", headers)
            rows.append(
                {"what": f"dashboard {label}", "first": first, "median": median, "bytes": size}
            )
        first, median, size = timed(client, "/public", {})
        rows.append({"what": "/public", "first": first, "median": median, "bytes": size})
        floor = floor_seconds(app, made["from"], made["to"])
        app.extensions["onestop.engine"].dispose()
    return {"backend": name, "history": made, "floor_seconds": floor, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=600)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(measure("SQLite", f"sqlite:///{tmp}/bench.db", args.days, args.per_day))
    pg = pg_database("onestop_report_bench")
    if pg:
        try:
            results.append(measure("PostgreSQL", pg, args.days, args.per_day))
        finally:
            drop_pg(pg)
    for result in results:
        floor = result["floor_seconds"]
        print()
        print(
            table(
                f"{result['backend']}: each report of the year through the API (floor: the "
                f"year's rows fetched bare, {floor:.2f} s; target < {TARGET_SECONDS:.0f} s)",
                ["report", "first s", "median s", "÷ floor", "KiB", "< 2 s"],
                [
                    [
                        r["what"],
                        r["first"],
                        r["median"],
                        r["median"] / floor if floor else float("nan"),
                        r["bytes"] // 1024,
                        "yes" if max(r["first"], r["median"]) < TARGET_SECONDS else "NO",
                    ]
                    for r in result["rows"]
                ],
            )
        )
    path = write_results("report_bench", {"runs": RUNS, "results": results})
    print(f"\nresults: {path}")


if __name__ == "__main__":
    main()

"""Queue throughput: issue and call+finish latency on SQLite (and PostgreSQL when reachable).

Prints a table and writes bench/results/queue.json. Not a test: figures, not pass/fail.
Runs in-process against the domain functions, one transaction per operation, the way a
request does it.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from onestop import auth, demo, queue  # noqa: E402
from onestop.config import load_config  # noqa: E402
from onestop.db import make_engine  # noqa: E402
from onestop.migrate import upgrade  # noqa: E402
from onestop.models import Officer  # noqa: E402

TICKETS = 500
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _ms(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return (
        statistics.median(ordered) * 1000,
        ordered[int(len(ordered) * 0.95)] * 1000,
        len(samples) / sum(samples),
    )


def run(url: str, folder: Path) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    cfg = load_config({"database": {"url": url}})
    rules = queue.QueueRules.from_config(cfg)
    with Session(engine) as s:
        demo.ensure_office(s, cfg["office"])
        demo.load_demo(s, cfg, folder)
        s.commit()
    issue, call = [], []
    with Session(engine, expire_on_commit=False) as s:
        office = auth.office_by_code(s, cfg["office"]["code"])
        officer = s.scalar(select(Officer))
        actor = queue.Actor(officer=officer)
        for i in range(TICKETS):
            t0 = time.perf_counter()
            queue.issue_ticket(s, office, "A", rules=rules, printer="kiosk-1" if i % 2 else None)
            s.commit()
            issue.append(time.perf_counter() - t0)
        for _ in range(TICKETS):
            t0 = time.perf_counter()
            queue.call_next(s, office, 1, actor=actor, rules=rules)
            queue.finish(s, office, 1, actor=actor, rules=rules)
            s.commit()
            call.append(time.perf_counter() - t0)
    engine.dispose()
    i50, i95, irate = _ms(issue)
    c50, c95, crate = _ms(call)
    return {
        "issue_p50_ms": i50,
        "issue_p95_ms": i95,
        "issue_per_s": irate,
        "call_finish_p50_ms": c50,
        "call_finish_p95_ms": c95,
        "call_finish_per_s": crate,
    }


def main() -> None:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{tmp}/bench.db", Path(tmp))
        try:
            import psycopg

            name = f"onestop_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                results["postgresql"] = run(
                    f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", Path(tmp)
                )
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001  (PostgreSQL absent, whatever the cause: SQLite only)
            print(f"(PostgreSQL skipped: {exc})")
    print(f"\nqueue benchmark, {TICKETS} tickets, one transaction per operation\n")
    print(
        f"{'database':<11} {'issue p50':>10} {'issue p95':>10} {'issue/s':>8} "
        f"{'call+finish p50':>16} {'p95':>8} {'calls/s':>8}"
    )
    for db, r in results.items():
        print(
            f"{db:<11} {r['issue_p50_ms']:>8.2f}ms {r['issue_p95_ms']:>8.2f}ms "
            f"{r['issue_per_s']:>8.0f} {r['call_finish_p50_ms']:>14.2f}ms "
            f"{r['call_finish_p95_ms']:>6.2f}ms {r['call_finish_per_s']:>8.0f}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "queue.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

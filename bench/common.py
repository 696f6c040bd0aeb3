"""What the server benchmarks share: servers on loopback ports, the floor beside onestop, timing.

Every figure of a server benchmark is measured twice in the same run: on onestop and on the
floor (``bench/floor.py``: a bare Flask + Flask-SocketIO app doing the least the same path
must do, served exactly as ``onestop serve`` serves: gunicorn, one gevent worker). The figure
that counts is onestop ÷ floor, which the machine's speed and noise mostly cancel out of.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_SERVER = os.environ.get("ONESTOP_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS = os.environ.get("ONESTOP_BENCH_REDIS", "redis://127.0.0.1:6379")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def raise_open_files() -> tuple[int, int]:
    """Lift the soft open-files limit to the hard one (thousands of sockets); (before, after)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return soft, hard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def summary(samples: list[float], seconds: float) -> dict[str, float]:
    """Rate over the wall time, and p50/p99 in milliseconds."""
    return {
        "count": len(samples),
        "per_s": len(samples) / seconds if seconds else 0.0,
        "p50_ms": statistics.median(samples) * 1000 if samples else float("nan"),
        "p99_ms": percentile(samples, 0.99) * 1000,
    }


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MiB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.exists() else []


def wait_healthy(url: str, path: str = "/healthz", seconds: float = 60) -> None:
    import requests

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url + path, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become healthy")


def pg_database(prefix: str) -> str | None:
    """A fresh PostgreSQL database for one run (None when PostgreSQL is not reachable)."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"PostgreSQL not reachable ({type(exc).__name__}); its rows are left out")
        return None
    return f"{PG_SERVER}/{name}"


def drop_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Server:
    """A server process (onestop or the floor) on a loopback port."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    creds: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pid(self) -> int:
        kids = children(self.process.pid)
        return kids[0] if kids else self.process.pid

    def rss_mb(self) -> float:
        """The serving worker's resident memory (the gunicorn master is left out: it is the
        same small process for both)."""
        return rss_mb(self.worker_pid())

    def kill_worker(self) -> None:
        os.kill(self.worker_pid(), signal.SIGKILL)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def onestop_env(folder: Path, db_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ONESTOP_CONFIG": "",
        "ONESTOP_DATABASE__URL": db_url,
        "ONESTOP_SERVER__DATA_DIR": str(folder),
        "ONESTOP_SECRET_KEY": "bench-only-secret",
        # The benchmarks measure capacity, not the abuse limits an office sets.
        "ONESTOP_SECURITY__TICKET_RATE_LIMIT": "1000000 per minute",
        "ONESTOP_SECURITY__LOGIN_RATE_LIMIT": "1000000 per minute",
        "ONESTOP_SECURITY__PUBLIC_RATE_LIMIT": "1000000 per minute",
    }
    env.update(extra)
    return env


def onestop_init(folder: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "onestop", "init", "--demo", "--json"],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    creds: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return creds


def _spawn(name: str, command: list[str], env: dict[str, str], folder: Path, port: int) -> Server:
    log = folder / f"{name}-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, port, process, log)


def start_onestop(folder: Path, env: dict[str, str], port: int | None = None) -> Server:
    port = port or free_port()
    command = [sys.executable, "-m", "onestop", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = _spawn("onestop", command, env, folder, port)
    wait_healthy(server.url)
    return server


def start_floor(
    folder: Path, db_url: str, message_queue: str = "", port: int | None = None
) -> Server:
    port = port or free_port()
    command = [
        sys.executable,
        str(ROOT / "bench" / "floor.py"),
        "--port",
        str(port),
        "--database",
        db_url,
        "--message-queue",
        message_queue,
    ]
    server = _spawn("floor", command, dict(os.environ), folder, port)
    wait_healthy(server.url)
    return server


@contextmanager
def running(*servers: Server) -> Iterator[None]:
    try:
        yield
    finally:
        for server in servers:
            server.stop()


def ratio(mine: float, floor: float) -> float:
    return mine / floor if floor else float("nan")


def table(title: str, header: list[str], rows: list[list[Any]]) -> str:
    """A plain text table, every cell right-aligned but the first."""
    cells = [[f"{c:,.2f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.ljust(w) if i == 0 else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    return "\n".join([title, line(header), line(["-" * w for w in widths]), *map(line, cells)])


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    return path

"""A real ``onestop serve`` process on a loopback port, with demo data.

The demo is made once per session by a real ``onestop init --demo`` child process and each
server gets a copy of that folder (database, secret key, demo credentials); a server started
with ``fresh_init=True`` runs its own ``init --demo`` instead.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import REQUIRE_SERVICES, free_port
from tests.helpers import invoke_cli, last_json

SHOTS = Path(os.environ.get("ONESTOP_TEST_OUTPUT", "test-output")) / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium binary Debian's package installed (never a downloaded browser)."""
    try:
        listing = subprocess.run(
            ["dpkg", "-L", "chromium"], capture_output=True, text=True, check=False
        ).stdout.splitlines()
    except FileNotFoundError:
        listing = []
    for path in listing:
        if path.endswith("/bin/chromium") and Path(path).exists():
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        yield chrome
        chrome.close()


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (its gunicorn worker), from Linux's /proc."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class LiveServer:
    def __init__(self, folder: Path, env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ONESTOP_DATABASE__URL": f"sqlite:///{folder / 'live.db'}",
            "ONESTOP_SERVER__DATA_DIR": str(folder / "var"),
            "ONESTOP_OFFICE__PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            **(env or {}),
        }
        self.env.pop("ONESTOP_CONFIG", None)
        self.process: subprocess.Popen[bytes] | None = None
        self.creds: dict[str, Any] = {}

    def cli(self, *args: str) -> dict[str, Any]:
        """``onestop ARGS --json`` on this server's database and folder, in this process."""
        done = invoke_cli([*args, "--json"], {**self.env, "ONESTOP_CONFIG": None})
        assert done.returncode == 0, done.stderr
        return last_json(done.stdout)

    def init_demo(self) -> None:
        """``onestop init --demo`` for real, as a child process."""
        done = subprocess.run(
            [sys.executable, "-m", "onestop", "init", "--demo", "--json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        self.creds = json.loads(done.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        with (self.folder / "server.log").open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "onestop",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() can end the worker too
            )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {(self.folder / 'server.log').read_text()}")

    def stop(self, grace: float = 1.0) -> None:
        """Stop the server as a restart would: SIGTERM (gunicorn closes its port and lets the
        worker finish), then, after ``grace`` seconds, SIGKILL to the worker; the master then
        reaps it and exits by itself (and writes its coverage data whole).

        gunicorn's worker waits ``graceful_timeout`` (5 s) for open connections and a WebSocket
        (a display, a counter) never ends by itself, so the wait would always run out and end
        in the same kill, only later: clients see their connections drop either way."""
        if not self.process or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            for child in _children(self.process.pid):
                os.kill(child, signal.SIGKILL)
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:  # the master is stuck too: the whole group goes
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def sign_in(self, page: Any, path: str) -> None:
        """Open a staff page of this server and log in there as the demo's admin."""
        page.goto(f"{self.url}{path}")
        page.fill("#username", "admin")
        page.fill("#password", self.creds["admin"]["password"])
        page.click("#login-button")

    def login(self) -> dict[str, str]:
        answer = requests.post(
            f"{self.url}/api/v1/auth/token",
            timeout=5,
            json={"username": "admin", "password": self.creds["admin"]["password"]},
        )
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def kiosk(self) -> dict[str, str]:
        return {"X-Device-Key": self.creds["devices"]["kiosk-1"]}

    def issue(self, *services: str, priority: str | None = None) -> str:
        """One ticket per service from the demo kiosk, in order; the last one's number."""
        number = ""
        for service in services:
            body: dict[str, Any] = {"service": service}
            if priority:
                body["priority"] = priority
            answer = requests.post(
                f"{self.url}/api/v1/tickets", json=body, headers=self.kiosk(), timeout=10
            )
            assert answer.status_code == 201, answer.text
            number = answer.json()["number"]
        return number


class DemoFolder:
    """A folder ``onestop init --demo`` made once, copied into each server's folder. The demo
    does not depend on what the tests' environments change (printer transports, timings), so
    one copy fits every server; its URLs are rewritten for the server's port."""

    BASE = "http://demo.invalid"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.creds: dict[str, Any] | None = None

    def copy_to(self, server: LiveServer) -> None:
        if self.creds is None:
            maker = LiveServer(self.root, {"ONESTOP_OFFICE__PUBLIC_URL": self.BASE})
            maker.init_demo()
            self.creds = maker.creds
        shutil.copytree(self.root, server.folder, dirs_exist_ok=True)
        creds = copy.deepcopy(self.creds)
        creds["urls"] = {k: v.replace(self.BASE, server.url) for k, v in creds["urls"].items()}
        server.creds = creds


_demo: DemoFolder | None = None


@pytest.fixture(scope="session", autouse=True)
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoFolder]:
    """The session's demo folder (made by the first server that needs it)."""
    global _demo
    _demo = DemoFolder(tmp_path_factory.mktemp("live-demo"))
    yield _demo
    _demo = None


@contextmanager
def running_server(
    folder: Path, env: dict[str, str] | None = None, *, fresh_init: bool = False
) -> Iterator[LiveServer]:
    """A demo server with ``env`` added to its environment, stopped on the way out."""
    server = LiveServer(folder, env)
    if fresh_init or _demo is None:
        server.init_demo()
    else:
        _demo.copy_to(server)
    server.start()
    try:
        yield server
    finally:
        server.stop(grace=0.2)  # nothing is checked after the test: no need to linger


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    with running_server(tmp_path) as server:
        yield server


@pytest.fixture(autouse=True)
def _close_pages(request: pytest.FixtureRequest) -> Iterator[None]:
    """Pages a test leaves open (one that failed half-way) are closed after it, so they do not
    keep reconnecting to a stopped server during the next tests."""
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()

"""A real ``onestop serve`` process on a loopback port, with demo data."""

from __future__ import annotations

import json
import os
import shutil
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
        done = subprocess.run(
            [sys.executable, "-m", "onestop.cli", *args, "--json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def start(self) -> None:
        with (self.folder / "server.log").open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "onestop.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {(self.folder / 'server.log').read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

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


@contextmanager
def running_server(folder: Path, env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """A demo server with ``env`` added to its environment, stopped on the way out."""
    server = LiveServer(folder, env)
    server.creds = server.cli("init", "--demo")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    with running_server(tmp_path) as server:
        yield server

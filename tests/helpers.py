"""Plain helpers shared by the tests: issue a ticket, log in, add an officer, run the CLI.

Fixtures live in ``tests/conftest.py``; these are ordinary functions a test calls itself.
"""

from __future__ import annotations

import contextvars
import json
import os
import subprocess
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

# Tests that move the clock over days or weeks keep the officers' tokens valid meanwhile:
# ``make_app(security=LONG_SESSIONS)``.
LONG_SESSIONS = {"token_hours": 24 * 365}

# Procedures of the demo catalogue the dossier tests use, and an applicant.
SAME_DAY = "2.000815"  # chứng thực bản sao: same day, cut-off 15:00, extension ≤ 2 working days
THREE_DAYS = "1.004873"  # xác nhận tình trạng hôn nhân: 3 working days
APPLICANT = {
    "name": "Nguyễn Văn An",
    "id_number": "001090012345",
    "phone": "0912345678",
    "address": "Thôn Đông, xã Demo",
}
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    """``"2026-11-30 09:00"`` in Hà Nội, as the aware UTC instant the clock deals in."""
    return datetime.fromisoformat(text).replace(tzinfo=VN).astimezone(UTC)


def error_code(answer: Any) -> str:
    """The code of an error answer (it must have the error shape)."""
    payload = answer.get_json(silent=True)
    assert isinstance(payload, dict), answer.get_data(as_text=True)[:300]
    code = payload["error"]["code"]
    assert isinstance(code, str)
    assert code
    return code


def issue(
    client: Any, headers: dict[str, str], service: str = "A", priority: str | None = None
) -> dict[str, Any]:
    """A ticket from the kiosk whose ``headers`` are given, over the API; its body (201)."""
    body: dict[str, Any] = {"service": service}
    if priority is not None:
        body["priority"] = priority
    answer = client.post("/api/v1/tickets", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    result: dict[str, Any] = answer.get_json()
    return result


def login(client: Any, username: str, password: str) -> dict[str, str]:
    """The bearer header of a staff login over the API."""
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert answer.status_code == 201, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def add_officer(
    app: Flask, username: str, role: str = "officer", password: str = "a-long-password", **kw: Any
) -> None:
    """A staff account in the app's office (``kw``: ``full_name``, ``actor``)."""
    from onestop import auth
    from onestop.db import db

    with db.new_session(app) as session:
        office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
        auth.create_officer(session, office, username, password, role, **kw)
        session.commit()


# -- the command line -------------------------------------------------------------------------


def cli_env(folder: Path, **extra: str | None) -> dict[str, str | None]:
    """The environment of ``onestop`` against ``folder/cli.db`` and ``folder/var``, without a
    site file; ``extra`` adds or (with None) removes variables."""
    env: dict[str, str | None] = {
        "ONESTOP_DATABASE__URL": f"sqlite:///{folder / 'cli.db'}",
        "ONESTOP_SERVER__DATA_DIR": str(folder / "var"),
        "ONESTOP_CONFIG": None,
    }
    env.update(extra)
    return env


def invoke_cli(
    args: list[str] | tuple[str, ...], env: dict[str, str | None], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``onestop ARGS`` in this process through Click's test runner, with ``env`` set on top of
    this process's environment (None removes a variable). The answer looks like a finished
    subprocess: exit code, stdout and stderr apart; an unexpected exception's traceback is
    appended to stderr, as the interpreter would print it."""
    from unittest import mock

    from click.testing import CliRunner

    import onestop.db as database
    from onestop.cli import main

    engines: list[Any] = []
    make_engine = database.make_engine

    def recorded(*a: Any, **kw: Any) -> Any:
        engines.append(make_engine(*a, **kw))
        return engines[-1]

    def fresh_process() -> Any:
        # As in a new process: writes take SQLite's write lock up front, whatever this
        # thread did before (a Socket.IO connect handler leaves it marked read-only).
        database.set_read_only(False)
        return CliRunner().invoke(main, list(args), input=stdin, env=env)

    with mock.patch.object(database, "make_engine", recorded):
        result = contextvars.copy_context().run(fresh_process)
    for engine in engines:  # what the end of the process would close
        engine.dispose()
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["onestop", *args], result.exit_code, result.stdout, stderr)


def run_cli(
    folder: Path, *args: str, stdin: str = "", in_child: bool = False, **env: str | None
) -> subprocess.CompletedProcess[str]:
    """``onestop ARGS`` against ``folder`` (see :func:`cli_env`), in process; with
    ``in_child=True`` as a real ``python -m onestop`` child process instead."""
    variables = cli_env(folder, **env)
    if not in_child:
        return invoke_cli(args, variables, stdin)
    child = {k: v for k, v in {**os.environ, **variables}.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "onestop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=child,
        timeout=120,
        check=False,
    )


def last_json(out: str) -> dict[str, Any]:
    """The JSON object a ``--json`` command prints as its last line."""
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def under_gevent(script: str) -> list[str]:
    """What ``script`` prints, run as served: in a child Python with gevent's monkey patching
    done first (a test process is not patched)."""
    done = subprocess.run(
        [sys.executable, "-c", "from gevent import monkey\nmonkey.patch_all()\n" + script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()

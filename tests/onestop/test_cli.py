"""The CLI contract: init (idempotent), user add, device add, each with --json.

The commands run in this process through Click's runner (``tests.helpers.run_cli``); the first
``init --demo --json`` runs as a real ``python -m onestop.cli`` child process, end to end."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import last_json
from tests.helpers import run_cli as run


def add_user(
    tmp_path: Path, name: str, role: str, password: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return run(
        tmp_path,
        "user",
        "add",
        name,
        "--role",
        role,
        "--password-stdin",
        *extra,
        stdin=password + "\n",
    )


def test_init_demo_is_idempotent_and_prints_credentials(tmp_path: Path) -> None:
    first = run(tmp_path, "init", "--demo", "--json", in_child=True)
    assert first.returncode == 0, first.stderr
    one = last_json(first.stdout)
    assert set(one["devices"]) == {
        "kiosk-1",
        "display-1",
        "rating-1",
        "rating-2",
        "rating-3",
        "rating-4",
    }
    assert one["urls"]["kiosk"].endswith(one["devices"]["kiosk-1"])
    second = last_json(run(tmp_path, "init", "--demo", "--json").stdout)
    assert second["devices"] == one["devices"]
    assert second["admin"] == one["admin"]
    human = run(tmp_path, "init", "--demo")
    assert "log in as admin" in human.stdout
    assert one["admin"]["password"] in human.stdout
    secret = tmp_path / "var" / "secret_key"
    assert secret.exists()
    # The key, the database (applicants, ratings; its WAL takes its mode) and the data folder
    # (printed receipts) are the service's user's only.
    for made, mode in [(secret, 0o600), (tmp_path / "cli.db", 0o600), (tmp_path / "var", 0o700)]:
        assert made.stat().st_mode & 0o777 == mode, made


def test_user_and_device_add(tmp_path: Path) -> None:
    assert run(tmp_path, "init", "--demo").returncode == 0
    made = add_user(
        tmp_path,
        "lan",
        "officer",
        "mật khẩu dài",
        "--full-name",
        "Nguye\u0302\u0303n Thị Lan",
        "--json",
    )
    assert made.returncode == 0, made.stderr
    user = last_json(made.stdout)
    assert user == {"username": "lan", "role": "officer", "full_name": "Nguyễn Thị Lan"}
    again = add_user(tmp_path, "lan", "officer", "another-long-one")
    assert again.returncode != 0
    assert "already exists" in again.stderr
    weak = add_user(tmp_path, "bao", "admin", "short")
    assert weak.returncode != 0
    assert "at least 8" in weak.stderr

    dev = last_json(
        run(tmp_path, "device", "add", "rating", "pad-9", "--counter", "2", "--json").stdout
    )
    assert dev["name"] == "pad-9"
    assert len(dev["key"]) >= 32
    assert dev["counter"] == 2
    bad = run(tmp_path, "device", "add", "rating", "pad-10", "--counter", "42")
    assert bad.returncode != 0
    assert "no counter number 42" in bad.stderr
    no_printer = run(tmp_path, "device", "add", "kiosk", "k2", "--printer", "nope")
    assert no_printer.returncode != 0
    assert "printers.nope" in no_printer.stderr


@pytest.mark.parametrize(
    "args", [["user", "add", "x", "--role", "officer"], ["device", "add", "toaster", "t1"]]
)
def test_cli_usage_errors(tmp_path: Path, args: list[str]) -> None:
    assert run(tmp_path, *args).returncode == 2


def test_a_broken_survey_file_stops_the_start(tmp_path: Path) -> None:
    """An office's own survey wording is checked when the server starts, not on a phone."""
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "short.toml").write_text('[title]\nvi = "Khảo sát"\n', encoding="utf-8")
    env_file = tmp_path / "site.toml"
    env_file.write_text(f'[feedback]\nforms_directory = "{folder}"\n', encoding="utf-8")
    done = run(tmp_path, "init", ONESTOP_CONFIG=str(env_file))
    assert done.returncode != 0
    assert "survey forms:" in done.stderr
    assert "short.toml" in done.stderr


def test_a_database_out_of_reach_is_said_in_one_line(tmp_path: Path) -> None:
    """No database server there (a wrong port, PostgreSQL not started): one line that names
    what failed and what to check, not a driver's traceback."""
    from tests.conftest import free_port

    url = f"postgresql+psycopg://onestop@127.0.0.1:{free_port()}/onestop"
    done = run(tmp_path, "init", in_child=True, ONESTOP_DATABASE__URL=url)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Error: cannot use the database: ")
    assert "[database] url" in line


def test_a_busy_database_is_said_so(tmp_path: Path) -> None:
    """Another process holds SQLite's write lock longer than the wait allows: "busy, try
    again", not a traceback, and not advice about the URL."""
    import sqlite3

    assert run(tmp_path, "init").returncode == 0
    holder = sqlite3.connect(tmp_path / "cli.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        done = run(tmp_path, "notice", "add", "Nghỉ trưa", ONESTOP_DATABASE__BUSY_TIMEOUT_MS="200")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 1
    assert "the database is busy" in done.stderr
    assert "Traceback" not in done.stderr

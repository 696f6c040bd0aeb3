"""Many offices in one deployment, from the command line: `office add --like` sets a commune up
like another, and `--office CODE` puts staff, devices, notices, catalogue and calendar days in
that office, never in the configured one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from onestop.models import (
    AuditEvent,
    CalendarOverride,
    CatalogField,
    Counter,
    Device,
    Notice,
    Office,
    Officer,
    Procedure,
    Service,
)
from tests.helpers import last_json, run_cli

DEMO = "UBND-XA-DEMO"


def counts(folder: Path, model: Any) -> dict[str, int]:
    """Rows of ``model`` per office code."""
    engine = create_engine(f"sqlite:///{folder / 'cli.db'}")
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Office.code, func.count(model.id))
                .join(model, model.office_id == Office.id)
                .group_by(Office.code)
            ).all()
            return dict(rows)
    finally:
        engine.dispose()


def test_an_office_set_up_like_another_gets_its_services_counters_and_catalogue(
    tmp_path: Path,
) -> None:
    assert run_cli(tmp_path, "init", "--demo").returncode == 0
    made = run_cli(
        tmp_path,
        "office",
        "add",
        "XA-BINH-AN",
        "--name",
        "UBND xã Bình An",
        "--like",
        DEMO,
        "--json",
    )
    assert made.returncode == 0, made.stderr
    assert last_json(made.stdout) == {
        "code": "XA-BINH-AN",
        "name": "UBND xã Bình An",
        "timezone": "Asia/Ho_Chi_Minh",
        "like": DEMO,
    }
    for model in (Service, Counter, CatalogField, Procedure):
        per_office = counts(tmp_path, model)
        assert per_office["XA-BINH-AN"] == per_office[DEMO] > 0, model.__name__
    # Each office's own: staff, devices and notices are not copied.
    for model in (Officer, Device, Notice):
        assert "XA-BINH-AN" not in counts(tmp_path, model), model.__name__
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(engine) as session:
        office = session.scalar(select(Office).where(Office.code == "XA-BINH-AN"))
        assert office is not None
        counter = session.scalar(
            select(Counter).where(Counter.office_id == office.id, Counter.number == 1)
        )
        assert counter is not None
        assert counter.officer_id is None
        assert [link.service.code for link in counter.services] == ["A", "B"]
        assert all(link.service.office_id == office.id for link in counter.services)
        audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "office_added"))
        assert audit is not None
        assert audit.data["procedures"] == counts(tmp_path, Procedure)[DEMO]
    engine.dispose()


def test_office_add_refuses_what_it_cannot_make(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").returncode == 0
    for args, message in (
        (["office", "add", DEMO, "--name", "Again"], "already exists"),
        (["office", "add", "X 1", "--name", "Bad code"], "office code"),
        (["office", "add", "X2", "--name", "Z", "--timezone", "Mars/Olympus"], "time zone"),
        (["office", "add", "X3", "--name", "Z", "--like", "NOWHERE"], "does not exist"),
    ):
        done = run_cli(tmp_path, *args)
        assert done.returncode != 0, args
        assert message in done.stderr, (args, done.stderr)
    assert set(counts(tmp_path, Service)) <= {DEMO}


def test_office_option_puts_each_thing_in_that_office(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init", "--demo").returncode == 0
    assert (
        run_cli(tmp_path, "office", "add", "XA-2", "--name", "Xã Hai", "--like", DEMO).returncode
        == 0
    )
    office = ("--office", "XA-2")
    user = run_cli(
        tmp_path,
        "user",
        "add",
        "lan2",
        "--role",
        "officer",
        "--password-stdin",
        *office,
        stdin="a-long-password\n",
    )
    assert user.returncode == 0, user.stderr
    device = run_cli(tmp_path, "device", "add", "kiosk", "kiosk-1", *office, "--json")
    assert device.returncode == 0, device.stderr  # kiosk-1 exists in the demo office, not here
    notice = run_cli(tmp_path, "notice", "add", "Lịch tiếp dân", *office)
    assert notice.returncode == 0, notice.stderr
    day = run_cli(tmp_path, "calendar", "set", "2026-12-26", "--working", *office)
    assert day.returncode == 0, day.stderr
    year = ("calendar", "show", "--year", "2026", "--json")
    shown = last_json(run_cli(tmp_path, *year, *office).stdout)
    assert "2026-12-26" in shown["working_weekend_days"]
    home = last_json(run_cli(tmp_path, *year).stdout)
    assert "2026-12-26" not in home["working_weekend_days"]
    assert counts(tmp_path, Officer)["XA-2"] == 1
    assert counts(tmp_path, Device)["XA-2"] == 1
    assert counts(tmp_path, Notice)["XA-2"] == 1
    assert counts(tmp_path, CalendarOverride) == {"XA-2": 1}
    missing = run_cli(tmp_path, "notice", "add", "x", "--office", "NOWHERE")
    assert missing.returncode != 0
    assert "NOWHERE" in missing.stderr

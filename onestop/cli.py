"""The ``onestop`` command line. Commands that create something take ``--json`` and then print
one JSON object as their last line."""

from __future__ import annotations

import json
import os
import secrets
import sys
import unicodedata
from pathlib import Path
from typing import Any

import click
from flask import Flask

from onestop import config
from onestop.config import ConfigError, data_dir
from onestop.errors import DomainError


def _nfc(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFC", text)


def _app(overrides: dict[str, Any] | None = None) -> Flask:
    from onestop.app import create_app

    try:
        return create_app(overrides)
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None


def _checked_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The app, once the files it reads at request time are known to be right: an office's
    own survey wording with a mistake must stop the start, not fail on a citizen's phone."""
    from onestop import surveyforms

    app = _app(overrides)
    try:
        surveyforms.load(app.config["ONESTOP"]["feedback"]["forms_directory"] or None)
    except surveyforms.FormError as exc:
        raise click.ClickException(f"survey forms: {exc}") from None
    return app


def _emit(as_json: bool, human: str, obj: dict[str, Any]) -> None:
    if as_json:
        click.echo(json.dumps(obj, ensure_ascii=False))
    else:
        click.echo(human)


def _run(app: Flask, work: Any) -> Any:
    """Run ``work(session)`` in one transaction; domain errors become clean CLI errors."""
    from onestop.db import db

    session = db.new_session(app)
    try:
        result = work(session)
        session.commit()
        return result
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from None
    finally:
        session.close()


def _office(session: Any, app: Flask, code: str | None) -> Any:
    """The office a command works on: ``--office CODE``, else the configured one."""
    from onestop import auth

    return auth.office_by_code(session, code or app.config["ONESTOP"]["office"]["code"])


office_option = click.option(
    "--office",
    "office_code",
    default=None,
    metavar="CODE",
    help="The office (default: the configured [office] code).",
)


class _Commands(click.Group):
    """The command group: a database that cannot be reached (not there, not running, wrong
    password) is said in one line, not a driver's traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import OperationalError

        try:
            return super().invoke(ctx)
        except OperationalError as exc:
            from onestop.db import is_busy_error

            if is_busy_error(exc):
                raise click.ClickException(
                    "the database is busy (another process is writing to it); try again"
                ) from None
            reason = " ".join(str(exc.orig).split()) if exc.orig is not None else str(exc)
            raise click.ClickException(
                f"cannot use the database: {reason} (check [database] url, or "
                "ONESTOP_DATABASE__URL; on PostgreSQL the database must exist: createdb)"
            ) from None


@click.group(cls=_Commands)
def main() -> None:
    """onestop: kiosk, queue tickets and dossier clock for a one-stop office."""


@main.command()
@click.option("--demo", is_flag=True, help="Also load demo services, counters, devices, admin.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def init(demo: bool, as_json: bool) -> None:
    """Create or migrate the database; with --demo load demo data. Safe to run again."""
    from onestop import demo as demo_data
    from onestop.migrate import upgrade

    app = _checked_app()
    cfg = app.config["ONESTOP"]
    folder = data_dir(cfg)
    # What onestop makes holds personal data (applicants' papers, printed receipts, ratings):
    # for the service's user only.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not cfg["secret_key"]:
        key_file = folder / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            os.chmod(key_file, 0o600)
    _ensure_sqlite_folder(cfg["database"]["url"])
    upgrade(app.extensions["onestop.engine"])
    office = _run(app, lambda s: demo_data.ensure_office(s, cfg["office"]))
    result: dict[str, Any] = {"office": office, "database": _safe_url(cfg["database"]["url"])}
    if demo:
        result.update(_run(app, lambda s: demo_data.load_demo(s, cfg, folder)))
    human = demo_data.describe(result, cfg) if demo else f"database ready for {office}"
    _emit(as_json, human, result)


def _ensure_sqlite_folder(url: str) -> None:
    """A new SQLite file is made readable by the service's user only (its WAL and shared-memory
    files take the same permissions from it)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        path = Path(url[len("sqlite:///") :]).resolve()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def backup(destination: Path, as_json: bool) -> None:
    """Copy the SQLite database to DESTINATION while the server runs (SQLite's online backup:
    a consistent snapshot, writers wait only for each step). PostgreSQL: use pg_dump."""
    import sqlite3

    app = _app()
    engine = app.extensions["onestop.engine"]
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "the database is PostgreSQL: back it up with pg_dump -Fc (docs/deploy.md)"
        )
    if destination.exists():
        raise click.ClickException(f"{destination} exists; name a new file")
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.touch(mode=0o600)  # a copy of everyone's data: the service's user only
    raw = engine.raw_connection()
    try:
        with sqlite3.connect(destination) as copy:
            raw.driver_connection.backup(copy, pages=1024)
    finally:
        raw.close()
    with sqlite3.connect(destination) as copy:
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        tickets = copy.execute("SELECT count(*) FROM ticket").fetchone()[0]
        dossiers = copy.execute("SELECT count(*) FROM dossier").fetchone()[0]
    if check != "ok":
        raise click.ClickException(f"the copy failed its integrity check: {check}")
    result = {
        "backup": str(destination),
        "bytes": destination.stat().st_size,
        "revision": revision[0] if revision else None,
        "tickets": tickets,
        "dossiers": dossiers,
    }
    _emit(
        as_json,
        f"backed up to {destination}: {result['bytes']} bytes, revision {result['revision']}, "
        f"{tickets} tickets, {dossiers} dossiers, integrity ok",
        result,
    )


@main.command()
@click.option("--host", default=None, help="Address to listen on (default from config).")
@click.option("--port", default=None, type=int, help="Port (default from config, 5000).")
def serve(host: str | None, port: int | None) -> None:
    """Run the server (gunicorn's gevent worker, or its threaded one: [realtime] async_mode)."""
    from onestop.health import schema_problem
    from onestop.server import serve as run_server

    # Given here, they are the served address: links and QR codes follow them too.
    served = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    app = _checked_app({"server": served} if served else None)
    problem = schema_problem(app.extensions["onestop.engine"])
    if problem:
        raise click.ClickException(f"cannot serve: {problem}")
    cfg = app.config["ONESTOP"]
    if not cfg["secret_key"] and not (data_dir(cfg) / "secret_key").exists():
        # A key made up per process would sign every printed link differently in each process
        # and after each restart: the citizens' survey links would stop working.
        raise click.ClickException(
            "cannot serve: no secret key (run `onestop init`, which writes "
            f"{data_dir(cfg) / 'secret_key'}, or set ONESTOP_SECRET_KEY)"
        )
    if app.config["ONESTOP"]["realtime"]["async_mode"] != app.extensions["onestop.async_mode"]:
        click.echo(
            "serving on threads: the evented server needs the `onestop` command (or python -m "
            "onestop), which prepares gevent before anything else loads",
            err=True,
        )
    server = app.config["ONESTOP"]["server"]
    run_server(app, server["host"], server["port"], server["threads"])


@main.group()
def office() -> None:
    """The offices of this deployment (a province's communes on one system)."""


@office.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The office's name, as screens and papers show it.")
@click.option("--timezone", default=None, help="IANA time zone (default: [office] timezone).")
@click.option(
    "--like", default=None, metavar="CODE", help="Copy this office's services, counters, catalogue."
)
@click.option("--json", "as_json", is_flag=True)
def office_add(code: str, name: str, timezone: str | None, like: str | None, as_json: bool) -> None:
    """Add office CODE (its staff, devices and notices are added with --office CODE)."""
    from onestop import offices

    app = _app()
    zone = timezone or app.config["ONESTOP"]["office"]["timezone"]

    def work(session: Any) -> dict[str, Any]:
        made = offices.add_office(
            session, _nfc(code) or "", _nfc(name) or "", timezone=zone, like=like
        )
        return {"code": made.code, "name": made.name, "timezone": made.timezone, "like": like}

    result = _run(app, work)
    copied = f", set up like {like}" if like else ""
    _emit(as_json, f"office {result['code']} added{copied}", result)


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["officer", "supervisor", "admin"]))
@click.option("--full-name", default="", help="The officer's full name (Vietnamese welcome).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@office_option
@click.option("--json", "as_json", is_flag=True)
def user_add(
    name: str,
    role: str,
    full_name: str,
    password_stdin: bool,
    office_code: str | None,
    as_json: bool,
) -> None:
    """Create a staff account."""
    from onestop import auth

    if not password_stdin:
        raise click.UsageError("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    app = _app()

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        officer = auth.create_officer(
            session, office, _nfc(name) or "", password, role, full_name=_nfc(full_name) or ""
        )
        return {
            "username": officer.username,
            "role": officer.role.value,
            "full_name": officer.full_name,
        }

    result = _run(app, work)
    _emit(as_json, f"created {result['role']} {result['username']}", result)


@main.group()
def device() -> None:
    """Kiosks, displays, rating pads and print agents."""


@device.command("add")
@click.argument("kind", type=click.Choice(["kiosk", "display", "rating", "agent"]))
@click.argument("name")
@click.option(
    "--counter",
    "counter_number",
    type=int,
    default=None,
    help="The counter a rating pad belongs to.",
)
@click.option("--printer", default=None, help="The [printers.<name>] a kiosk prints on.")
@office_option
@click.option("--json", "as_json", is_flag=True)
def device_add(
    kind: str,
    name: str,
    counter_number: int | None,
    printer: str | None,
    office_code: str | None,
    as_json: bool,
) -> None:
    """Register a device and print its key (shown only once)."""
    from onestop import auth

    app = _app()
    cfg = app.config["ONESTOP"]
    if printer and printer not in cfg["printers"]:
        raise click.ClickException(f"no [printers.{printer}] table in the configuration")

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        owner = printer and (cfg["printers"][printer]["office"] or cfg["office"]["code"])
        if printer and owner != office.code:
            raise click.ClickException(
                f"printer {printer} is office {owner}'s (its [printers.{printer}] office)"
            )
        dev, key = auth.create_device(
            session, office, kind, _nfc(name) or "", counter_number=counter_number, printer=printer
        )
        return {
            "name": dev.name,
            "kind": dev.kind.value,
            "key": key,
            "counter": counter_number,
            "printer": printer,
        }

    result = _run(app, work)
    _emit(as_json, f"{result['kind']} {result['name']} key: {result['key']}", result)


@main.group()
def catalog() -> None:
    """The procedure catalog the kiosk publishes."""


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--fields",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A fields file (code, name, name_en) to import first.",
)
@office_option
@click.option("--json", "as_json", is_flag=True)
def catalog_import(file: Path, fields: Path | None, office_code: str | None, as_json: bool) -> None:
    """Import procedures from CSV or XLSX (the columns of catalog/procedures.csv)."""
    from onestop import auth
    from onestop import catalog as procedures

    app = _app()

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        field_count = procedures.import_fields(session, office, fields) if fields else 0
        count = procedures.import_procedures(session, office, file)
        auth.audit(session, office.id, "cli", "catalog_imported", file.name, procedures=count)
        return {"file": file.name, "procedures": count, "fields": field_count}

    result = _run(app, work)
    _emit(as_json, f"imported {result['procedures']} procedures from {result['file']}", result)


@main.group()
def notice() -> None:
    """Public notices on the waiting-room ticker."""


@notice.command("add")
@click.argument("text")
@click.option("--en", "text_en", default="", help="The English text.")
@office_option
@click.option("--json", "as_json", is_flag=True)
def notice_add(text: str, text_en: str, office_code: str | None, as_json: bool) -> None:
    """Publish a notice (public: never put personal data in it)."""
    from onestop import notices

    app = _app()

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        item = notices.add_notice(
            session, office, _nfc(text) or "", text_en=_nfc(text_en) or "", actor="cli"
        )
        return {"id": item.id, "text": item.text, "text_en": item.text_en}

    result = _run(app, work)
    _emit(as_json, f"notice {result['id']} published", result)


@notice.command("remove")
@click.argument("notice_id", type=int)
@office_option
@click.option("--json", "as_json", is_flag=True)
def notice_remove(notice_id: int, office_code: str | None, as_json: bool) -> None:
    """Take a notice off the ticker."""
    from onestop import notices

    app = _app()

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        return {"id": notices.retire_notice(session, office, notice_id, actor="cli").id}

    result = _run(app, work)
    _emit(as_json, f"notice {result['id']} removed", result)


@main.group()
def calendar() -> None:
    """The office calendar: its own days off and make-up working days."""


@calendar.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--working/--off", required=True, help="A make-up working day, or a day off.")
@click.option("--note", default="", help="Why (shown to staff), e.g. 'Làm bù cho 15/02'.")
@office_option
@click.option("--json", "as_json", is_flag=True)
def calendar_set(
    day: Any, working: bool, note: str, office_code: str | None, as_json: bool
) -> None:
    """Make DAY (YYYY-MM-DD) a working day or a day off for this office's deadlines."""
    from onestop import workcalendar

    app = _app()

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        row = workcalendar.set_override(
            session, office, day.date(), working=working, note=_nfc(note) or "", actor="cli"
        )
        return {"day": row.day.isoformat(), "working": row.working, "note": row.note}

    result = _run(app, work)
    kind = "a working day" if result["working"] else "a day off"
    _emit(as_json, f"{result['day']} is {kind}", result)


@calendar.command("unset")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@office_option
def calendar_unset(day: Any, office_code: str | None) -> None:
    """Remove the office's override for DAY: the national calendar applies again."""
    from onestop import workcalendar

    app = _app()

    def work(session: Any) -> None:
        office = _office(session, app, office_code)
        workcalendar.remove_override(session, office, day.date(), actor="cli")

    _run(app, work)
    click.echo(f"{day.date()} follows the national calendar again")


@calendar.command("show")
@click.option("--year", type=int, required=True)
@office_option
@click.option("--json", "as_json", is_flag=True)
def calendar_show(year: int, office_code: str | None, as_json: bool) -> None:
    """Every weekday off and weekend working day of YEAR, with where it comes from (the law,
    the holidays library, the office) and the days still awaiting a decision."""
    from onestop import queries, workcalendar

    app = _app()

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        cal = workcalendar.calendar_for(session, office, app.config["ONESTOP"])
        notes = {row.day: row.note for row in queries.calendar_override_rows(session, office.id)}
        days = workcalendar.year_days(cal, year, notes)
        return {
            "year": year,
            "office": office.code,
            "days": days,
            "days_off": [d["date"] for d in days if not d["working"]],
            "working_weekend_days": [d["date"] for d in days if d["working"]],
            "undecided": [d["date"] for d in days if d["undecided"]],
        }

    result = _run(app, work)
    why = {
        "prime_minister": "awaits the Prime Minister's decision",
        "law_pending": "awaits a law",
    }
    lines = [f"{year}, office {result['office']}: days off and weekend days worked"]
    for d in result["days"]:
        what = "worked" if d["working"] else "off   "
        mark = f"  UNCONFIRMED: {why[d['undecided']]}" if d["undecided"] else ""
        label = " — ".join(filter(None, [d["name"], d["note"]]))
        lines.append(f"  {d['date']}  {what}  {d['source']:<7}  {label}{mark}")
    if result["undecided"]:
        lines.append(
            "Confirm or correct each unconfirmed day once it is decided: "
            'onestop calendar set DATE --off|--working --note "the decision"'
        )
    _emit(as_json, "\n".join(lines), result)


@main.group("printer")
def printer_group() -> None:
    """Receipt and slip printers: test page."""


@printer_group.command("test")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
def printer_test(name: str, as_json: bool) -> None:
    """Print the test page: all 146 Vietnamese letters in every mode (raster, text, hybrid)."""
    from printer.testpage import render_test_page
    from printer.transports import PrintError, send

    cfg = _app().config["ONESTOP"]
    printer = cfg["printers"].get(name)
    if printer is None:
        known = ", ".join(sorted(cfg["printers"])) or "none"
        raise click.ClickException(f"no [printers.{name}] in the configuration (known: {known})")
    if printer["agent"]:
        raise click.ClickException(
            f"printer {name} is served by the print agent {printer['agent']!r}; run this "
            "command on that PC with the same printer table"
        )
    output = render_test_page(name, printer)
    try:
        health = send(
            printer,
            output.data,
            name=f"test-page-{name}",
            data_dir=config.data_dir(cfg),
            image=output.image,
            pdf=output.pdf,
            printer=name,
        )
    except PrintError as exc:
        raise click.ClickException(f"printer {name}: {exc.reason}") from None
    result = {"printer": name, "bytes": len(output.data), "status": health.status}
    _emit(as_json, f"test page sent to {name} ({len(output.data)} bytes; {health.status})", result)


@main.command("print-agent")
@click.option("--server", required=True, help="The central server, https://…")
@click.option(
    "--key",
    envvar="ONESTOP_AGENT_KEY",
    required=True,
    help="The agent's device key (`onestop device add agent NAME`); or env ONESTOP_AGENT_KEY.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="var",
    help="Where a virtual printer's files go.",
)
@click.option("--ca-file", default=None, help="A CA bundle for a server with a private CA.")
@click.option("--allow-http", is_flag=True, help="Allow plain http to a non-local server.")
@click.option("--poll-seconds", type=float, default=2.0, show_default=True)
@click.option("--health-seconds", type=float, default=30.0, show_default=True)
@click.option("--once", is_flag=True, help="Send what is due, report health, and stop.")
def print_agent(
    server: str,
    key: str,
    data_dir: Path,
    ca_file: str | None,
    allow_http: bool,
    poll_seconds: float,
    health_seconds: float,
    once: bool,
) -> None:
    """Run the print agent for this PC's printers (central deployments)."""
    from printer.agent import Agent, AgentError, run

    try:
        agent = Agent(server, key, data_dir=data_dir, ca_file=ca_file, allow_http=allow_http)
        if once:
            printers = agent.report_health()
            sent = 0
            while handled := agent.send_jobs():
                sent += handled
            click.echo(f"{sent} job(s) handled for {printers} printer(s)")
            return
    except AgentError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"print agent (pid {os.getpid()}) serving {agent.server}; Ctrl-C stops")
    run(agent, poll_seconds=poll_seconds, health_seconds=health_seconds)


@main.command("evaluation")
@click.option("--from", "start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@office_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def evaluation_command(start: Any, end: Any, office_code: str | None, as_json: bool) -> None:
    """The nine-criterion evaluation of the dossiers received from --from to --to (local days)."""
    from onestop import evaluation

    app = _app()
    cfg = app.config["ONESTOP"]

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        return evaluation.evaluate_period(session, office, start.date(), end.date(), cfg)

    result = _run(app, work)
    _emit(as_json, evaluation.render_table(result), result)


@main.command("report")
@click.option(
    "--kind",
    default="summary",
    show_default=True,
    metavar="KIND",
    help="bieu06, kpi, queue, officers, satisfaction or summary.",
)
@click.option(
    "--from",
    "start",
    default=None,
    metavar="YYYY-MM-DD",
    help="First day (with --to); else --period.",
)
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD", help="Last day, included.")
@click.option(
    "--period",
    default=None,
    metavar="KIND",
    help="day, week, month, quarter or year holding --at (default: this month).",
)
@click.option("--at", default=None, metavar="YYYY-MM-DD", help="A day in the --period.")
@click.option(
    "--format",
    "fmt",
    default="json",
    show_default=True,
    metavar="FORMAT",
    help="xlsx, csv, json or pdf.",
)
@click.option(
    "--out",
    "out",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The file to write; - for standard output (json and csv only).",
)
@office_option
def report_command(
    kind: str,
    start: str | None,
    end: str | None,
    period: str | None,
    at: str | None,
    fmt: str,
    out: str,
    office_code: str | None,
) -> None:
    """A report for a period: Biểu 06, the plan's KPIs with the 766 indicators, the queue, the
    officer sheet or satisfaction, as XLSX (the official layout), CSV, JSON or PDF."""
    from onestop import clock, reports
    from onestop.reports import export

    try:
        export.check_format(fmt)
        reports.check_kind(kind)
    except DomainError as exc:
        raise click.UsageError(exc.message) from None
    if out == "-" and fmt in ("xlsx", "pdf"):
        raise click.UsageError(f"a {fmt} report needs --out FILE")
    app = _app()
    cfg = app.config["ONESTOP"]

    def work(session: Any) -> bytes:
        office = _office(session, app, office_code)
        args = {"from": start, "to": end, "period": period, "at": at}
        today = clock.local_day(clock.now(), office.timezone)
        chosen = reports.period_from(args, cfg["reports"]["period_start_day"], today)
        return export.render(reports.build(session, office, kind, chosen, cfg), fmt)

    data = _run(app, work)
    if out == "-":
        click.echo(data.decode("utf-8-sig"), nl=False)
    else:
        Path(out).write_bytes(data)
        click.echo(f"{out}: {len(data):,} bytes", err=True)


@main.command("history")
@click.option("--days", default=120, show_default=True, help="Calendar days, ending yesterday.")
@click.option("--per-day", default=60, show_default=True, help="Tickets a working day, on average.")
@click.option("--seed", default=1, show_default=True, help="The same seed, the same history.")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and succeed) when those days have data."
)
@office_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def history_command(
    days: int, per_day: int, seed: int, if_empty: bool, office_code: str | None, as_json: bool
) -> None:
    """Make up a past for the office (demo and benchmarks): tickets, dossiers, ratings and
    survey answers of the days before today, over its services, counters and catalogue."""
    from onestop import history

    app = _app()
    cfg = app.config["ONESTOP"]

    def work(session: Any) -> dict[str, Any]:
        office = _office(session, app, office_code)
        try:
            return history.generate(session, office, cfg, days=days, per_day=per_day, seed=seed)
        except DomainError as exc:
            if if_empty and exc.code == "history_exists":
                return {"office": office.code, "skipped": exc.message}
            raise

    result = _run(app, work)
    human = (
        f"history kept: {result['skipped']}"
        if "skipped" in result
        else f"history of {result['office']} from {result['from']} to {result['to']}: "
        + ", ".join(f"{result[t]:,} {t}" for t in ("ticket", "dossier", "rating"))
    )
    _emit(as_json, human, result)


if __name__ == "__main__":  # pragma: no cover
    main()

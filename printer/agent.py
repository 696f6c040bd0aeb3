"""The print agent: an office PC's USB/serial printers, fed by a central server.

A central deployment cannot reach a printer plugged into a PC in the office. That PC runs
``onestop print-agent --server URL --key K``; the agent asks the server for the jobs of the
printers whose table says ``agent = "<its device name>"``, sends each over the local transport,
and reports the outcome and the printers' health. The server renders (one font, one layout for
every office) and keeps the queue: a job the agent takes is leased for ``[printing]
agent_lease_seconds`` and offered again if no outcome arrives in time.

This module holds both ends: the blueprint the server registers, and :func:`run`, the agent.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import re
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g

from onestop import clock, queries
from onestop.context import office_printers, settings
from onestop.db import db
from onestop.errors import Conflict, Forbidden, NotFound
from onestop.extensions import csrf
from onestop.http import authenticated, field, json_body, office_of
from onestop.models import DeviceKind, PrintJob, PrintStatus
from printer.render import document_for, render
from printer.transports import Health, PrintError, check, send
from printer.worker import claim, finish_attempt, health_after, job_name, note_health

log = logging.getLogger(__name__)
bp = Blueprint("print_agent", __name__, url_prefix="/api/v1/print-agent")
agent_only = authenticated(devices=(DeviceKind.AGENT,))
BATCH = 10


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)


def _my_printers() -> dict[str, dict[str, Any]]:
    # Its office's printers that name it (an agent of another office with the same name
    # serves none of them).
    printers = office_printers(office_of(g.device))
    return {name: cfg for name, cfg in printers.items() if cfg["agent"] == g.device.name}


def _transport(cfg: dict[str, Any]) -> dict[str, Any]:
    # The agent needs where and how to send, not the server's rendering choices or agent name.
    return {k: v for k, v in cfg.items() if k != "agent"}


@bp.get("/printers")
@agent_only
def my_printers() -> Any:
    """The printers this agent serves, with their transport settings."""
    return [{"name": n, "config": _transport(c)} for n, c in sorted(_my_printers().items())]


@bp.post("/jobs/claim")
@agent_only
def claim_jobs() -> Any:
    """Take up to ten due jobs, rendered, leased to this agent."""
    printers = _my_printers()
    cfg = settings()
    jobs = queries.due_print_jobs(
        db.session, printers, clock.now(), limit=BATCH, office_id=g.device.office_id
    )
    answer = []
    for job in jobs:
        if not claim(
            db.session, job, by=g.device.name, seconds=cfg["printing"]["agent_lease_seconds"]
        ):
            continue
        printer_cfg = printers[job.printer]
        try:
            output = render(document_for(job.kind, job.payload), printer_cfg)
        except Exception as exc:  # one bad job must not stop the agent's other jobs
            log.exception("print job %s cannot be rendered", job.id)
            finish_attempt(db.session, job, PrintError(f"internal error: {exc}", transient=False))
            continue
        answer.append(
            {
                "id": job.id,
                "printer": job.printer,
                "name": job_name(job, cfg["office"]["timezone"]),
                "config": _transport(printer_cfg),
                "data": base64.b64encode(output.data).decode(),
                "pdf": output.pdf is not None,
            }
        )
    db.session.commit()
    return {"jobs": answer}


@bp.post("/jobs/<int:job_id>/result")
@agent_only
def job_result(job_id: int) -> Any:
    """``{"ok": true}`` or ``{"ok": false, "reason", "transient"}``, plus the health seen."""
    body = json_body()
    job = db.session.get(PrintJob, job_id)
    if job is None or job.office_id != g.device.office_id:
        raise NotFound(f"no print job {job_id}", code="unknown_print_job")
    if job.claimed_by != g.device.name or job.status != PrintStatus.QUEUED:
        raise Conflict(f"print job {job_id} is not leased to this agent", code="not_leased")
    error = None
    seen = _health(body.get("health"))
    if not field(body, "ok", bool):
        reason = field(body, "reason", str)[:500]
        error = PrintError(reason, transient=field(body, "transient", bool), health=seen)
    finish_attempt(db.session, job, error)
    note_health(db.session, job.printer, health_after(error, seen), f"agent:{g.device.name}")
    db.session.commit()
    return {"id": job.id, "status": job.status.value, "attempts": job.attempts}


@bp.post("/health")
@agent_only
def report_health() -> Any:
    body = json_body()
    printer = field(body, "printer", str)
    if printer not in _my_printers():
        raise Forbidden(f"printer {printer!r} is not served by this agent", code="not_my_printer")
    note_health(db.session, printer, _health(body), f"agent:{g.device.name}")
    db.session.commit()
    return {"printer": printer}


def _health(body: Any) -> Health | None:
    if not isinstance(body, dict):
        return None
    return Health(field(body, "status", str), str(body.get("detail") or "")[:500])


# -- the agent ----------------------------------------------------------------------------------


class AgentError(Exception):
    """The server refused or could not be reached; the message says which."""


def _local_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """The server's printer table, refused if it would write anywhere but to a printer."""
    if cfg.get("transport") == "file" and not str(cfg.get("path", "")).startswith("/dev/"):
        raise PrintError(
            f"the print agent writes only to device nodes under /dev/, not {cfg.get('path')!r}",
            transient=False,
        )
    return cfg


def _check_url(server: str, allow_http: bool) -> str:
    parts = urlsplit(server)
    if parts.scheme == "https":
        return server.rstrip("/")
    loopback = False
    try:
        loopback = ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        loopback = parts.hostname == "localhost"
    if parts.scheme == "http" and (loopback or allow_http):
        return server.rstrip("/")
    raise AgentError(
        f"{server}: the device key must travel over https:// (plain http only to this machine)"
    )


class Agent:
    def __init__(
        self,
        server: str,
        key: str,
        *,
        data_dir: Path,
        ca_file: str | None = None,
        allow_http: bool = False,
        timeout: float = 15.0,
    ) -> None:
        self.server = _check_url(server, allow_http)
        self.key = key
        self.data_dir = data_dir
        self.timeout = timeout
        self.context = ssl.create_default_context(cafile=ca_file)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.server}/api/v1/print-agent{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"X-Device-Key": self.key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise AgentError(f"{method} {path}: HTTP {exc.code} {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise AgentError(f"{self.server} unreachable: {exc}") from None

    def send_jobs(self) -> int:
        """Take the due jobs, send them, report each; returns how many were handled."""
        jobs = self.call("POST", "/jobs/claim", {})["jobs"]
        for job in jobs:
            result = self._send_one(job)
            try:
                self.call("POST", f"/jobs/{job['id']}/result", result)
            except AgentError as exc:  # the lease runs out and the server counts the attempt
                log.warning("job %s: outcome not reported: %s", job["id"], exc)
        return len(jobs)

    def _send_one(self, job: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"ok": True}
        health: Health | None = None
        try:
            cfg = _local_config(job["config"])
            data = base64.b64decode(job["data"])
            health = send(
                cfg,
                data,
                name=re.sub(r"[^A-Za-z0-9_-]+", "_", str(job["name"])),
                data_dir=self.data_dir,
                pdf=data if job["pdf"] else None,
                printer=str(job["printer"]),
            )
        except PrintError as exc:
            health = exc.health
            result = {"ok": False, "reason": exc.reason, "transient": exc.transient}
        except Exception as exc:  # a driver's own error: report it, keep serving
            log.exception("job %s failed", job.get("id"))
            result = {"ok": False, "reason": f"print agent error: {exc}", "transient": True}
        if health is not None:
            result["health"] = {"status": health.status, "detail": health.detail}
        return result

    def report_health(self) -> int:
        printers = self.call("GET", "/printers")
        for printer in printers:
            if printer["config"]["query_status"]:
                health = check(printer["config"], name=printer["name"])
                body = {
                    "printer": printer["name"],
                    "status": health.status,
                    "detail": health.detail,
                }
                self.call("POST", "/health", body)
        return len(printers)


def run(agent: Agent, *, poll_seconds: float = 2.0, health_seconds: float = 30.0) -> None:
    """Serve forever: jobs every ``poll_seconds``, health every ``health_seconds``."""
    next_health = 0.0
    while True:
        try:
            if time.monotonic() >= next_health:
                agent.report_health()
                next_health = time.monotonic() + health_seconds
            while agent.send_jobs():
                pass
        except AgentError as exc:
            log.warning("%s; trying again in %s s", exc, poll_seconds)
        except Exception:  # a proxy's HTML page, a cut connection: keep serving
            log.exception("print agent pass failed; trying again in %s s", poll_seconds)
        time.sleep(poll_seconds)

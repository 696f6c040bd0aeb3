"""Hostile JSON at the HTTP edge: no input may turn into a 5xx.

Three parts:

* regression tests for the 500s known before the fuzzer (JSON nested too deep for the parser or
  for the NFC walk, lone surrogates sent as ``\\ud800`` escapes, a survey ``form`` that is not a
  string), asserting the right answer: a 400 with the error shape;
* regression tests for the 500s the fuzzer found (numbers beyond SQLite's 64-bit integers, days
  at the ends of the calendar), asserting a 4xx with the error shape;
* a bounded property-based fuzzer (Hypothesis) over every JSON route of ``app.url_map``: path
  parameters from a pool of real tokens, codes and numbers and of junk, bodies of every shape,
  with each kind of caller. The only property is "no 5xx, and errors carry the error shape":
  state carries over between examples (tickets get called, dossiers move), which is fine.

Rate limits are lifted for these apps, or the runs would only measure 429s.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from onestop import auth, feedback, surveyforms
from onestop.db import db
from onestop.models import DOSSIER_ACTIONS
from tests.helpers import APPLICANT, SAME_DAY, THREE_DAYS, error_code, issue, login

UNLIMITED = "1000000 per minute"
NO_LIMITS = {
    "login_rate_limit": UNLIMITED,
    "ticket_rate_limit": UNLIMITED,
    "public_rate_limit": UNLIMITED,
    "feedback_rate_limit": UNLIMITED,
}
AGENT = "pc-fuzz"  # the print agent this file registers; it serves the kiosk's printer
MAX_POOL = 12  # tickets (and dossiers) the pools hold at most

# -- what each write route reads ------------------------------------------------------------
# Endpoint -> the body fields its view (or the domain code it calls) reads. Kept by hand from
# the views: a new write route fails ``test_every_write_route_is_known`` until it is listed.
ROUTE_FIELDS: dict[str, tuple[str, ...]] = {
    "counter.login": ("username", "password"),
    "kiosk.create_ticket": ("service", "priority"),
    "counter.counter_action": ("outcome",),
    "counter.counter_priority": ("confirmed",),
    "counter.counter_transfer": ("service", "counter"),
    "counter.receive_dossier": (
        "procedure",
        "applicant",
        "channel",
        "delivery",
        "documents",
        "ticket",
        "note",
        "print",
        "due_at",
        "postal_address",
    ),
    "counter.without_receiving": (
        "kind",
        "procedure",
        "applicant",
        "missing",
        "reason",
        "ticket",
        "print",
    ),
    "counter.print_control": ("print",),
    "counter.dossier_action": (
        "action",
        "note",
        "reason",
        "delivery",
        "tracking",
        "new_due_at",
        "signer",
        "print",
    ),
    "kiosk.rate": ("score", "reasons"),
    "kiosk.explain_rating": ("reasons",),
    "kiosk.answer_survey": ("form", "answers", "contact", "language"),
    "admin_api.contact_requests": ("from", "to"),
    "printers.retry_job": (),
    "printers.reprint_ticket": ("printer",),
    "print_agent.claim_jobs": (),
    "print_agent.job_result": ("ok", "reason", "transient", "health"),
    "print_agent.report_health": ("printer", "status", "detail"),
}
# The fields a well-meant request of each route always carries (the others come and go).
ROUTE_REQUIRED: dict[str, tuple[str, ...]] = {
    "counter.login": ("username", "password"),
    "kiosk.create_ticket": ("service",),
    "counter.counter_priority": ("confirmed",),
    "counter.receive_dossier": ("procedure", "applicant"),
    "counter.dossier_action": ("action",),
    "counter.without_receiving": ("kind", "procedure", "applicant", "reason"),
    "counter.print_control": ("print",),
    "kiosk.rate": ("score",),
    "kiosk.explain_rating": ("reasons",),
    "kiosk.answer_survey": ("answers",),
    "admin_api.contact_requests": ("from", "to"),
    "print_agent.job_result": ("ok",),
    "print_agent.report_health": ("printer", "status"),
}
# Query parameters the read (and feedback) routes look at, by endpoint.
ROUTE_QUERY: dict[str, tuple[str, ...]] = {
    "kiosk.survey_state": ("k", "form", "token"),
    "kiosk.answer_survey": ("k", "token"),
    "kiosk.rate": ("k", "token"),
    "kiosk.explain_rating": ("k", "token"),
    "counter.dossier_status": ("token",),
    "counter.dossier_search": ("q",),
    "counter.dossier_register": ("year", "format"),
    "admin_api.period_evaluation": ("from", "to"),
    "admin_api.report_file": ("from", "to", "period", "at", "format"),
    "admin_api.report_dashboard": ("from", "to", "period", "at"),
    "printers.preview": ("kind",),
}
WRITE_METHODS = {"POST", "PUT", "PATCH"}
# Who is meant to call each route (by endpoint prefix or name): drawn most of the time, so the
# examples get past authentication; any other caller the rest of the time.
ROUTE_CALLERS: dict[str, tuple[str, ...]] = {
    "counter.login": ("nobody",),
    "kiosk.create_ticket": ("kiosk", "staff"),
    "kiosk.list_services": ("kiosk", "staff"),
    "kiosk.kiosk_printer": ("kiosk",),
    "kiosk.rate": ("rating-pad", "nobody"),
    "kiosk.explain_rating": ("rating-pad", "nobody"),
    "counter.rating_pad_state": ("rating-pad",),
    "print_agent.": ("agent",),
    "counter.": ("staff",),
    "admin_api.": ("staff",),
    "printers.": ("staff",),
}

# -- the pieces bodies are made of ----------------------------------------------------------
VIETNAMESE = ("Nguyễn Văn An", "Hộ tịch", "Chứng thực bản sao", "Trần Thị Ỹ", "Đường Lê Lợi")
NFD_VIETNAMESE = tuple(unicodedata.normalize("NFD", s) for s in VIETNAMESE)
ODD_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\x7f",
    "\u200b",
    "\ufeff",
    "\u202eevil",
    "\r\n\t",
    "🙂",
    "\U0010ffff",
    "\u0958",  # NFC does not recompose it: normalising changes the length
    "ﷺ",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%s%n{0}",
    "../../etc/passwd",
    "null",
    "true",
    "0",
    "-1",
    "1e309",
)
LENGTHS = (20, 21, 200, 201, 300, 301, 500, 1000, 1001, 2000, 2001, 5000)
BIG_INTS = (2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, -(10**30))
DATES = (
    "2026-11-23",
    "2026-11-01",
    "2026-12-31",
    "2025-11-23",
    "1900-01-01",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "26-11-23",
    "2026-11-23T00:00:00",
)
MOMENTS = (
    "2026-11-30T17:00:00+07:00",
    "2026-11-26T10:00:00+07:00",
    "2026-11-24T09:00:00+07:00",
    "2026-11-30T17:00:00Z",
    "2026-11-30T17:00:00",
    "2026-11-30",
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00-23:59",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59+23:59",
    "2026-11-30T25:00:00+07:00",
    "not a date",
)
# Every question of the built-in forms, and one that is none of them.
QUESTION_IDS = (
    *(q.id for form in surveyforms.load().forms.values() for q in form.questions),
    "nope",
)
REASONS = (*surveyforms.REASONS, "bogus")
SCORES = ("very_satisfied", "satisfied", "unsatisfied", "no_answer", "bogus", "")
PRIORITIES = ("elderly_80", "disabled", "pregnant", "meritorious", "none", "")

short_text = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=24),
    st.sampled_from(VIETNAMESE + NFD_VIETNAMESE + ODD_TEXT),
)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, in proportion to its weight (``st.one_of`` leans on the last)."""
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(pool).flatmap(lambda strategy: strategy)


# Long strings now and then only: one per body is enough to stop at the length check.
text = weighted((6, short_text), (1, st.sampled_from(LENGTHS).map(lambda n: "ạ" * n)))
numbers = st.one_of(
    st.integers(min_value=-5, max_value=10),
    st.integers(),
    st.sampled_from(BIG_INTS),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
ALL_FIELDS = sorted({name for names in ROUTE_FIELDS.values() for name in names})
keys = st.one_of(st.sampled_from(ALL_FIELDS), text)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=10,
)


def nested(depth: int, kind: str) -> str:
    """JSON text nested ``depth`` levels deep: arrays, objects, or both in turn."""
    if kind == "array":
        return "[" * depth + "]" * depth
    if kind == "object":
        return '{"a":' * depth + "1" + "}" * depth
    return '{"a":[' * (depth // 2) + "1" + "]}" * (depth // 2)


# -- the app under fire ---------------------------------------------------------------------


@dataclass
class World:
    """An app with the demo loaded, a few real tickets, dossiers and print jobs, and callers."""

    app: Flask
    client: FlaskClient
    password: str
    callers: dict[str, dict[str, str]]
    tokens: dict[str, str] = field(default_factory=dict)  # label -> a real ticket token
    dossiers: dict[str, str] = field(default_factory=dict)  # code -> its public token
    jobs: list[int] = field(default_factory=list)

    def key(self, token: str) -> str:
        """The feedback key the citizen's paper carries for ``token``."""
        return feedback.feedback_key(self.app.extensions["onestop.rules"].link_secret, token)


def call_and_finish(client: FlaskClient, staff: dict[str, str], counter: int = 1) -> None:
    called = client.post(f"/api/v1/counters/{counter}/call-next", headers=staff)
    assert called.status_code == 200, called.get_json()
    done = client.post(f"/api/v1/counters/{counter}/finish", headers=staff)
    assert done.status_code == 200, done.get_json()


def link_key(ticket: dict[str, Any]) -> str:
    """The ``k`` of the citizen's link, as the kiosk handed it out."""
    return parse_qs(urlsplit(ticket["status_url"]).query)["k"][0]


@pytest.fixture
def app(make_app: Any) -> Flask:
    """This file's app: the rate limits lifted (the fixtures of conftest build on it)."""
    made: Flask = make_app(security=NO_LIMITS)
    made.config["ONESTOP"]["security"]["token_hours"] = 24 * 365
    return made


@pytest.fixture
def world(app: Flask, creds: dict[str, Any], frozen: Any) -> World:
    app.config["ONESTOP"]["printers"]["kiosk-1"]["agent"] = AGENT
    session = db.new_session(app)
    try:
        office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
        _, agent_key = auth.create_device(session, office, "agent", AGENT)
        session.commit()
    finally:
        session.close()
    client = app.test_client()
    kiosk = {"X-Device-Key": creds["devices"]["kiosk-1"]}
    staff = login(client, "admin", creds["admin"]["password"])
    callers = {
        "nobody": {},
        "kiosk": kiosk,
        "rating-pad": {"X-Device-Key": creds["devices"]["rating-1"]},
        "staff": staff,
        "agent": {"X-Device-Key": agent_key},
        "junk": {"Authorization": "Bearer nope", "X-Device-Key": "nope"},
    }
    w = World(app, client, creds["admin"]["password"], callers)

    served = issue(client, kiosk)
    call_and_finish(client, staff)
    w.tokens["served"] = served["token"]
    with_dossier = issue(client, kiosk)
    assert client.post("/api/v1/counters/1/call-next", headers=staff).status_code == 200
    linked = client.post(
        "/api/v1/dossiers",
        json={"procedure": SAME_DAY, "applicant": APPLICANT, "ticket": with_dossier["token"]},
        headers=staff,
    )
    assert linked.status_code == 201, linked.get_json()
    assert client.post("/api/v1/counters/1/finish", headers=staff).status_code == 200
    w.tokens["with-dossier"] = with_dossier["token"]
    w.tokens["waiting"] = issue(client, kiosk, "B")["token"]
    w.tokens["waiting-c"] = issue(client, kiosk, "C")["token"]
    plain = client.post(
        "/api/v1/dossiers", json={"procedure": THREE_DAYS, "applicant": APPLICANT}, headers=staff
    )
    assert plain.status_code == 201, plain.get_json()
    for made in (linked.get_json(), plain.get_json()):
        w.dossiers[made["code"]] = urlsplit(made["status_url"]).path.rsplit("/", 1)[-1]

    agent = callers["agent"]
    claimed = client.post("/api/v1/print-agent/jobs/claim", json={}, headers=agent)
    assert claimed.status_code == 200, claimed.get_json()
    w.jobs = [job["id"] for job in claimed.get_json()["jobs"]]
    assert len(w.jobs) >= 2, "the kiosk's tickets should have queued print jobs"
    failed = client.post(
        f"/api/v1/print-agent/jobs/{w.jobs[0]}/result",
        json={"ok": False, "reason": "paper out", "transient": False},
        headers=agent,
    )
    assert failed.status_code == 200, failed.get_json()
    return w


# -- requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes | None

    def describe(self) -> str:
        shown = self.body if self.body is None or len(self.body) < 300 else self.body[:300] + b"..."
        return f"{self.method} {self.path} query={self.query} headers={self.headers} body={shown!r}"


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: tuple[str, ...]
    arguments: tuple[str, ...]


def api_routes(app: Flask) -> list[Route]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        methods = tuple(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        found.append(Route(rule.endpoint, rule.rule, methods, tuple(sorted(rule.arguments))))
    return sorted(found, key=lambda r: (r.rule, r.methods))


def write_routes(app: Flask) -> list[Route]:
    return [r for r in api_routes(app) if WRITE_METHODS & set(r.methods)]


def read_routes(app: Flask) -> list[Route]:
    return [r for r in api_routes(app) if "GET" in r.methods]


def fill(rule: str, values: dict[str, str]) -> str:
    """The rule's path with each ``<converter:name>`` replaced by its (quoted) value."""
    return re.sub(r"<([^<>]*)>", lambda m: quote(values[_argument(m.group(1))], safe=""), rule)


def _argument(placeholder: str) -> str:
    """``int:number`` -> ``number``; ``any('a', b):verb`` -> ``verb``."""
    return placeholder.rsplit(":", 1)[-1].strip()


JUNK_SEGMENTS = ("x" * 24, "0", "-1", "ẞ", "a b", "%", "..", "\u0000", "A" * 400, "Ω" * 40)


def slot(values: list[str]) -> st.SearchStrategy[str]:
    """One of ``values``, a list that grows as the fuzzer makes tickets and dossiers. The draw
    is a slot number of a fixed range, so Hypothesis sees the same choices on a replay."""
    return st.sampled_from(range(MAX_POOL)).map(lambda i: values[i % len(values)])


def real_or_junk(real: list[str], junk: list[str]) -> st.SearchStrategy[str]:
    """A real value three times in four, junk otherwise."""
    return weighted((3, slot(real)), (1, st.sampled_from(junk)))


def path_values(w: World) -> dict[str, st.SearchStrategy[str]]:
    junk = st.sampled_from(JUNK_SEGMENTS)
    return {
        "token": weighted(
            (6, slot(list(w.tokens.values()))), (1, slot(list(w.dossiers.values()))), (2, junk)
        ),
        "code": weighted(
            (3, slot(list(w.dossiers))),
            (1, st.sampled_from(["UBND-XA-DEMO-261123-9999", *JUNK_SEGMENTS])),
        ),
        "number": real_or_junk(["1", "2", "3", "4"], ["0", "99", "9" * 20, "9" * 400]),
        "job_id": real_or_junk([str(j) for j in w.jobs], ["0", "99999", str(2**63), "9" * 25]),
        "name": real_or_junk(["kiosk-1"], ["nope", "ẞ", "kiosk-1.png", "%2e%2e"]),
        "verb": st.sampled_from(["call-next", "recall", "start", "no-show", "finish"]),
        "kind": real_or_junk(["bieu06", "kpi", "queue", "officers", "summary"], ["nope", "ẞ"]),
    }


@st.composite
def query_for(draw: st.DrawFn, w: World, route: Route, path: dict[str, str]) -> dict[str, str]:
    """Query parameters the route reads, each real, junk or absent; sometimes ``lang``."""
    query: dict[str, str] = {}
    held = path.get("token")
    code = path.get("code")
    if code is not None:
        held = w.dossiers.get(code)
    for name in ROUTE_QUERY.get(route.endpoint, ()):
        choice = draw(st.sampled_from(["real", "real", "real", "real", "junk", "absent"]))
        if choice == "absent":
            continue
        if choice == "junk":
            query[name] = draw(text)
        elif name == "k":
            query[name] = w.key(held) if held else draw(text)
        elif name == "token":
            if code is None:
                continue
            query[name] = w.dossiers.get(code, "x" * 24)
        elif name == "form":
            query[name] = draw(st.sampled_from(["short", "full", "SHORT", ""]))
        elif name in ("from", "to", "at"):
            query[name] = draw(st.sampled_from(DATES))
        elif name == "period":
            query[name] = draw(st.sampled_from(["day", "week", "month", "quarter", "year", "x"]))
        elif name == "format":
            query[name] = draw(st.sampled_from(["json", "csv", "xlsx", "pdf", "doc"]))
        elif name == "kind":
            query[name] = draw(
                st.sampled_from(["ticket", "receipt", "supplement_request", "apology", "x"])
            )
    if draw(st.sampled_from(range(10))) == 0:
        query["lang"] = draw(st.sampled_from(["en", "vi", "xx", ""]))
    return query


@st.composite
def headers_for(draw: st.DrawFn, w: World, route: Route) -> dict[str, str]:
    meant = next(
        (who for key, who in ROUTE_CALLERS.items() if route.endpoint.startswith(key)),
        ("nobody",),
    )
    pool = sorted(w.callers) if draw(st.sampled_from(range(4))) == 0 else list(meant)
    headers = dict(w.callers[draw(st.sampled_from(pool))])
    kind = draw(st.sampled_from(["application/json", "application/json", "text/plain", None]))
    if kind:
        headers["Content-Type"] = kind
    if route.endpoint == "kiosk.create_ticket" and draw(st.booleans()):
        headers["Idempotency-Key"] = draw(
            st.sampled_from(["abcdefgh", "k" * 64, "k" * 65, "short", "idem-key-0001"])
        )
    return headers


def plausible(w: World, name: str) -> st.SearchStrategy[Any]:
    """Values a real client might send for field ``name`` (right or nearly right)."""
    real_tokens = list(w.tokens.values())
    table: dict[str, st.SearchStrategy[Any]] = {
        "username": st.sampled_from(["admin", "Admin", "nobody", ""]),
        "password": st.sampled_from([w.password, "wrong-password", ""]),
        "service": st.sampled_from(["A", "B", "C", "D", "a", "Z", ""]),
        "priority": st.sampled_from(PRIORITIES),
        "outcome": st.sampled_from(["guidance", "other", ""]),
        "confirmed": st.booleans(),
        "counter": st.sampled_from([1, 2, 3, 4, 0, -1, *BIG_INTS]),
        "procedure": st.sampled_from([THREE_DAYS, SAME_DAY, "9.999999", ""]),
        "applicant": st.fixed_dictionaries(
            {"name": text},
            optional={
                "id_number": text,
                "phone": text,
                "address": text,
                "email": text,
                "kind": st.sampled_from(["person", "organisation", "club"]),
                "tax_code": text,
                "authorised": st.fixed_dictionaries(
                    {"name": text}, optional={"id_number": text, "document": text}
                ),
            },
        ),
        "postal_address": text,
        "due_at": st.sampled_from(MOMENTS),
        "kind": st.sampled_from(["guidance", "refusal", "advice"]),
        "missing": st.lists(text, max_size=3),
        "reason": text,
        "channel": st.sampled_from(["direct", "online", "post", "fax"]),
        "delivery": st.sampled_from(["counter", "post", "electronic", "pigeon"]),
        "documents": st.lists(text, max_size=5),
        "ticket": weighted((3, slot(real_tokens)), (1, st.just("x" * 24))),
        "print": st.sampled_from(["kiosk-1", "nope"]),
        "action": st.sampled_from([*DOSSIER_ACTIONS, "explode"]),
        "new_due_at": st.sampled_from(MOMENTS),
        "score": st.sampled_from(SCORES),
        "reasons": st.lists(st.sampled_from(REASONS), max_size=3),
        "form": st.sampled_from(["short", "full", "other"]),
        "answers": st.dictionaries(
            st.sampled_from(QUESTION_IDS),
            st.one_of(
                st.integers(1, 5),
                st.integers(0, 6),
                st.sampled_from(["1", "5", "0", "more", "9"]),
                short_text,
            ),
            max_size=6,
        ),
        "language": st.sampled_from(["vi", "en", "fr"]),
        "from": st.sampled_from(DATES),
        "to": st.sampled_from(DATES),
        "ok": st.booleans(),
        "transient": st.booleans(),
        "health": st.fixed_dictionaries({}, optional={"status": text, "detail": text}),
        "status": st.sampled_from(["online", "offline", "paper_out", "bogus"]),
        "printer": st.sampled_from(["kiosk-1", "nope"]),
    }
    return table.get(name, text)


def field_objects(w: World, route: Route) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the fields the route reads. Half of them plausible through and through (to
    get past the checks and move the state on), half with wrong types and extra keys."""
    names = ROUTE_FIELDS.get(route.endpoint, ())
    always = ROUTE_REQUIRED.get(route.endpoint, ())
    right = st.fixed_dictionaries(
        {n: plausible(w, n) for n in always},
        optional={n: plausible(w, n) for n in names if n not in always},
    )
    mixed = {n: weighted((2, plausible(w, n)), (1, json_values)) for n in names}
    wrong = st.builds(
        lambda a, b: {**b, **a},
        st.fixed_dictionaries({}, optional=mixed),
        st.dictionaries(keys, json_values, max_size=2),
    )
    return st.one_of(right, wrong)


def encode(value: Any, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode()


def json_bodies() -> st.SearchStrategy[bytes | None]:
    return st.one_of(
        st.none(),
        st.builds(encode, json_values, st.booleans()),
    )


@st.composite
def hostile_bodies(draw: st.DrawFn, w: World, route: Route) -> bytes:
    """Bytes a JSON parser, or the NFC walk after it, may choke on."""
    kind = draw(
        st.sampled_from(
            ["invalid", "deep", "deep-field", "surrogate", "long", "encoding", "numbers"]
        )
    )
    names = ROUTE_FIELDS.get(route.endpoint) or ("x",)
    name = draw(st.sampled_from(names))
    if kind == "invalid":
        return draw(
            st.sampled_from(
                [
                    b"{",
                    b"[1, 2",
                    b'{"a": 1,}',
                    b"{'a': 1}",
                    b"\xff\xfe\x00",
                    b'{"a": "\xc3\x28"}',
                    b"\x00",
                    b"undefined",
                    b'"just a string"',
                    b"42",
                    b"null",
                    b"[]",
                    b'{"a": 1} trailing',
                    b'{"a": 1}{"b": 2}',
                    b"\xef\xbb\xbf{}",
                    b'{"a": "\\x41"}',
                    b'{"a": "\\u12"}',
                    b'{"a": \x01}',
                    b"   \n\t ",
                ]
            )
        )
    if kind in ("deep", "deep-field"):
        depth = draw(st.sampled_from([30, 200, 400, 490, 510, 800, 990, 1100, 5000]))
        inner = nested(depth, draw(st.sampled_from(["array", "object", "mixed"])))
        return inner.encode() if kind == "deep" else f'{{"{name}": {inner}}}'.encode()
    if kind == "surrogate":
        escape = draw(st.sampled_from(["\\ud800", "\\udfff", "\\udbff", "\\ud83d", "\\udc00x"]))
        where = draw(st.sampled_from(["value", "key", "list", "nested"]))
        text_value = f'"a{escape}b"'
        shaped = {
            "value": f'{{"{name}": {text_value}}}',
            "key": f'{{{text_value}: 1, "{name}": "x"}}',
            "list": f'{{"{name}": [{text_value}]}}',
            "nested": f'{{"{name}": {{"name": {text_value}, "expectation": {text_value}}}}}',
        }[where]
        return shaped.encode()
    if kind == "long":
        size = draw(st.sampled_from([2000, 2001, 30000, 60000, 70000]))
        letter = draw(st.sampled_from(["a", "ạ", "\u0301"]))
        return json.dumps({name: letter * size}, ensure_ascii=False).encode()
    if kind == "encoding":
        value = {name: draw(st.sampled_from(VIETNAMESE))}
        codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1258"]))
        return json.dumps(value, ensure_ascii=False).encode(codec, errors="replace")
    digits = draw(st.sampled_from(["1" * 5000, "1e999", "-1e999", "NaN", "Infinity", "-0"]))
    return f'{{"{name}": {digits}}}'.encode()


# -- checking an answer ---------------------------------------------------------------------


def send(w: World, call: Call) -> None:
    """Send ``call``; fail on a 5xx (an exception escaping the app is one) or a bare error."""
    note(call.describe())
    answer = w.client.open(
        call.path,
        method=call.method,
        query_string=call.query,
        headers=call.headers,
        data=call.body,
    )
    status = answer.status_code
    remember(w, answer)
    assert status < 500, f"{status} for {call.describe()}: {answer.get_data(as_text=True)[:500]}"
    if status >= 400:
        payload = answer.get_json(silent=True)
        assert isinstance(payload, dict), f"{status} without a JSON error for {call.describe()}"
        error = payload.get("error")
        assert isinstance(error, dict), payload
        assert isinstance(error.get("code"), str), payload
        assert error["code"], payload
        assert isinstance(error.get("message"), str), payload


def remember(w: World, answer: Any) -> None:
    """Tickets and dossiers the fuzzer made join the pools, so later examples can use them."""
    if answer.status_code != 201 or not answer.is_json:
        return
    made = answer.get_json()
    if not isinstance(made, dict) or not isinstance(made.get("status_url"), str):
        return
    token = urlsplit(made["status_url"]).path.rsplit("/", 1)[-1]
    if "code" in made and len(w.dossiers) < MAX_POOL:
        w.dossiers.setdefault(made["code"], token)
    elif "number" in made and len(w.tokens) < MAX_POOL:
        w.tokens.setdefault(f"issued-{made['number']}", token)


@st.composite
def calls(draw: st.DrawFn, w: World, routes: list[Route], body_kind: str) -> Call:
    route = draw(st.sampled_from(routes))
    methods = [m for m in route.methods if m in WRITE_METHODS] or list(route.methods)
    if body_kind == "read":  # and now and then a method the route does not take (a 405)
        methods = [*route.methods, *route.methods, *route.methods, "DELETE"]
    method = draw(st.sampled_from(sorted(methods)))
    pools = path_values(w)
    values = {name: draw(pools[name]) for name in route.arguments}
    path = fill(route.rule, values)
    query = draw(query_for(w, route, values))
    headers = draw(headers_for(w, route))
    body: bytes | None
    if body_kind == "json":
        body = draw(json_bodies())
    elif body_kind == "fields":
        body = encode(draw(field_objects(w, route)), draw(st.booleans()))
    elif body_kind == "hostile":
        body = draw(hostile_bodies(w, route))
    else:  # reads: mostly no body, sometimes a stray one
        body = draw(weighted((2, st.none()), (1, json_bodies())))
    return Call(method, path, query, headers, body)


# Examples per fuzz test: bounded for CI; raise it locally to search harder.
EXAMPLES = int(os.environ.get("ONESTOP_FUZZ_EXAMPLES", "600"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


# -- the fuzz tests -------------------------------------------------------------------------


def test_every_write_route_is_known(app: Flask) -> None:
    """The fuzzer's table of fields covers every JSON write route the app has."""
    endpoints = {r.endpoint for r in write_routes(app)}
    assert endpoints, "no write routes discovered under /api/"
    assert endpoints <= set(ROUTE_FIELDS), sorted(endpoints - set(ROUTE_FIELDS))


@FUZZ
@given(data=st.data())
def test_fuzz_arbitrary_json(world: World, data: st.DataObject) -> None:
    """Any JSON value (or none) on any write route, from any caller."""
    send(world, data.draw(calls(world, write_routes(world.app), "json")))


@FUZZ
@given(data=st.data())
def test_fuzz_route_fields(world: World, data: st.DataObject) -> None:
    """Objects of the fields each route reads, with plausible and wrong-typed values."""
    send(world, data.draw(calls(world, write_routes(world.app), "fields")))


@FUZZ
@given(data=st.data())
def test_fuzz_hostile_bytes(world: World, data: st.DataObject) -> None:
    """Invalid JSON, deep nesting, lone surrogates, long strings, odd encodings and numbers."""
    send(world, data.draw(calls(world, write_routes(world.app), "hostile")))


@FUZZ
@given(data=st.data())
def test_fuzz_reads(world: World, data: st.DataObject) -> None:
    """Every GET route under /api/ with real and junk path and query values."""
    send(world, data.draw(calls(world, read_routes(world.app), "read")))


# -- regression tests for the 500s known before the fuzzer ---------------------------------


def post_raw(client: FlaskClient, path: str, body: str, headers: dict[str, str]) -> Any:
    return client.post(
        path, data=body.encode(), headers={**headers, "Content-Type": "application/json"}
    )


DEEP_ARRAYS = "[" * 5000 + "]" * 5000
DEEP_USERNAME = '{"username": ' + nested(800, "object") + ', "password": "x"}'


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_USERNAME], ids=["arrays-5000", "objects-800"])
def test_deep_nesting_on_login_is_a_400(client: FlaskClient, body: str) -> None:
    answer = post_raw(client, "/api/v1/auth/token", body, {})
    assert answer.status_code == 400
    assert error_code(answer) == "invalid_json"


@pytest.mark.parametrize(
    "body",
    [
        DEEP_ARRAYS,
        '{"service": ' + nested(800, "object") + "}",
        '{"service": "A", "priority": ' + nested(3000, "array") + "}",
    ],
    ids=["arrays-5000", "service-objects-800", "priority-arrays-3000"],
)
def test_deep_nesting_on_ticket_is_a_400(
    client: FlaskClient, kiosk_headers: dict[str, str], body: str
) -> None:
    answer = post_raw(client, "/api/v1/tickets", body, kiosk_headers)
    assert answer.status_code == 400
    assert error_code(answer) == "invalid_json"


@pytest.mark.parametrize(
    "body",
    [
        DEEP_ARRAYS,
        '{"procedure": "1.004873", "applicant": {"name": "An", "address": '
        + nested(800, "object")
        + "}}",
        '{"procedure": "1.004873", "applicant": {"name": "An"}, "documents": '
        + nested(5000, "array")
        + "}",
    ],
    ids=["arrays-5000", "applicant-objects-800", "documents-arrays-5000"],
)
def test_deep_nesting_on_dossier_is_a_400(
    client: FlaskClient, staff_headers: dict[str, str], body: str
) -> None:
    answer = post_raw(client, "/api/v1/dossiers", body, staff_headers)
    assert answer.status_code == 400
    assert error_code(answer) == "invalid_json"


def test_deep_nesting_on_counter_transfer_is_a_400(
    client: FlaskClient, staff_headers: dict[str, str]
) -> None:
    body = '{"service": "B", "counter": ' + nested(800, "mixed") + "}"
    answer = post_raw(client, "/api/v1/counters/1/transfer", body, staff_headers)
    assert answer.status_code == 400
    assert error_code(answer) == "invalid_json"


SURROGATE = "\\ud800"  # the six characters of the JSON escape, not a Python surrogate


def test_surrogate_in_username_is_a_400(client: FlaskClient) -> None:
    body = '{"username": "ad' + SURROGATE + 'min", "password": "whatever"}'
    assert "\\ud800" in body
    assert "\ud800" not in body
    answer = post_raw(client, "/api/v1/auth/token", body, {})
    assert answer.status_code == 400
    assert error_code(answer)


def test_surrogate_in_applicant_name_is_a_400(
    client: FlaskClient, staff_headers: dict[str, str]
) -> None:
    body = '{"procedure": "' + THREE_DAYS + '", "applicant": {"name": "Nguy' + SURROGATE + 'n"}}'
    answer = post_raw(client, "/api/v1/dossiers", body, staff_headers)
    assert answer.status_code == 400
    assert error_code(answer)
    watch = client.get("/api/v1/dossiers/watch", headers=staff_headers)
    assert watch.status_code == 200  # nothing half-stored that breaks the reads


@pytest.fixture
def served_ticket(
    client: FlaskClient, kiosk_headers: dict[str, str], staff_headers: dict[str, str]
) -> tuple[str, str]:
    """A ticket issued at the kiosk and finished at counter 1: its token and its link's key."""
    ticket = issue(client, kiosk_headers)
    call_and_finish(client, staff_headers)
    return ticket["token"], link_key(ticket)


def test_surrogate_in_survey_text_is_a_400(
    client: FlaskClient, served_ticket: tuple[str, str]
) -> None:
    token, key = served_ticket
    body = '{"form": "short", "answers": {"f1": 5, "expectation": "ch' + SURROGATE + 'o"}}'
    answer = post_raw(client, f"/api/v1/tickets/{token}/survey?k={key}", body, {})
    assert answer.status_code == 400
    assert error_code(answer)
    state = client.get(f"/api/v1/tickets/{token}/survey?k={key}")
    assert state.status_code == 200
    assert state.get_json()["survey"] is None


NOT_A_FORM = [[], ["short"], {}, {"code": "short"}, 5, 1.5, True, None, ""]


def test_survey_form_that_is_not_a_string_is_a_400(
    client: FlaskClient, served_ticket: tuple[str, str]
) -> None:
    token, key = served_ticket
    url = f"/api/v1/tickets/{token}/survey?k={key}"
    answers = {"f1": 4, "visits": "0"}
    for form in NOT_A_FORM:
        answer = client.post(url, json={"form": form, "answers": answers})
        assert answer.status_code == 400, (form, answer.status_code)
        assert error_code(answer) == "unknown_form"
    # Leaving the form out chooses the default (short) one.
    first = client.post(url, json={"answers": answers})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["form"] == "short"
    for form in NOT_A_FORM:
        answer = client.put(url, json={"form": form, "answers": {"f1": 2}})
        assert answer.status_code == 400, (form, answer.status_code)
        assert error_code(answer) == "unknown_form"
    changed = client.put(url, json={"answers": {"f1": 2}})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["answers"]["f1"] == 2


# -- regression tests for the 500s the fuzzer found -----------------------------------------
# Numbers beyond SQLite's 64-bit INTEGER reach the database as bind parameters (OverflowError),
# and days at the ends of the calendar overflow when turned into UTC periods.

HUGE = str(2**63)  # one more than the largest SQLite INTEGER


def assert_client_error(answer: Any, *statuses: int) -> None:
    assert answer.status_code in statuses, (answer.status_code, answer.get_data(as_text=True))
    error_code(answer)


@pytest.mark.parametrize("verb", ["call-next", "recall", "start", "no-show", "finish"])
def test_counter_number_beyond_64_bits_is_a_4xx(
    client: FlaskClient, staff_headers: dict[str, str], verb: str
) -> None:
    answer = client.post(f"/api/v1/counters/{HUGE}/{verb}", headers=staff_headers)
    assert_client_error(answer, 400, 404)


def test_transfer_to_a_counter_beyond_64_bits_is_a_4xx(
    client: FlaskClient, kiosk_headers: dict[str, str], staff_headers: dict[str, str]
) -> None:
    issue(client, kiosk_headers)
    assert client.post("/api/v1/counters/1/call-next", headers=staff_headers).status_code == 200
    for number in (2**63, -(2**63) - 1, 10**30):
        answer = client.post(
            "/api/v1/counters/1/transfer", json={"counter": number}, headers=staff_headers
        )
        assert_client_error(answer, 400, 404)


def test_print_job_id_beyond_64_bits_is_a_4xx(
    client: FlaskClient, creds: dict[str, Any], staff_headers: dict[str, str]
) -> None:
    retry = client.post(f"/api/v1/print-jobs/{HUGE}/retry", headers=staff_headers)
    assert_client_error(retry, 400, 404)
    session = db.new_session(client.application)
    try:
        office = auth.office_by_code(
            session, client.application.config["ONESTOP"]["office"]["code"]
        )
        _, key = auth.create_device(session, office, "agent", AGENT)
        session.commit()
    finally:
        session.close()
    result = client.post(
        f"/api/v1/print-agent/jobs/{HUGE}/result",
        json={"ok": True},
        headers={"X-Device-Key": key},
    )
    assert_client_error(result, 400, 404)


EDGE_PERIODS = [("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31")]


@pytest.mark.parametrize(("start", "end"), EDGE_PERIODS, ids=["year-1", "year-9999"])
def test_evaluation_period_at_the_calendar_ends_is_a_400(
    client: FlaskClient, staff_headers: dict[str, str], start: str, end: str
) -> None:
    answer = client.get(
        "/api/v1/evaluation", query_string={"from": start, "to": end}, headers=staff_headers
    )
    assert_client_error(answer, 400)


@pytest.mark.parametrize(("start", "end"), EDGE_PERIODS, ids=["year-1", "year-9999"])
def test_contact_period_at_the_calendar_ends_is_a_400(
    client: FlaskClient, staff_headers: dict[str, str], start: str, end: str
) -> None:
    answer = client.post(
        "/api/v1/feedback/contacts", json={"from": start, "to": end}, headers=staff_headers
    )
    assert_client_error(answer, 400)


def test_extension_to_the_end_of_time_is_a_4xx(
    client: FlaskClient, staff_headers: dict[str, str], frozen: Any
) -> None:
    made = client.post(
        "/api/v1/dossiers",
        json={"procedure": THREE_DAYS, "applicant": APPLICANT},
        headers=staff_headers,
    )
    assert made.status_code == 201, made.get_json()
    answer = client.post(
        f"/api/v1/dossiers/{made.get_json()['code']}/actions",
        json={
            "action": "extend",
            "new_due_at": "9999-12-31T23:59:59-23:59",
            "note": "cần thêm thời gian",
            "signer": "Chủ tịch",
        },
        headers=staff_headers,
    )
    assert_client_error(answer, 400, 409)

"""The nine-criterion quality evaluation of dossier handling (DOMAIN.md §3.1), from system data
combined with the citizen's own answers, per dossier and per period.

The core is pure: :func:`score_dossier` reads three small frozen records, so each rule can be
tested without a database. What each rule reads, and where that comes from:

1. ``total_time``: the dossier's timeliness against its legal appointment (``dossiers.
   timeliness_of``, judged at ``resolved``): early 2, on time 1, late 0. Still open: not scored,
   except an open dossier already past its appointment, which can only finish late (0).
   Refused, stopped or withdrawn dossiers have no result to time: not scored.
2. ``unit_time``: the one-stop is the only unit the system records. Where the procedure publishes
   an internal (shorter) time, the same ladder is applied against it (moved on by the supplement
   pauses, like the legal one); otherwise criterion 1 is repeated, and the reason says so.
3. ``contacts``: contacts needed to complete the dossier = the largest of the supplement
   requests (system), the citizen's ``visits`` answer ("0" → 0, "1" → 1, "more" → 2) and the
   rating reason ``came_back`` (at least 1): 0 → 2, 1 → 1, more → 0. The system cannot tell
   whether a supplement was the citizen's own fault, which the legal text excuses.
4. ``bodies``: 2 when the citizen went nowhere (submitted online or by post, result sent
   electronically or by post, no extra contact); 1 when only the one-stop was contacted (the
   system records no other body); 0 when the citizen's rating names ``extra_papers`` (papers
   beyond the published list), taken as having to obtain them from another body.
5. ``one_stop``: every dossier here is received and returned through this one-stop. For a
   procedure flagged "4 tại chỗ": 2 when resolved and returned by the end of the working day of
   receipt (the next working day when handed in after the procedure's cut-off), else 1. Other
   procedures: 1 (received and returned here; approval on the spot is not what they promise).
   Not scored until the result is returned. 0 (<100 % through the one-stop) cannot arise from
   the data held.
6. ``publicity``: the procedure is in the office's published catalog (shown by the kiosk: on
   site) and that catalog is served at a public address (``[office] public_url`` is not a local
   one: online): both 2, one 1, neither 0, as the catalog stands now. A citizen's publicity
   answer below 4 (full survey c2_1/c2_2, else the short survey's procedure factor f2) lowers
   it by one point.
7. ``attitude``: a complaint (rating ``unsatisfied`` with reason ``attitude``, or any answer
   about the official, f3 or c3_1..c3_6, of 2 or less) gives 0. The citizen's own report is
   taken as the complaint; substantiating it is outside the system. Without one: early 2, on
   time 1, late 0 (both higher steps of the legal ladder require the time condition); open or
   closed dossiers are not scored.
8. ``feedback``: not scored: the system keeps no register of feedback and complaints (PAKN).
9. ``online``: period-level: ≥30 % of the period's dossiers received online and none of those
   late → 2; 15–<30 % and none late → 1; else 0. The other half of the legal 2-point condition
   (≥20 % of eligible procedures offered online) is not checked: the catalog does not record
   which procedures are offered online. A single dossier is judged against the quarter it was
   received in.

Totals: the points of the scored criteria, and the same scaled to 18 (raw × 18 / the maximum of
the scored ones) when some are not scored. A dossier is classified on the scaled total once its
time outcome is known (criterion 1 scored); before that the scale would rest on the few
criteria known on the day of receipt. The classification thresholds are Thanh Hóa's
(DOMAIN §3.1, [S], open point §10.3), with its gap fixed: exactly 15 is excellent.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from urllib.parse import urlparse

from sqlalchemy.orm import Session

from onestop import clock, dossiers, plainrows, queries, workcalendar
from onestop.clock import as_utc
from onestop.errors import InvalidInput
from onestop.models import (
    Dossier,
    Office,
    Officer,
    Procedure,
    Rating,
    RatingScore,
    SurveyResponse,
)
from onestop.refs import DossierRowLike, DossierTimesLike
from onestop.workcalendar import SAME_DAY_CUTOFF, OfficeCalendar, Rule

# number → (code, name), DOMAIN §3.1
CRITERIA: dict[int, tuple[str, str]] = {
    1: ("total_time", "Total processing time vs the legal time"),
    2: ("unit_time", "Time taken by each unit involved"),
    3: ("contacts", "Contacts needed to complete the dossier"),
    4: ("bodies", "Bodies the citizen had to contact"),
    5: ("one_stop", "Reception, handling and return at the one-stop"),
    6: ("publicity", "Publicity of the procedure"),
    7: ("attitude", "Attitude of the officials"),
    8: ("feedback", "Handling of feedback and complaints (PAKN)"),
    9: ("online", "Online public services"),
}
MAX_POINTS = 2 * len(CRITERIA)
# Lowest scaled total of each class, best first (Thanh Hóa's, with 15 itself excellent).
CLASSES = (("xuat_sac", 15.0), ("tot", 12.0), ("kha", 9.0), ("trung_binh", 6.0), ("yeu", 0.0))
UNCLASSIFIED = "unclassified"
MAX_PERIOD_DAYS = 400
ONLINE_FULL, ONLINE_PART = 0.30, 0.15
SATISFIED_ANSWER = 4  # 4–5 on the five-level scale
COMPLAINT_ANSWER = 2  # 1–2 about the official
VISITS = {"0": 0, "1": 1, "more": 2}
SATISFIED_SCORES = (RatingScore.VERY_SATISFIED, RatingScore.SATISFIED)
WORST_FIRST = (RatingScore.UNSATISFIED, RatingScore.SATISFIED, RatingScore.VERY_SATISFIED)
_WORST_FIRST = tuple(s.value for s in WORST_FIRST)  # an enum's .value is a slow property
SURVEY_FACTOR = re.compile(r"^(?:f([1-5])|c([1-5])_\d+)$")


# -- the pure core ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierFacts:
    """What the system knows of one dossier."""

    timeliness: str  # early | on_time | late | within | overdue | closed
    internal_timeliness: str | None = None  # the same, against the internal time; None: none
    supplement_count: int = 0
    channel: str = "direct"  # direct | online | post
    delivery: str = "counter"  # counter | post | electronic (as returned, once returned)
    on_the_spot: bool = False  # the procedure promises "4 tại chỗ"
    returned: bool = False
    # A "4 tại chỗ" dossier resolved and returned on the day of receipt (the next working day
    # after the cut-off); False for the other procedures, which do not promise it.
    spot_met: bool = False
    published: bool = True  # the procedure is in the published catalog


@dataclass(frozen=True)
class CitizenVoice:
    """What the citizen said about the visit(s) of a dossier (rating pad and survey)."""

    score: str | None = None  # the worst answered rating: very_satisfied | satisfied | unsatisfied
    reasons: frozenset[str] = frozenset()
    visits: str | None = None  # "0" | "1" | "more"
    official: tuple[int, ...] = ()  # answers about the official (f3, c3_1..c3_6)
    publicity: tuple[int, ...] = ()  # answers about publicity (c2_1, c2_2; else f2)

    @property
    def complaint(self) -> bool:
        about_attitude = self.score == RatingScore.UNSATISFIED and "attitude" in self.reasons
        return about_attitude or any(a <= COMPLAINT_ANSWER for a in self.official)

    @property
    def contacts(self) -> int | None:
        """Extra contacts the citizen reports, or None when they said nothing about it."""
        said = [VISITS[self.visits]] if self.visits in VISITS else []
        if "came_back" in self.reasons:
            said.append(1)
        return max(said) if said else None


SILENT = CitizenVoice()  # a visit with no rating and no survey


@dataclass(frozen=True)
class OfficeFacts:
    """Period-level facts: the share of dossiers received online, and how those fared."""

    dossiers: int = 0
    online: int = 0
    online_late: int = 0
    catalog_online: bool = False  # the published catalog is served at a public address

    @property
    def online_share(self) -> float | None:
        return self.online / self.dossiers if self.dossiers else None


@dataclass(frozen=True)
class Criterion:
    number: int
    code: str
    points: int | None  # 0, 1, 2, or None: not scored (the reason says why)
    source: str  # system | citizen | system+citizen
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "name": CRITERIA[self.number][1]}


def _criterion(number: int, points: int | None, source: str, reason: str) -> Criterion:
    return Criterion(number, CRITERIA[number][0], points, source, reason)


TIME_LADDER = {"early": 2, "on_time": 1, "late": 0, "overdue": 0}
TIME_WORDS = {
    "early": "resolved before its appointment",
    "on_time": "resolved on the day of its appointment",
    "late": "resolved after its appointment (or after a second supplement request)",
    "overdue": "still open and past its appointment, so it can only finish late",
    "within": "still open and within time: judged when resolved",
    "closed": "refused, stopped or withdrawn: there is no result to time",
}


def _total_time(facts: DossierFacts, _voice: CitizenVoice, _office: OfficeFacts) -> Criterion:
    points = TIME_LADDER.get(facts.timeliness)
    return _criterion(1, points, "system", f"The dossier was {TIME_WORDS[facts.timeliness]}.")


def _unit_time(facts: DossierFacts, voice: CitizenVoice, office: OfficeFacts) -> Criterion:
    if facts.internal_timeliness is None:
        same = _total_time(facts, voice, office)
        reason = "The one-stop is the only unit on record and the procedure publishes no "
        return _criterion(2, same.points, "system", reason + "internal time: as criterion 1.")
    words = TIME_WORDS[facts.internal_timeliness].replace("appointment", "internal target")
    points = TIME_LADDER.get(facts.internal_timeliness)
    return _criterion(2, points, "system", f"Against the office's internal time it was {words}.")


VISIT_WORDS = {0: "no extra contact", 1: "one extra contact", 2: "more than one"}


def _contacts(facts: DossierFacts, voice: CitizenVoice, _office: OfficeFacts) -> Criterion:
    said = voice.contacts
    count = min(max(facts.supplement_count, said or 0), 2)
    reason = f"{facts.supplement_count} supplement request(s) on record"
    if said is not None:
        reason += f", the citizen reports {VISIT_WORDS[said]}"
    source = "system" if said is None else "system+citizen"
    return _criterion(3, 2 - count, source, f"{reason}: {VISIT_WORDS[count]}.")


def _bodies(facts: DossierFacts, voice: CitizenVoice, _office: OfficeFacts) -> Criterion:
    heard = "system+citizen" if voice.reasons or voice.visits is not None else "system"
    if "extra_papers" in voice.reasons:
        reason = (
            "The citizen was asked for papers beyond the published list, taken as another body."
        )
        return _criterion(4, 0, "system+citizen", reason)
    remote = facts.channel in ("online", "post") and facts.delivery in ("electronic", "post")
    if remote and max(facts.supplement_count, voice.contacts or 0) == 0:
        reason = f"Submitted {facts.channel}, result sent {facts.delivery}: no body visited."
        return _criterion(4, 2, heard, reason)
    return _criterion(4, 1, heard, "Only the one-stop was contacted; no other body is on record.")


def _one_stop(facts: DossierFacts, _voice: CitizenVoice, _office: OfficeFacts) -> Criterion:
    if not facts.returned:
        return _criterion(5, None, "system", "The result has not been returned yet.")
    if facts.on_the_spot and facts.spot_met:
        reason = "A '4 tại chỗ' procedure received, resolved and returned on the spot."
        return _criterion(5, 2, "system", reason)
    reason = (
        "A '4 tại chỗ' procedure, received and returned here but not on the spot."
        if facts.on_the_spot
        else "Received and returned at the one-stop; the procedure is not handled on the spot."
    )
    return _criterion(5, 1, "system", reason)


def _publicity(facts: DossierFacts, voice: CitizenVoice, office: OfficeFacts) -> Criterion:
    places = ["on site", *(["online"] if office.catalog_online else [])] if facts.published else []
    points = len(places)
    reason = f"Posted {' and '.join(places)}" if places else "Not in the published catalog now"
    if not voice.publicity:
        return _criterion(6, points, "system", reason + ".")
    if min(voice.publicity) < SATISFIED_ANSWER:
        points = max(points - 1, 0)
        return _criterion(6, points, "system+citizen", reason + "; the citizen disagreed.")
    return _criterion(6, points, "system+citizen", reason + "; the citizen agreed.")


def _attitude(facts: DossierFacts, voice: CitizenVoice, _office: OfficeFacts) -> Criterion:
    heard = bool(voice.score or voice.official)
    if voice.complaint:
        return _criterion(7, 0, "citizen", "The citizen complained about the official.")
    source = "system+citizen" if heard else "system"
    none = "no complaint" if heard else "no complaint on record"
    points = TIME_LADDER.get(facts.timeliness)
    if points is None:
        return _criterion(7, None, source, f"{none.capitalize()}, but the time is not known yet.")
    time_word = {2: "faster than the time limit", 1: "on time", 0: "late"}[points]
    return _criterion(7, points, source, f"Resolved {time_word}, {none}.")


NO_PAKN_REGISTER = "The system keeps no register of feedback and complaints (PAKN) to judge."


def _feedback(_facts: DossierFacts, _voice: CitizenVoice, _office: OfficeFacts) -> Criterion:
    return _criterion(8, None, "system", NO_PAKN_REGISTER)


def _online(_facts: DossierFacts, _voice: CitizenVoice, office: OfficeFacts) -> Criterion:
    share = office.online_share
    if share is None:
        return _criterion(9, None, "system", "No dossier was received in the period.")
    clean = office.online_late == 0
    points = 2 if share >= ONLINE_FULL and clean else 1 if share >= ONLINE_PART and clean else 0
    reason = (
        f"{share:.0%} of the period's dossiers online, {office.online_late} of them late; "
        "the share of procedures offered online is not in the catalog."
    )
    return _criterion(9, points, "system", reason)


RULES = (
    _total_time,
    _unit_time,
    _contacts,
    _bodies,
    _one_stop,
    _publicity,
    _attitude,
    _feedback,
    _online,
)


def score_dossier(facts: DossierFacts, voice: CitizenVoice, office: OfficeFacts) -> list[Criterion]:
    """The nine criteria of one dossier, in order."""
    return [rule(facts, voice, office) for rule in RULES]


def classify(total: float) -> str:
    """The class of a total out of 18: xuat_sac ≥15, tot ≥12, kha ≥9, trung_binh ≥6, else yeu."""
    return next(name for name, lowest in CLASSES if total >= lowest)


@dataclass(frozen=True)
class Total:
    raw: int  # the points of the scored criteria
    max: int  # their maximum
    scaled: float | None  # raw scaled to 18
    classification: str | None  # None until the time outcome (criterion 1) is known


def total_of(criteria: Sequence[Criterion]) -> Total:
    scored = [c.points for c in criteria if c.points is not None]
    raw, most = sum(scored), 2 * len(scored)
    scaled = raw * MAX_POINTS / most if most else None
    timed = any(c.number == 1 and c.points is not None for c in criteria)
    return Total(raw, most, scaled, classify(scaled) if timed and scaled is not None else None)


# -- from the database ------------------------------------------------------------------------


def _scale(value: Any) -> int | None:
    """A five-level answer, or None for anything else (unanswered, text, a stray bool)."""
    is_scale = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5
    return value if is_scale else None


def voice_of(ratings: Iterable[Any], surveys: Iterable[Any]) -> CitizenVoice:
    """One voice from a visit's rating(s) and survey(s) (anything with a rating's ``score`` and
    ``reasons``, a survey's ``form`` and ``answers``): the worst answered score counts."""
    ratings, surveys = list(ratings), list(surveys)
    if not surveys and len(ratings) <= 1:  # most visits: one rating, or nothing said
        if not ratings:
            return SILENT
        (only,) = ratings
        worst = only.score if only.score in _WORST_FIRST else None
        return CitizenVoice(worst, frozenset(only.reasons or ()))
    scores = {r.score for r in ratings}
    score = next((s for s in _WORST_FIRST if s in scores), None)
    reasons = frozenset(reason for r in ratings if r.reasons for reason in r.reasons)
    if not surveys:
        return CitizenVoice(score, reasons)
    visits = max(
        (str(s.answers["visits"]) for s in surveys if s.answers.get("visits") in VISITS),
        key=lambda v: VISITS[v],
        default=None,
    )
    official = [a for s in surveys for a in answers_about(s.form, s.answers, "official")]
    publicity = [a for s in surveys for a in answers_about(s.form, s.answers, "publicity")]
    return CitizenVoice(score, reasons, visits, tuple(official), tuple(publicity))


def answers_about(form: str, answers: dict[str, Any], subject: str) -> list[int]:
    """A survey's five-level answers about the ``official`` (short f3, full c3_1..c3_6) or the
    procedure's ``publicity`` (short f2, full c2_1 and c2_2)."""
    full = form == "full"
    if subject == "official":
        keys = [f"c3_{i}" for i in range(1, 7)] if full else ["f3"]
    else:
        keys = ["c2_1", "c2_2"] if full else ["f2"]
    return [a for k in keys if (a := _scale(answers.get(k))) is not None]


def complains(form: str, answers: dict[str, Any]) -> bool:
    """Whether a survey answer complains about the official (an answer of 2 or less)."""
    return any(a <= COMPLAINT_ANSWER for a in answers_about(form, answers, "official"))


def _internal_timeliness(
    calendar: OfficeCalendar, dossier: DossierRowLike, paused: float, period_end: datetime
) -> str | None:
    """Timeliness against the internal time (None without one), judged like the legal one."""
    due = dossiers.internal_due(dossier, calendar, paused)
    if due is None:
        return None
    return dossiers.timeliness_of(calendar, dossier, period_end=period_end, against=due)


def spot_met(calendar: OfficeCalendar, dossier: DossierTimesLike) -> bool:
    """Returned by the end of the day of receipt (the next working day after the cut-off)."""
    if dossier.returned_at is None or dossier.resolved_at is None:
        return False
    cutoff = dossier.rule.get("same_day_cutoff") or SAME_DAY_CUTOFF
    spot_due = calendar.due_at(dossier.received_at, Rule(None, "same_day", cutoff))
    assert spot_due is not None
    return calendar.local(dossier.returned_at).date() <= spot_due.date()


def facts_of(
    session: Session,
    dossier: DossierRowLike,
    calendar: OfficeCalendar,
    *,
    period_end: datetime,
    paused_hours: float = 0.0,
    published: bool | None = None,
) -> DossierFacts:
    """What the system knows of ``dossier``, an open one judged as it stood at ``period_end``;
    ``paused_hours`` is the working time it waited for the citizen's supplements; ``published``
    whether its procedure is in the catalogue (looked up when not given)."""
    legal = dossiers.timeliness_of(calendar, dossier, period_end=period_end)
    if published is None:
        procedure = session.get(Procedure, dossier.procedure_id)
        published = procedure is not None and procedure.is_active
    on_the_spot = bool(dossier.rule.get("on_the_spot"))
    return DossierFacts(
        timeliness=legal,
        internal_timeliness=_internal_timeliness(calendar, dossier, paused_hours, period_end),
        supplement_count=dossier.supplement_count,
        channel=dossier.channel,
        delivery=dossier.delivery,
        on_the_spot=on_the_spot,
        returned=dossier.returned_at is not None,
        spot_met=on_the_spot and spot_met(calendar, dossier),
        published=published,
    )


def _voices(session: Session, rows: Sequence[DossierRowLike]) -> dict[int, CitizenVoice]:
    """Each dossier's voice: ratings and surveys of any leg of its visit, or of the dossier."""
    visits = queries.visits_of(session, {d.ticket_id for d in rows if d.ticket_id})
    owners: dict[int, list[int]] = defaultdict(list)  # leg → the dossiers whose visit it is
    for d in rows:
        for leg in visits[d.ticket_id] if d.ticket_id else ():
            owners[leg].append(d.id)
    ids = {d.id for d in rows}

    def about(kind: Any) -> dict[int, list[Any]]:
        """Per dossier, the rows about it or its visit's legs: each once, in id order (the
        order ``feedback_of`` gives them in)."""
        mine: dict[int, list[Any]] = defaultdict(list)
        for row in queries.feedback_of(session, kind, set(owners), ids):
            concerned = set(owners.get(row.ticket_id, ()))
            if row.dossier_id in ids:
                concerned.add(row.dossier_id)
            for dossier_id in concerned:
                mine[dossier_id].append(row)
        return mine

    ratings, surveys = about(Rating), about(SurveyResponse)
    voices = dict.fromkeys((d.id for d in rows), SILENT)
    for dossier_id in ratings.keys() | surveys.keys():
        voices[dossier_id] = voice_of(ratings.get(dossier_id, ()), surveys.get(dossier_id, ()))
    return voices


def catalog_is_online(public_url: str) -> bool:
    """Whether the catalog's address can be reached from outside the office (not a loopback,
    private or link-local address, nor ``localhost``/``*.local``)."""
    host = (urlparse(public_url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith((".local", ".localhost")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a domain name
    return not (address.is_private or address.is_loopback or address.is_link_local)


def office_facts(outcomes: Iterable[tuple[str, str]], *, catalog_online: bool) -> OfficeFacts:
    """From each dossier's (channel, timeliness) in the period."""
    outcomes = list(outcomes)
    online = [t for channel, t in outcomes if channel == "online"]
    late = sum(t in ("late", "overdue") for t in online)
    return OfficeFacts(len(outcomes), len(online), late, catalog_online)


def _period_end(calendar: OfficeCalendar, end: date) -> datetime:
    """The end of the ``end`` day, or now for a period still running (never judged ahead)."""
    return min(clock.now(), as_utc(datetime.combine(end, time.max, calendar.zone)))


Scoring = tuple[list[Criterion], Total]  # a dossier's nine criteria and their total


def _facts(
    session: Session,
    rows: Sequence[DossierRowLike],
    calendar: OfficeCalendar,
    period_end: datetime,
) -> list[DossierFacts]:
    paused = queries.paused_hours_of(session, {d.id for d in rows if d.supplement_count})
    active = queries.active_procedures(session, {d.procedure_id for d in rows})
    return [
        facts_of(
            session,
            d,
            calendar,
            period_end=period_end,
            paused_hours=paused.get(d.id, 0.0),
            published=d.procedure_id in active,
        )
        for d in rows
    ]


def _evaluate(
    session: Session,
    rows: Sequence[DossierRowLike],
    facts: Sequence[DossierFacts],
    office: OfficeFacts,
) -> list[Scoring]:
    """Each dossier's scoring. The scores are a function of the facts and the voice, and a
    period's dossiers share a few hundred combinations of them: each is scored once, and the
    dossiers that share one share the same tuple."""
    voices = _voices(session, rows)
    scored: dict[tuple[DossierFacts, CitizenVoice], Scoring] = {}
    evaluations = []
    for dossier, known in zip(rows, facts, strict=True):
        key = (known, voices[dossier.id])
        found = scored.get(key)
        if found is None:
            criteria = score_dossier(known, key[1], office)
            found = scored[key] = (criteria, total_of(criteria))
        evaluations.append(found)
    return evaluations


def _quarter(day: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter of ``day``."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    month = first.month + 3
    after = date(first.year + (month > 12), (month - 1) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def _total_dict(total: Total) -> dict[str, Any]:
    scaled = None if total.scaled is None else round(total.scaled, 2)
    return {
        "total": total.raw,
        "max": total.max,
        "scaled_total": scaled,
        "classification": total.classification,
    }


def evaluate_dossier(
    session: Session, dossier: Dossier, calendar: OfficeCalendar, *, public_url: str = ""
) -> dict[str, Any]:
    """One dossier's nine criteria, judged now; criterion 9 from the quarter of its receipt."""
    now = clock.now()
    start, end = _quarter(calendar.local(dossier.received_at).date())
    quarter = queries.dossiers_received_between(
        session, dossier.office_id, *calendar.days_between(start, end)
    )
    office = office_facts(
        ((d.channel, dossiers.timeliness_of(calendar, d, period_end=now)) for d in quarter),
        catalog_online=catalog_is_online(public_url),
    )
    facts = _facts(session, [dossier], calendar, now)
    ((criteria, total),) = _evaluate(session, [dossier], facts, office)
    return {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure_code, "name": dossier.procedure_name},
        "state": dossier.state.value,
        "criteria": [c.as_dict() for c in criteria],
        **_total_dict(total),
        "online_period": {"from": start.isoformat(), "to": end.isoformat()},
    }


def parse_day(text: str | None, name: str) -> date:
    if not text:
        raise InvalidInput(f"'{name}' is required (YYYY-MM-DD)", code="missing_field")
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007  (a day, not a moment)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date, YYYY-MM-DD", code="invalid_field") from None
    if not clock.FIRST_YEAR <= day.year <= clock.LAST_YEAR:
        raise InvalidInput(
            f"'{name}' must fall in the years {clock.FIRST_YEAR}–{clock.LAST_YEAR}",
            code="invalid_field",
        )
    return day


def check_period(start: date, end: date) -> None:
    """A period runs forwards and spans at most ``MAX_PERIOD_DAYS`` days (a year and a bit:
    one evaluation reads every dossier of the period)."""
    if start > end:
        raise InvalidInput("'from' must not be after 'to'", code="invalid_field")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"a period spans at most {MAX_PERIOD_DAYS} days", code="invalid_field")


def _mean(weighted: Iterable[tuple[Fraction | int, int]]) -> float | None:
    """The mean of values given with how many times each occurs, rounded to 2 places; exact
    (in fractions), so it does not depend on the order the values come in."""
    total, count = Fraction(0), 0
    for value, times in weighted:
        total += value * times
        count += times
    return round(float(total / count), 2) if count else None


def percent(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _totals(weighted: Sequence[tuple[Total, int]]) -> dict[str, Any]:
    """The totals of dossiers, each distinct total given with how many dossiers had it."""
    judged = [(t, n) for t, n in weighted if t.classification is not None]  # so t.max > 0
    return {
        "dossiers": sum(n for _, n in weighted),
        "classified": sum(n for _, n in judged),
        "average_total": _mean((t.raw, n) for t, n in judged),
        # raw scaled to 18 as a fraction: the float of total_of, without its rounding
        "average_scaled_total": _mean((Fraction(t.raw * MAX_POINTS, t.max), n) for t, n in judged),
    }


def rating_rate(scores: Sequence[str]) -> dict[str, Any]:
    """Ratings, answered ones, satisfied or better, and their share, from the ratings' scores
    (a pad that timed out is no answer)."""
    answered = [s for s in scores if s != RatingScore.NO_ANSWER]
    satisfied = sum(s in SATISFIED_SCORES for s in answered)
    return {
        "ratings": len(scores),
        "answered": len(answered),
        "satisfied": satisfied,
        "percent": percent(satisfied, len(answered)),
    }


def survey_index(responses: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per SIPAS factor, the share of 4–5 answers (short f<n>, full c<n>_*: factor n), over
    each response's answers."""
    answers: Tally[str] = Tally()
    satisfied: Tally[str] = Tally()
    for given in responses:
        for key, value in given.items():
            found, answer = SURVEY_FACTOR.match(key), _scale(value)
            if found and answer is not None:
                factor = found.group(1) or found.group(2)
                answers[factor] += 1
                satisfied[factor] += answer >= SATISFIED_ANSWER
    return {
        "responses": len(responses),
        "factors": {
            str(n): {
                "answers": answers[str(n)],
                "satisfied": satisfied[str(n)],
                "percent": percent(satisfied[str(n)], answers[str(n)]),
            }
            for n in range(1, 6)
        },
    }


@plainrows.collector_paused()
def evaluate_period(
    session: Session,
    office: Office,
    start: date,
    end: date,
    cfg: dict[str, Any],
    received: Sequence[DossierRowLike] | None = None,
    *,
    people: bool = True,
) -> dict[str, Any]:
    """The evaluation of the dossiers received from ``start`` to ``end`` (local days), with the
    ratings and surveys of the visits served in those days. ``received``: those dossiers,
    oldest first, when the caller has read them already (a report's frame); without
    ``people``, not the figures per officer nor the period's ratings and surveys (the
    satisfaction report counts those itself)."""
    check_period(start, end)
    calendar = workcalendar.calendar_for(session, office, cfg)
    lo, hi = calendar.days_between(start, end)
    period_end = _period_end(calendar, end)
    rows = (
        received
        if received is not None
        else queries.dossiers_received_between(session, office.id, lo, hi)
    )
    facts = _facts(session, rows, calendar, period_end)
    online = office_facts(
        ((f.channel, f.timeliness) for f in facts),
        catalog_online=catalog_is_online(cfg["office"]["public_url"]),
    )
    evaluations = _evaluate(session, rows, facts, online)

    # The dossiers share a few hundred distinct scorings (_evaluate scores each once): the
    # figures are counted over those, each with how many dossiers (of each officer) had it.
    scorings: dict[int, Scoring] = {}
    counted: Tally[tuple[int, int | None]] = Tally()
    for dossier, scoring in zip(rows, evaluations, strict=True):
        scorings.setdefault(id(scoring), scoring)
        counted[id(scoring), dossier.received_by] += 1
    times: Tally[int] = Tally()
    by_officer: dict[int | None, list[tuple[Total, int]]] = defaultdict(list)
    for (kind, officer_id), n in counted.items():
        times[kind] += n
        by_officer[officer_id].append((scorings[kind][1], n))
    criteria = []
    for number, (code, name) in CRITERIA.items():
        points: Tally[int] = Tally()
        for kind, n in times.items():
            given = scorings[kind][0][number - 1].points
            if given is not None:
                points[given] += n
        criteria.append(
            {
                "number": number,
                "code": code,
                "name": name,
                "average": _mean(points.items()),
                "scored": points.total(),
                "points": {str(p): points[p] for p in (2, 1, 0)},
                **({"note": NO_PAKN_REGISTER} if number == 8 else {}),
            }
        )
    classes: Tally[str] = Tally()
    for kind, n in times.items():
        classes[scorings[kind][1].classification or UNCLASSIFIED] += n
    result = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        **_totals([(scorings[kind][1], n) for kind, n in times.items()]),
        "criteria": criteria,
        "classification": {
            **{name: classes[name] for name, _ in CLASSES},
            UNCLASSIFIED: classes[UNCLASSIFIED],
        },
        "online": {
            "dossiers": online.dossiers,
            "online": online.online,
            "online_late": online.online_late,
            "percent": percent(online.online, online.dossiers),
            "catalog_online": online.catalog_online,
        },
    }
    if not people:
        return result
    ratings = queries.rating_scores_between(session, office.id, lo, hi, "officer_id")
    surveys = queries.feedback_served_between(session, SurveyResponse, office.id, lo, hi)
    scores: dict[int | None, list[str]] = defaultdict(list)
    for (officer_id, score), n in ratings.items():
        scores[officer_id].extend([score] * n)
    officers = []
    for officer_id in sorted(i for i in by_officer.keys() | scores.keys() if i is not None):
        officer = session.get(Officer, officer_id)
        officers.append(
            {
                "officer_id": officer_id,
                "username": officer.username if officer else None,
                "full_name": officer.full_name if officer else None,
                **_totals(by_officer.get(officer_id, [])),
                "rating": rating_rate(scores.get(officer_id, [])),
            }
        )
    return result | {
        "officers": officers,
        "rating": rating_rate([score for given in scores.values() for score in given]),
        "survey": survey_index([s.answers for s in surveys]),
    }


def render_table(result: dict[str, Any]) -> str:
    """A period result as a compact text table (the CLI's human output)."""
    lines = [f"Evaluation {result['from']} – {result['to']}: {result['dossiers']} dossier(s)"]
    lines.append(f"{'#':>2}  {'criterion':<48} {'average':>7} {'scored':>6}")
    lines.extend(
        f"{c['number']:>2}  {c['name']:<48} {_shown(c['average']):>7} {c['scored']:>6}"
        for c in result["criteria"]
    )
    lines.append(
        f"average total {_shown(result['average_total'])}, scaled to 18 "
        f"{_shown(result['average_scaled_total'])}, over {result['classified']} classified"
    )
    lines.append(", ".join(f"{name} {count}" for name, count in result["classification"].items()))
    lines.append(f"satisfied ratings: {_shown(result['rating']['percent'], '%')}")
    return "\n".join(lines)


def _shown(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:g}{unit}"

"""The citizens' satisfaction and the officer sheet for a period.

**Satisfaction**: the ratings of the visits served in the period (very satisfied, satisfied,
unsatisfied, no answer), with the satisfaction rate (satisfied or better ÷ answered) by
officer, counter, service and week; the SIPAS factor indices of the survey answers; and the
nine-criterion evaluation's summary of the dossiers received in the period
(:func:`onestop.evaluation.evaluate_period`, reused as it is, without its per-officer
figures).

**The officer sheet** (the facts behind the yearly rating, DOMAIN §3), per officer: ticket legs
served and their mean service time; dossiers received, and of those resolved in the period how
many on time; dossiers whose result the officer recorded; the satisfaction rate of the
officer's ratings; complaints (a rating "unsatisfied" for the officer's attitude, or a survey
answer of 2 or less about the official); apologies (a new date given, for a dossier the officer
received).
"""

from __future__ import annotations

from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from onestop import evaluation
from onestop.evaluation import percent, rating_rate
from onestop.models import Office, RatingScore
from onestop.reports import queries
from onestop.reports.frame import RESOLVED, Frame
from onestop.reports.periods import period_of
from onestop.reports.queries import Unhappy
from onestop.reports.queue_report import stats

SCORES = [s.value for s in RatingScore]


def _distribution(scores: Iterable[str]) -> dict[str, int]:
    found = dict.fromkeys(SCORES, 0)
    for score in scores:
        found[score] = found.get(score, 0) + 1
    return found


def _by(scores: dict[Any, list[str]], names: dict[Any, str]) -> list[dict[str, Any]]:
    """Per value (officer, counter, …), its ratings' rate and distribution; the ratings
    without one are left out."""
    return [
        {
            "key": value,
            "name": names.get(value, str(value)),
            **rating_rate(given),
            "scores": _distribution(given),
        }
        for value, given in sorted(scores.items(), key=lambda kv: str(kv[0]))
        if value is not None
    ]


def _weekly(frame: Frame) -> dict[str, list[str]]:
    """The ratings' scores per local week (the database counts them per quarter hour, the
    step at which a zone's offset can change)."""
    weeks: dict[str, list[str]] = {}
    labels: dict[Any, str] = {}
    (per_quarter,) = frame.scores_by("quarter_hour")
    for quarter, given in per_quarter.items():
        day = frame.calendar.local(datetime.fromtimestamp(quarter * 900, UTC)).date()
        if day not in labels:
            labels[day] = period_of("week", day).label
        weeks.setdefault(labels[day], []).extend(given)
    return weeks


def _attitude(rating: Unhappy) -> bool:
    return rating.score == RatingScore.UNSATISFIED.value and "attitude" in (rating.reasons or [])


def satisfaction(
    session: Session, office_id: int, frame: Frame, cfg: dict[str, Any]
) -> dict[str, Any]:
    names = queries.names(session, office_id)
    by_officer, by_counter, by_service = frame.scores_by("officer_id", "counter_id", "service_id")
    scores = [score for given in by_officer.values() for score in given]
    surveys = queries.surveys_between(session, office_id, frame.start, frame.end)
    office = session.get(Office, office_id)
    assert office is not None
    evaluated = evaluation.evaluate_period(
        session, office, frame.period.start, frame.period.end, cfg, frame.received, people=False
    )
    return {
        **rating_rate(scores),
        "scores": _distribution(scores),
        "complaints": sum(_attitude(r) for r in frame.unhappy)
        + sum(evaluation.complains(form, answers) for _, _, form, answers in surveys),
        "by_officer": _by(by_officer, names["officer"]),
        "by_counter": _by(by_counter, names["counter"]),
        "by_service": _by(by_service, names["service"]),
        "by_week": _by(_weekly(frame), {}),
        "survey": evaluation.survey_index([answers for _, _, _, answers in surveys]),
        "evaluation": {
            key: evaluated[key]
            for key in ("dossiers", "classified", "average_total", "average_scaled_total")
        }
        | {"criteria": evaluated["criteria"], "classification": evaluated["classification"]},
    }


def _by_officer(items: Iterable[Any], officer: Callable[[Any], int | None]) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        grouped[officer(item)].append(item)
    return grouped


def officers(session: Session, office_id: int, frame: Frame) -> dict[str, Any]:
    names = queries.names(session, office_id)["officer"]
    surveys = _by_officer(
        queries.surveys_between(session, office_id, frame.start, frame.end), lambda s: s[0]
    )
    received_by = {j.row.id: j.row.received_by for j in frame.dossiers}
    legs = queries.officer_legs_between(session, office_id, frame.period.start, frame.period.end)
    served = _by_officer((leg for leg in legs if leg[1]), lambda leg: leg[0])
    received = _by_officer((j for j in frame.dossiers if j.received), lambda j: j.row.received_by)
    (scores,) = frame.scores_by("officer_id")
    unhappy = _by_officer(frame.unhappy, lambda r: r.officer_id)
    resolvers = Tally(o for _, a, _, o in frame.steps if a == "resolve")
    apologies = Tally(received_by.get(d) for d, a, _, _ in frame.steps if a == "extend")
    ids = {leg[0] for leg in legs} | received.keys() | scores.keys() | resolvers.keys()
    sheet = []
    for officer_id in sorted(i for i in ids if i is not None):
        service = [leg[2] for leg in served[officer_id] if leg[2] is not None]
        mine = received[officer_id]
        resolved = [j for j in mine if j.outcome in RESOLVED]
        on_time = sum(j.outcome in ("early", "on_time") for j in resolved)
        complaints = sum(_attitude(r) for r in unhappy[officer_id]) + sum(
            evaluation.complains(form, answers) for _, _, form, answers in surveys[officer_id]
        )
        sheet.append(
            {
                "officer_id": officer_id,
                "name": names.get(officer_id, str(officer_id)),
                "tickets_served": len(served[officer_id]),
                "service_minutes": stats(service)["mean"],
                "dossiers_received": len(mine),
                "dossiers_resolved": resolvers[officer_id],
                "received_resolved": len(resolved),
                "on_time": on_time,
                "on_time_percent": percent(on_time, len(resolved)),
                "satisfaction": rating_rate(scores.get(officer_id, [])),
                "complaints": complaints,
                "apologies": apologies[officer_id],
            }
        )
    return {"officers": sheet}

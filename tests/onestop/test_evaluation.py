"""The nine-criterion evaluation (DOMAIN §3.1): each rule's branches on constructed facts, the
classification boundaries and the scaling when criteria cannot be scored, then the database
path on a week of dossiers made through the API, with ratings and surveys of their visits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from onestop import auth, dossiers, workcalendar
from onestop.db import db
from onestop.errors import InvalidInput
from onestop.evaluation import (
    CitizenVoice,
    Criterion,
    DossierFacts,
    OfficeFacts,
    catalog_is_online,
    check_period,
    classify,
    evaluate_dossier,
    evaluate_period,
    parse_day,
    score_dossier,
    total_of,
    voice_of,
)
from onestop.models import Dossier, Procedure, Rating, SurveyResponse, Ticket
from tests.counter.test_dossier_api import act, receive
from tests.helpers import LONG_SESSIONS, SAME_DAY, THREE_DAYS, local, login

OFFICE = OfficeFacts(dossiers=10, online=3, online_late=0, catalog_online=True)


def points(
    facts: DossierFacts, voice: CitizenVoice | None = None, office: OfficeFacts = OFFICE
) -> list[int | None]:
    return [c.points for c in score_dossier(facts, voice or CitizenVoice(), office)]


def criterion(
    number: int,
    facts: DossierFacts,
    voice: CitizenVoice | None = None,
    office: OfficeFacts = OFFICE,
) -> Criterion:
    found = score_dossier(facts, voice or CitizenVoice(), office)[number - 1]
    assert found.number == number
    assert found.reason.endswith(".")
    return found


# -- the pure core ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeliness", "expected"),
    [("early", 2), ("on_time", 1), ("late", 0), ("overdue", 0), ("within", None), ("closed", None)],
)
def test_total_time_follows_timeliness(timeliness: str, expected: int | None) -> None:
    found = criterion(1, DossierFacts(timeliness))
    assert (found.points, found.code, found.source) == (expected, "total_time", "system")


@pytest.mark.parametrize(
    ("legal", "internal", "expected"),
    [
        ("on_time", None, 1),  # no internal time: as criterion 1
        ("early", None, 2),
        ("within", None, None),
        ("on_time", "early", 2),
        ("early", "on_time", 1),
        ("early", "late", 0),
        ("within", "overdue", 0),
        ("within", "within", None),
    ],
)
def test_unit_time_uses_the_internal_time_when_published(
    legal: str, internal: str | None, expected: int | None
) -> None:
    found = criterion(2, DossierFacts(legal, internal_timeliness=internal))
    assert found.points == expected
    assert ("criterion 1" in found.reason) == (internal is None)


@pytest.mark.parametrize(
    ("supplements", "visits", "reasons", "expected", "source"),
    [
        (0, None, (), 2, "system"),
        (1, None, (), 1, "system"),
        (2, None, (), 0, "system"),
        (0, "0", (), 2, "system+citizen"),
        (0, "1", (), 1, "system+citizen"),
        (0, "more", (), 0, "system+citizen"),
        (1, "0", (), 1, "system+citizen"),  # the larger of the two counts
        (0, None, ("came_back",), 1, "system+citizen"),
        (0, "more", ("came_back",), 0, "system+citizen"),
    ],
)
def test_contacts_take_the_larger_of_supplements_and_the_citizens_answer(
    supplements: int, visits: str | None, reasons: tuple[str, ...], expected: int, source: str
) -> None:
    voice = CitizenVoice(visits=visits, reasons=frozenset(reasons))
    found = criterion(3, DossierFacts("early", supplement_count=supplements), voice)
    assert (found.points, found.source) == (expected, source)


@pytest.mark.parametrize(
    ("channel", "delivery", "supplements", "voice", "expected"),
    [
        ("online", "electronic", 0, CitizenVoice(), 2),
        ("post", "post", 0, CitizenVoice(), 2),
        ("online", "counter", 0, CitizenVoice(), 1),  # came for the result
        ("direct", "electronic", 0, CitizenVoice(), 1),
        ("online", "electronic", 1, CitizenVoice(), 1),
        ("online", "electronic", 0, CitizenVoice(visits="1"), 1),
        ("direct", "counter", 0, CitizenVoice(reasons=frozenset({"extra_papers"})), 0),
        ("online", "electronic", 0, CitizenVoice(reasons=frozenset({"extra_papers"})), 0),
    ],
)
def test_bodies_contacted(
    channel: str, delivery: str, supplements: int, voice: CitizenVoice, expected: int
) -> None:
    facts = DossierFacts("early", channel=channel, delivery=delivery, supplement_count=supplements)
    assert criterion(4, facts, voice).points == expected


@pytest.mark.parametrize(
    ("on_the_spot", "returned", "spot_met", "expected"),
    [
        (True, True, True, 2),
        (True, True, False, 1),
        (False, True, False, 1),
        (False, True, True, 1),  # fast, but the procedure does not promise "4 tại chỗ"
        (True, False, False, None),
        (False, False, False, None),
    ],
)
def test_one_stop_and_four_on_the_spot(
    on_the_spot: bool, returned: bool, spot_met: bool, expected: int | None
) -> None:
    facts = DossierFacts("on_time", on_the_spot=on_the_spot, returned=returned, spot_met=spot_met)
    assert criterion(5, facts).points == expected


@pytest.mark.parametrize(
    ("published", "online", "answers", "expected", "source"),
    [
        (True, True, (), 2, "system"),
        (True, False, (), 1, "system"),
        (False, True, (), 0, "system"),
        (True, True, (5, 4), 2, "system+citizen"),
        (True, True, (5, 3), 1, "system+citizen"),
        (True, False, (2,), 0, "system+citizen"),
        (False, False, (1,), 0, "system+citizen"),  # never below 0
    ],
)
def test_publicity(
    published: bool, online: bool, answers: tuple[int, ...], expected: int, source: str
) -> None:
    office = OfficeFacts(10, 3, 0, catalog_online=online)
    voice = CitizenVoice(publicity=answers)
    found = criterion(6, DossierFacts("early", published=published), voice, office)
    assert (found.points, found.source) == (expected, source)


@pytest.mark.parametrize(
    ("timeliness", "voice", "expected", "source"),
    [
        ("early", CitizenVoice(), 2, "system"),
        ("on_time", CitizenVoice(score="satisfied"), 1, "system+citizen"),
        ("late", CitizenVoice(), 0, "system"),  # the 1-point step needs "on time"
        ("within", CitizenVoice(), None, "system"),
        ("closed", CitizenVoice(), None, "system"),
        ("early", CitizenVoice("unsatisfied", frozenset({"attitude"})), 0, "citizen"),
        ("within", CitizenVoice("unsatisfied", frozenset({"attitude"})), 0, "citizen"),
        ("early", CitizenVoice("unsatisfied", frozenset({"waited_too_long"})), 2, "system+citizen"),
        ("early", CitizenVoice("satisfied", frozenset({"attitude"})), 2, "system+citizen"),
        ("early", CitizenVoice(official=(5, 2)), 0, "citizen"),
        ("early", CitizenVoice(official=(3, 3)), 2, "system+citizen"),
    ],
)
def test_attitude(timeliness: str, voice: CitizenVoice, expected: int | None, source: str) -> None:
    found = criterion(7, DossierFacts(timeliness), voice)
    assert (found.points, found.source) == (expected, source)


def test_feedback_handling_is_never_invented() -> None:
    for facts in (DossierFacts("early"), DossierFacts("late", supplement_count=3)):
        found = criterion(8, facts, CitizenVoice("unsatisfied", frozenset({"other"})))
        assert found.points is None
        assert "PAKN" in found.reason


@pytest.mark.parametrize(
    ("dossiers_", "online", "late", "expected"),
    [
        (10, 3, 0, 2),
        (10, 3, 1, 0),
        (100, 29, 0, 1),
        (100, 15, 0, 1),
        (100, 14, 0, 0),
        (100, 20, 1, 0),
        (0, 0, 0, None),
    ],
)
def test_online_services(dossiers_: int, online: int, late: int, expected: int | None) -> None:
    found = criterion(9, DossierFacts("early"), office=OfficeFacts(dossiers_, online, late))
    assert found.points == expected
    if expected is not None:
        assert "procedures offered online is not in the catalog" in found.reason


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (18, "xuat_sac"),
        (15, "xuat_sac"),  # Thanh Hóa's code leaves exactly 15 unclassified
        (14.99, "tot"),
        (12, "tot"),
        (11.99, "kha"),
        (9, "kha"),
        (8.99, "trung_binh"),
        (6, "trung_binh"),
        (5.99, "yeu"),
        (0, "yeu"),
    ],
)
def test_classification_boundaries(total: float, expected: str) -> None:
    assert classify(total) == expected


def test_totals_scale_to_eighteen_over_the_scored_criteria() -> None:
    every = score_dossier(
        DossierFacts("early", internal_timeliness="on_time", returned=True), CitizenVoice(), OFFICE
    )
    assert [c.points for c in every] == [2, 1, 2, 1, 1, 2, 2, None, 2]
    total = total_of(every)
    assert (total.raw, total.max, total.scaled, total.classification) == (13, 16, 14.625, "tot")
    # 10 of 12: exactly 15 once scaled, excellent, though 10 raw points would be "khá".
    ten = [Criterion(n, "x", p, "system", "r.") for n, p in enumerate([2, 2, 2, 1, 2, 1], 1)]
    ten += [Criterion(n, "x", None, "system", "r.") for n in (7, 8, 9)]
    assert (total_of(ten).scaled, total_of(ten).classification) == (15.0, "xuat_sac")
    # Without the time outcome (criterion 1) a dossier is not classified yet.
    open_ = score_dossier(DossierFacts("within"), CitizenVoice(), OFFICE)
    assert total_of(open_).classification is None
    assert total_of(open_).scaled is not None
    nothing = [Criterion(n, "x", None, "system", "r.") for n in range(1, 10)]
    assert total_of(nothing) == type(total_of(nothing))(0, 0, None, None)


def test_voice_of_a_visit_combines_ratings_and_surveys() -> None:
    ratings = [
        Rating(score="very_satisfied", reasons=[]),
        Rating(score="unsatisfied", reasons=["attitude", "came_back"]),
        Rating(score="no_answer", reasons=[]),
    ]
    surveys = [
        SurveyResponse(form="short", answers={"f2": 3, "f3": True, "visits": "1"}),
        SurveyResponse(
            form="full",
            answers={"c2_1": 5, "c2_2": "4", "c3_1": 4, "c3_6": 2, "c4_1": 1, "visits": "more"},
        ),
    ]
    voice = voice_of(ratings, surveys)
    assert voice.score == "unsatisfied"
    assert voice.reasons == {"attitude", "came_back"}
    assert voice.visits == "more"
    assert voice.contacts == 2
    assert sorted(voice.official) == [2, 4]
    assert sorted(voice.publicity) == [3, 5]
    assert voice.complaint
    quiet = voice_of([Rating(score="no_answer", reasons=[])], [])
    assert quiet == CitizenVoice()
    assert quiet.contacts is None
    assert not quiet.complaint


@pytest.mark.parametrize(
    ("url", "online"),
    [
        ("http://127.0.0.1:5000", False),
        ("http://localhost:5000", False),
        ("http://192.168.1.20", False),
        ("http://motcua.local", False),
        ("https://dichvucong.xademo.gov.vn", True),
        ("http://203.113.1.5", True),
        ("", False),
    ],
)
def test_catalog_online_only_at_a_public_address(url: str, online: bool) -> None:
    assert catalog_is_online(url) is online


def test_period_checks() -> None:
    assert parse_day("2026-11-30", "from") == date(2026, 11, 30)
    check_period(date(2026, 1, 1), date(2027, 2, 4))  # 400 days
    for bad in ("2026-13-01", "30/11/2026", "soon"):
        with pytest.raises(InvalidInput) as caught:
            parse_day(bad, "from")
        assert caught.value.code == "invalid_field"
    with pytest.raises(InvalidInput) as missing:
        parse_day(None, "to")
    assert missing.value.code == "missing_field"
    for start, end in (
        (date(2026, 12, 2), date(2026, 12, 1)),
        (date(2026, 1, 1), date(2027, 2, 5)),
    ):
        with pytest.raises(InvalidInput) as caught:
            check_period(start, end)
        assert caught.value.code == "invalid_field"


# -- the database path ------------------------------------------------------------------------


@pytest.fixture
def app(make_app: Any) -> Flask:
    """The week below moves the clock over days: keep the officers' tokens valid."""
    result: Flask = make_app(security=LONG_SESSIONS)
    return result


def ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.get_json()
    result: dict[str, Any] = answer.get_json()
    return result


def at(frozen: Any, when: str) -> None:
    frozen.set(local(when))


def _week(
    app: Flask, client: FlaskClient, staff: dict[str, str], kiosk: dict[str, str], frozen: Any
) -> dict[str, Any]:
    """Six dossiers received on Mon 30/11/2026 and handled during the week (a clean week)."""
    with db.new_session(app) as session:
        office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
        auth.create_officer(
            session, office, "canbo1", "a-long-password", "officer", full_name="Lan"
        )
        session.execute(
            Procedure.__table__.update()
            .where(Procedure.code == THREE_DAYS)
            .values(internal_time_value=2)
        )
        session.commit()
    officer = login(client, "canbo1", "a-long-password")
    at(frozen, "2026-11-30 09:00")
    code = {
        name: ok(receive(client, staff, procedure))["code"]
        for name, procedure in (
            ("early", THREE_DAYS),
            ("on_time", THREE_DAYS),
            ("twice", THREE_DAYS),
        )
    }
    code["online"] = ok(receive(client, staff, SAME_DAY, channel="online", delivery="electronic"))[
        "code"
    ]
    ticket = ok(client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk))["token"]
    ok(client.post("/api/v1/counters/1/call-next", headers=staff))
    code["complaint"] = ok(receive(client, staff, SAME_DAY, ticket=ticket))["code"]
    ok(client.post("/api/v1/counters/1/transfer", json={"counter": 2}, headers=staff))
    ok(client.post("/api/v1/counters/2/call-next", headers=staff))
    ok(client.post("/api/v1/counters/2/finish", headers=staff))
    code["next_day"] = ok(receive(client, officer, SAME_DAY))["code"]

    def step(when: str, name: str, action: str, **extra: Any) -> None:
        at(frozen, when)
        ok(act(client, staff, code[name], action, **extra))

    step(
        "2026-11-30 10:00",
        "twice",
        "request_supplement",
        note="Thiếu tờ khai",
        reason="Bản sao chưa được chứng thực",
    )
    step("2026-11-30 10:30", "online", "resolve")
    step("2026-11-30 10:35", "online", "return", delivery="electronic")
    step("2026-11-30 10:40", "complaint", "resolve")
    step("2026-11-30 10:45", "complaint", "return")
    step("2026-11-30 11:00", "twice", "supplement_received")
    step(
        "2026-11-30 13:30",
        "twice",
        "request_supplement",
        note="Thiếu bản sao",
        reason="Bản sao chưa được chứng thực",
    )
    step("2026-11-30 14:00", "twice", "supplement_received")
    step("2026-12-01 09:00", "twice", "resolve")
    step("2026-12-01 10:00", "early", "resolve")
    step("2026-12-01 10:05", "early", "return")
    step("2026-12-01 10:10", "next_day", "resolve")
    step("2026-12-01 10:15", "next_day", "return")
    step("2026-12-03 08:00", "on_time", "resolve")  # legal due Thu 09:00; internal Wed 09:00

    with db.new_session(app) as session:
        ids = {
            n: session.scalar(select(Dossier.id).where(Dossier.code == c)) for n, c in code.items()
        }
        first = session.scalar(select(Ticket).where(Ticket.token == ticket))
        assert first is not None
        assert first.next_id is not None
        admin = session.scalar(select(Dossier.received_by).where(Dossier.id == ids["early"]))
        office_id = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"]).id
        served = local("2026-11-30 09:05")
        common = {"office_id": office_id, "channel": "pad", "created_at": served}
        common["updated_at"] = served
        session.add_all(
            [
                # About the second leg of the visit the dossier was received on.
                Rating(
                    ticket_id=first.next_id,
                    score="unsatisfied",
                    reasons=["attitude"],
                    officer_id=admin,
                    served_at=served,
                    **common,
                ),
                Rating(
                    dossier_id=ids["early"],
                    score="very_satisfied",
                    reasons=[],
                    officer_id=admin,
                    served_at=local("2026-12-01 10:05"),
                    **common,
                ),
                Rating(
                    dossier_id=ids["online"],
                    score="no_answer",
                    reasons=[],
                    officer_id=admin,
                    served_at=served,
                    **common,
                ),
                # Served before the period: not counted.
                Rating(
                    score="unsatisfied",
                    reasons=[],
                    officer_id=admin,
                    served_at=local("2026-11-27 09:00"),
                    **common,
                ),
            ]
        )
        survey = {"office_id": office_id, "language": "vi", "created_at": served}
        survey |= {"served_at": served, "updated_at": served, "edit_until": served}
        session.add_all(
            [
                SurveyResponse(
                    ticket_id=first.id,
                    form="short",
                    answers={"f1": 4, "f2": 3, "f3": 5, "f4": 5, "f5": 1, "visits": "0"},
                    **survey,
                ),
                SurveyResponse(
                    dossier_id=ids["next_day"],
                    form="full",
                    answers={
                        "c1_1": 5,
                        "c2_1": 2,
                        "c3_1": 4,
                        "c3_2": 5,
                        "visits": "more",
                        "expectation": "Nhanh hơn",
                    },
                    **survey,
                ),
            ]
        )
        session.commit()
    at(frozen, "2026-12-04 12:00")
    return {"code": code, "ids": ids, "admin": admin}


# The expected points of each dossier of the week; criterion 9 is the week's: 1 online in 6
# (17 %), not late → 1. The test config's public address is local: the catalog is on site only.
EXPECTED = {
    "early": [2, 2, 2, 1, 1, 1, 2, None, 1],  # early against both times, returned at the counter
    "on_time": [1, 0, 2, 1, None, 1, 1, None, 1],  # on the legal day, after the internal one
    "twice": [0, 0, 0, 1, None, 1, 0, None, 1],  # a second supplement request: late
    "online": [1, 1, 2, 2, 2, 1, 1, None, 1],  # online, same day, result sent electronically
    "complaint": [1, 1, 2, 1, 2, 0, 0, None, 1],  # survey f2=3 on leg 1, attitude on leg 2
    "next_day": [0, 0, 0, 1, 1, 0, 0, None, 1],  # visits "more", c2_1=2, returned next day
}


def _scaled(expected: list[int | None]) -> float:
    scored = [p for p in expected if p is not None]
    return sum(scored) * 18 / (2 * len(scored))


def test_a_week_of_dossiers_scored_from_data_and_voices(
    app: Flask,
    client: FlaskClient,
    staff_headers: dict[str, str],
    kiosk_headers: dict[str, str],
    frozen: Any,
) -> None:
    week = _week(app, client, staff_headers, kiosk_headers, frozen)
    cfg = app.config["ONESTOP"]
    with db.new_session(app) as session:
        office = auth.office_by_code(session, cfg["office"]["code"])
        calendar = workcalendar.calendar_for(session, office, cfg)
        found = {
            name: evaluate_dossier(
                session, session.get(Dossier, week["ids"][name]), calendar, public_url=""
            )
            for name in EXPECTED
        }
        result = evaluate_period(session, office, date(2026, 11, 30), date(2026, 12, 4), cfg)
        empty = evaluate_period(session, office, date(2026, 12, 5), date(2026, 12, 6), cfg)
        dossiers_only = evaluate_period(
            session, office, date(2026, 11, 30), date(2026, 12, 4), cfg, people=False
        )
    people = ("officers", "rating", "survey")
    assert dossiers_only == {k: v for k, v in result.items() if k not in people}

    for name, expected in EXPECTED.items():
        assert [c["points"] for c in found[name]["criteria"]] == expected, name
        assert found[name]["scaled_total"] == round(_scaled(expected), 2), name
    assert found["online"]["online_period"] == {"from": "2026-10-01", "to": "2026-12-31"}
    complaint = {c["code"]: c for c in found["complaint"]["criteria"]}
    assert complaint["attitude"]["source"] == "citizen"
    assert complaint["contacts"]["source"] == "system+citizen"  # "visits": "0" on the first leg
    assert complaint["publicity"]["source"] == "system+citizen"
    assert found["early"]["criteria"][6]["source"] == "system+citizen"  # a happy rating
    assert found["on_time"]["criteria"][6]["source"] == "system"  # nobody said anything
    assert {c["number"]: c["name"] for c in found["early"]["criteria"]}[8].startswith("Handling")
    assert found["twice"]["classification"] == "yeu"
    assert found["early"]["classification"] == "tot"

    assert result["dossiers"] == 6
    assert result["classified"] == 6
    for number in range(1, 10):
        scored = [e[number - 1] for e in EXPECTED.values() if e[number - 1] is not None]
        line = result["criteria"][number - 1]
        assert line["number"] == number
        assert line["scored"] == len(scored)
        assert line["average"] == (round(sum(scored) / len(scored), 2) if scored else None)
        assert line["points"] == {str(p): scored.count(p) for p in (2, 1, 0)}
    assert "PAKN" in result["criteria"][7]["note"]
    scaled = [_scaled(e) for e in EXPECTED.values()]
    raw = [sum(p for p in e if p is not None) for e in EXPECTED.values()]
    assert result["average_total"] == round(sum(raw) / 6, 2)
    assert result["average_scaled_total"] == round(sum(scaled) / 6, 2)
    assert result["classification"] == {
        "xuat_sac": 0,
        "tot": 2,
        "kha": 2,
        "trung_binh": 0,
        "yeu": 2,
        "unclassified": 0,
    }
    assert result["online"] == {
        "dossiers": 6,
        "online": 1,
        "online_late": 0,
        "percent": 16.7,
        "catalog_online": False,
    }
    assert result["rating"] == {"ratings": 3, "answered": 2, "satisfied": 1, "percent": 50.0}
    factors = result["survey"]["factors"]
    assert result["survey"]["responses"] == 2
    assert {n: (f["answers"], f["satisfied"], f["percent"]) for n, f in factors.items()} == {
        "1": (2, 2, 100.0),
        "2": (2, 0, 0.0),
        "3": (3, 3, 100.0),
        "4": (1, 1, 100.0),
        "5": (1, 0, 0.0),
    }
    officers = {o["username"]: o for o in result["officers"]}
    assert set(officers) == {"admin", "canbo1"}
    assert officers["admin"]["officer_id"] == week["admin"]
    assert (officers["admin"]["dossiers"], officers["canbo1"]["dossiers"]) == (5, 1)
    assert officers["admin"]["average_total"] == round(sum(raw[:5]) / 5, 2)
    assert officers["canbo1"]["average_total"] == raw[5]
    assert officers["canbo1"]["full_name"] == "Lan"
    assert officers["admin"]["rating"]["percent"] == 50.0
    assert officers["canbo1"]["rating"] == {
        "ratings": 0,
        "answered": 0,
        "satisfied": 0,
        "percent": None,
    }

    assert empty["dossiers"] == 0
    assert empty["average_total"] is None
    assert [c["scored"] for c in empty["criteria"]] == [0] * 9
    assert empty["rating"]["percent"] is None
    assert empty["officers"] == []


def test_open_dossiers_and_the_internal_time_after_a_supplement_pause(
    app: Flask, client: FlaskClient, staff_headers: dict[str, str], frozen: Any
) -> None:
    with db.new_session(app) as session:
        session.execute(
            Procedure.__table__.update()
            .where(Procedure.code == THREE_DAYS)
            .values(internal_time_value=2)
        )
        session.commit()
    at(frozen, "2026-11-30 09:00")  # legal due Thu 03/12 09:00, internal Wed 02/12 09:00
    paused = ok(receive(client, staff_headers))["code"]
    waiting = ok(receive(client, staff_headers))["code"]
    ok(
        act(
            client,
            staff_headers,
            paused,
            "request_supplement",
            note="Thiếu giấy",
            reason="Bản sao chưa được chứng thực",
        )
    )
    at(frozen, "2026-12-01 09:00")  # 8 working hours later: both targets move a day on
    ok(act(client, staff_headers, paused, "supplement_received"))
    at(frozen, "2026-12-03 08:00")  # internal target now Thu 03/12: on time, not late
    ok(act(client, staff_headers, paused, "resolve"))
    cfg = app.config["ONESTOP"]
    with db.new_session(app) as session:
        office = auth.office_by_code(session, cfg["office"]["code"])
        calendar = workcalendar.calendar_for(session, office, cfg)

        def evaluated(code: str) -> dict[str, Any]:
            dossier = dossiers.dossier_by_code(session, office, code)
            return evaluate_dossier(session, dossier, calendar, public_url="https://xa.gov.vn")

        done, still_open = evaluated(paused), evaluated(waiting)
        at(frozen, "2026-12-04 09:00")
        late_open = evaluated(waiting)
        period = evaluate_period(session, office, date(2026, 11, 30), date(2026, 11, 30), cfg)
    # C9: two direct dossiers, none online → 0; the catalog is public → C6 2.
    assert [c["points"] for c in done["criteria"]] == [2, 1, 1, 1, None, 2, 2, None, 0]
    # Still open, within its legal time but past its internal target (Wed 02/12).
    opened = [c["points"] for c in still_open["criteria"]]
    assert opened == [None, 0, 2, 1, None, 2, None, None, 0]
    assert still_open["classification"] is None
    assert still_open["scaled_total"] == 9.0
    assert [c["points"] for c in late_open["criteria"]][:2] == [0, 0]
    assert late_open["criteria"][6]["points"] == 0  # overdue: can only finish late
    # The period ends on Mon 30/11; judged as it stands at its end, the open one was within time.
    assert period["classification"]["unclassified"] == 1
    assert period["classified"] == 1
    assert period["criteria"][0]["points"] == {"2": 1, "1": 0, "0": 0}

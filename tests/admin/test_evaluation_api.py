"""The evaluation API and CLI: who may read it, bad periods refused, and a constructed week's
figures (the same JSON over HTTP and from ``onestop evaluation --json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from onestop.cli import main
from tests.counter.test_dossier_api import act, receive
from tests.helpers import LONG_SESSIONS, SAME_DAY, THREE_DAYS, add_officer, local, login

PUBLIC_URL = "https://motcua.xademo.gov.vn"
WEEK = "/api/v1/evaluation?from=2026-11-30&to=2026-12-04"


@pytest.fixture
def app(make_app: Any) -> Flask:
    """The office's catalog is served at a public address: posted on site and online."""
    result: Flask = make_app(office={"public_url": PUBLIC_URL}, security=LONG_SESSIONS)
    return result


@pytest.fixture
def officer_headers(app: Flask, client: FlaskClient) -> dict[str, str]:
    add_officer(app, "canbo1")
    return login(client, "canbo1", "a-long-password")


def _week(client: FlaskClient, headers: dict[str, str], frozen: Any) -> dict[str, str]:
    """Two dossiers of Mon 30/11/2026: one resolved early, one online and same-day."""
    frozen.set(local("2026-11-30 09:00"))
    early = receive(client, headers, THREE_DAYS).get_json()["code"]
    online = receive(client, headers, SAME_DAY, channel="online", delivery="electronic")
    online_code = online.get_json()["code"]
    for when, code, action, extra in (
        ("2026-11-30 10:00", online_code, "resolve", {}),
        ("2026-11-30 10:05", online_code, "return", {"delivery": "electronic"}),
        ("2026-12-01 10:00", early, "resolve", {}),
        ("2026-12-01 10:05", early, "return", {}),
    ):
        frozen.set(local(when))
        assert act(client, headers, code, action, **extra).status_code == 200
    frozen.set(local("2026-12-04 12:00"))
    return {"early": early, "online": online_code}


def test_who_may_read_the_evaluation(
    client: FlaskClient,
    staff_headers: dict[str, str],
    officer_headers: dict[str, str],
    frozen: Any,
) -> None:
    code = _week(client, staff_headers, frozen)["early"]
    assert client.get(WEEK).status_code == 401
    assert client.get(WEEK).get_json()["error"]["code"] == "not_authenticated"
    assert client.get(f"/api/v1/dossiers/{code}/evaluation").status_code == 401
    refused = client.get(WEEK, headers=officer_headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "wrong_role"
    # One dossier's criteria carry what its citizen said: officers do not see whose complaint.
    hidden = client.get(f"/api/v1/dossiers/{code}/evaluation", headers=officer_headers)
    assert hidden.status_code == 403
    assert hidden.get_json()["error"]["code"] == "wrong_role"
    shown = client.get(f"/api/v1/dossiers/{code}/evaluation", headers=staff_headers)
    assert shown.status_code == 200
    assert len(shown.get_json()["criteria"]) == 9
    missing = client.get("/api/v1/dossiers/NOPE/evaluation", headers=staff_headers)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "unknown_dossier"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=2026-13-01&to=2026-12-04", "invalid_field"),
        ("from=30/11/2026&to=2026-12-04", "invalid_field"),
        ("from=2026-12-04&to=2026-11-30", "invalid_field"),
        ("from=2025-01-01&to=2026-12-31", "invalid_field"),
        ("from=2026-11-30", "missing_field"),
    ],
)
def test_bad_periods_are_refused(
    client: FlaskClient, staff_headers: dict[str, str], query: str, code: str
) -> None:
    answer = client.get(f"/api/v1/evaluation?{query}", headers=staff_headers)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == code


def test_a_week_over_http_and_from_the_cli(
    app: Flask,
    client: FlaskClient,
    staff_headers: dict[str, str],
    frozen: Any,
    tmp_path: Path,
) -> None:
    codes = _week(client, staff_headers, frozen)
    answer = client.get(WEEK, headers=staff_headers)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    week = answer.get_json()
    # early: on site and online (2), 1 online in 2 dossiers, not late (2) → 14/16 = 15.75;
    # online same-day: on time (1), nobody visited (2), 4 tại chỗ (2) → 13/16 = 14.625.
    expected = {
        "early": [2, 2, 2, 1, 1, 2, 2, None, 2],
        "online": [1, 1, 2, 2, 2, 2, 1, None, 2],
    }
    for name, points in expected.items():
        one = client.get(f"/api/v1/dossiers/{codes[name]}/evaluation", headers=staff_headers)
        body = one.get_json()
        assert [c["points"] for c in body["criteria"]] == points
        assert [c["number"] for c in body["criteria"]] == list(range(1, 10))
        assert {"code", "name", "source", "reason"} <= set(body["criteria"][0])
        assert body["code"] == codes[name]
        assert body["max"] == 16
    assert week["from"] == "2026-11-30"
    assert week["to"] == "2026-12-04"
    assert (week["dossiers"], week["classified"]) == (2, 2)
    assert [c["average"] for c in week["criteria"]] == [1.5, 1.5, 2, 1.5, 1.5, 2, 1.5, None, 2]
    assert week["average_total"] == 13.5
    assert week["average_scaled_total"] == 15.19
    assert week["classification"]["xuat_sac"] == 1
    assert week["classification"]["tot"] == 1
    assert week["online"]["percent"] == 50.0
    assert week["online"]["catalog_online"] is True
    assert [o["username"] for o in week["officers"]] == ["admin"]
    assert week["rating"]["percent"] is None
    assert week["survey"]["responses"] == 0

    runner = CliRunner()
    env = {
        "ONESTOP_CONFIG": None,
        "ONESTOP_DATABASE__URL": app.config["ONESTOP"]["database"]["url"],
        "ONESTOP_SERVER__DATA_DIR": str(tmp_path),
        "ONESTOP_SECRET_KEY": "test-secret",
        "ONESTOP_OFFICE__PUBLIC_URL": PUBLIC_URL,
    }
    args = ["evaluation", "--from", "2026-11-30", "--to", "2026-12-04"]
    as_json = runner.invoke(main, [*args, "--json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output.strip().splitlines()[-1]) == week
    table = runner.invoke(main, args, env=env)
    assert table.exit_code == 0, table.output
    assert "Total processing time vs the legal time" in table.output
    assert "2 dossier(s)" in table.output
    assert "xuat_sac 1, tot 1" in table.output
    backwards = runner.invoke(
        main, ["evaluation", "--from", "2026-12-04", "--to", "2026-11-30"], env=env
    )
    assert backwards.exit_code != 0
    assert "must not be after" in backwards.output

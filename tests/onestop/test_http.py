"""The HTTP edge's own rules, beyond what the API tests and the fuzzer already show."""

from __future__ import annotations

from typing import Any

from onestop import db as database


def test_a_read_leaves_no_read_only_flag_behind(client: Any) -> None:
    """Server threads are reused: after a GET, the thread's next writes must lock again."""
    assert client.get("/api/v1/display/state").status_code == 200
    assert database._read_only.get() is False


def test_a_url_number_beyond_a_database_integer_matches_no_route(client: Any) -> None:
    answer = client.post("/api/v1/counters/2147483648/call-next")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"
    # One below still reaches the view (which asks who calls).
    assert client.post("/api/v1/counters/2147483647/call-next").status_code == 401

"""The HTTP edge's own rules, beyond what the API tests and the fuzzer already show."""

from __future__ import annotations

from typing import Any

from onestop import db as database


def test_a_read_leaves_no_read_only_flag_behind(client: Any) -> None:
    """Server threads are reused: after a GET, the thread's next writes must lock again."""
    assert client.get("/api/v1/display/state").status_code == 200
    assert database._read_only.get() == database.WRITE


def test_a_url_number_beyond_a_database_integer_matches_no_route(client: Any) -> None:
    answer = client.post("/api/v1/counters/2147483648/call-next")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"
    # One below still reaches the view (which asks who calls).
    assert client.post("/api/v1/counters/2147483647/call-next").status_code == 401


def test_behind_a_trusted_proxy_each_client_has_its_own_limits(make_app: Any) -> None:
    """With [server] trusted_proxies = 1 the limits count per X-Forwarded-For client; without,
    the header is ignored (anyone may send it) and all share the one address."""
    for proxies, other_client_limited in ((1, False), (0, True)):
        app = make_app(
            server={"trusted_proxies": proxies}, security={"login_rate_limit": "2 per minute"}
        )
        client = app.test_client()

        def login(address: str, client: Any = client) -> int:
            answer = client.post(
                "/api/v1/auth/token",
                json={"username": "nobody", "password": "wrong-password"},
                headers={"X-Forwarded-For": address},
            )
            return answer.status_code

        assert [login("10.0.0.5") for _ in range(3)] == [401, 401, 429]
        assert (login("10.0.0.6") == 429) is other_client_limited

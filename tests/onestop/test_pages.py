"""Every page obeys the Content Security Policy: no inline script, style or event handler."""

from __future__ import annotations

import re
from typing import Any

import pytest


@pytest.mark.parametrize(
    "page", ["/", "/kiosk", "/counter", "/display", "/admin/printers", "/board", "ticket"]
)
def test_page_has_no_inline_code(client: Any, kiosk_headers: Any, page: str) -> None:
    if page == "ticket":
        token = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers)
        page = f"/t/{token.get_json()['token']}"
    answer = client.get(page)
    assert answer.status_code == 200
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    html = answer.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\sstyle=|\son[a-z]+=", html)
    assert "<style" not in html

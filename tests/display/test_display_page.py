"""The waiting-room page: languages, the data blocks its script reads, the chime, live notices."""

from __future__ import annotations

from typing import Any

from onestop.extensions import socketio
from tests.conftest import data_block


def test_page_is_vietnamese_by_default(client: Any) -> None:
    html = client.get("/display").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Đang phục vụ" in html
    assert "Vừa gọi" in html
    assert "Đang chờ" in html
    strings = data_block(html, "display-strings")
    assert strings["counter"] == "Quầy"
    assert strings["call_line"] == "Mời số {number} đến Quầy {counter}"
    config = data_block(html, "display-config")
    assert config["locale"] == "vi"
    assert config["timezone"] == "Asia/Ho_Chi_Minh"
    assert config["flash_seconds"] == 6
    assert config["recent_calls"] == 8
    assert config["chime"] is True
    assert config["chime_url"].endswith("/sounds/chime.wav")
    assert config["counters"] == []
    assert config["services"] == []


def test_page_is_english_with_lang_en(client: Any) -> None:
    html = client.get("/display?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Now serving" in html
    assert "Đang phục vụ" not in html
    strings = data_block(html, "display-strings")
    assert strings["counter"] == "Counter"
    assert data_block(html, "display-config")["locale"] == "en"


def test_area_filters_are_parsed(client: Any) -> None:
    html = client.get("/display?counters=2,%201,x,2&services=a,B").get_data(as_text=True)
    config = data_block(html, "display-config")
    assert config["counters"] == [2, 1]
    assert config["services"] == ["A", "B"]


def test_chime_is_served_as_audio(client: Any) -> None:
    with client.get("/static/sounds/chime.wav") as answer:  # closes the file it streams
        assert answer.status_code == 200
        assert answer.mimetype.startswith("audio/")
        body = answer.get_data()
    assert body[:4] == b"RIFF"
    assert body[8:12] == b"WAVE"
    assert 10_000 < len(body) < 100_000


def test_notices_changed_reaches_the_display(app: Any, client: Any) -> None:
    from onestop import auth, notices
    from onestop.db import db

    display = socketio.test_client(app, namespace="/display", flask_test_client=client)
    assert display.is_connected("/display")
    state = next(e["args"][0] for e in display.get_received("/display") if e["name"] == "state")
    session = db.new_session(app)
    try:
        office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
        notices.add_notice(session, office, "Mất điện chiều nay", text_en="Power cut", actor="test")
        session.commit()
    finally:
        session.close()
    pushed = [
        e["args"][0] for e in display.get_received("/display") if e["name"] == "notices_changed"
    ]
    assert len(pushed) == 1
    assert pushed[0]["seq"] == state["seq"] + 1
    assert pushed[0]["notices"][-1]["text"] == "Mất điện chiều nay"
    assert pushed[0]["notices"][-1]["text_en"] == "Power cut"
    display.disconnect("/display")

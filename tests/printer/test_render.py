"""Rendering: one ticket document to PNG and to ESC/POS bytes in each mode, byte for byte."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from escpos.printer import Dummy
from PIL import Image

from printer import raster, tcvn3
from printer.document import QR, BigNumber, Document, Text
from printer.escpos_out import Setup, escpos_bytes, wrap_native
from printer.layout import ticket
from printer.testpage import render_test_page

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("ONESTOP_UPDATE_SNAPSHOTS") == "1"
PAYLOAD: dict[str, Any] = {
    "number": "B012",
    "service": "B",
    "service_name": "Hộ tịch",
    "service_name_en": "",
    "priority": "elderly_80",
    "priority_label": "Người từ 80 tuổi",
    "token": "tok",
    "status_url": "http://127.0.0.1:5000/t/abcDEF123abcDEF123abcDEF",
    "issued_at": "2026-11-23T09:05:00+07:00",
    "waiting_ahead": 4,
    "estimated_wait_minutes": 12,
    "office_name": "UBND xã Đông Hòa",
}
LONG_NAME = (
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của "
    "Việt Nam cấp hoặc chứng nhận; Cấp bản sao trích lục hộ tịch"
)


def decode_qr(image: Image.Image) -> list[str]:
    from pyzbar.pyzbar import decode

    return [d.data.decode() for d in decode(image.convert("L"))]


def nfd(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        k: unicodedata.normalize("NFD", v) if isinstance(v, str) else v for k, v in payload.items()
    }


CASES = [
    ("raster", 80, "TM-T20II"),
    ("raster", 58, "default"),
    ("text", 80, "TM-T20II"),
    ("text", 58, "TM-T20II"),
    ("hybrid", 80, "TM-T20II"),
    ("raster", 80, "simple"),  # a profile without native QR codes
]


@pytest.mark.parametrize(("mode", "paper", "profile"), CASES)
def test_ticket_bytes_match_the_snapshot(mode: str, paper: int, profile: str) -> None:
    data = escpos_bytes(ticket(PAYLOAD), Setup(mode, paper, profile))
    snapshot = SNAPSHOTS / f"ticket-{mode}-{paper}-{profile}.bin"
    if UPDATE or not snapshot.exists():
        if not UPDATE:
            pytest.fail(f"{snapshot.name} missing; run with ONESTOP_UPDATE_SNAPSHOTS=1 once")
        snapshot.write_bytes(data)
    assert data == snapshot.read_bytes(), f"{snapshot.name} changed: the layout or mode changed"
    assert data.startswith(b"\x1b@")  # ESC @ initialise
    assert profile == "simple" or data.endswith(b"\x1dV\x00")  # GS V cut (if it has a cutter)


def test_text_mode_is_tcvn3_text_with_a_native_number_and_qr() -> None:
    data = escpos_bytes(ticket(PAYLOAD), Setup("text", 80, "TM-T20II"))
    assert len(data) < 1024
    assert b"\x1dv0" not in data  # no raster image at all
    line, _ = tcvn3.encode("Số người chờ trước ông/bà: 4", (30, 31), current=30)
    assert line in data
    assert b"\x1bt\x1f\xa7\x1bt\x1e\xabng H\xdfa" in data  # Đông Hòa: page 31 for Đ, back to 30
    assert b"\x1d!\x77" in data
    assert b"\x1ba\x01B012\n" in data
    assert b"\x1d(k" in data
    assert PAYLOAD["status_url"].encode() in data


def test_raster_mode_draws_everything_and_stays_small() -> None:
    data = escpos_bytes(ticket(PAYLOAD), Setup("raster", 80, "TM-T20II"))
    assert b"\x1d(k" not in data
    assert b"\x1bt" not in data
    assert data.count(b"\x1dv0") >= 8  # one band per line
    assert len(data) < 20_000  # the issue asks < 40 KB; the peers spend ~26 KB


def test_hybrid_mode_draws_text_but_prints_number_and_qr_natively() -> None:
    data = escpos_bytes(ticket(PAYLOAD), Setup("hybrid", 80, "TM-T20II"))
    assert b"\x1d!\x77" in data
    assert b"B012\n" in data
    assert b"\x1d(k" in data
    assert b"\x1dv0" in data
    assert b"\x1bt" not in data  # no code page needed: Vietnamese lines are images


def test_same_document_through_dummy_by_hand() -> None:
    """The writer's bytes are python-escpos's own commands, in order (a tiny document)."""
    doc = Document(
        "t", (Text("Hà Nội", "large", bold=True, align="left"), BigNumber("A1"), QR("x"))
    )
    expected = Dummy(profile="TM-T20II")
    expected.hw("INIT")
    expected.set(align="left", bold=True, double_width=True, double_height=True)
    expected._raw(b"H\x1bt\x1e\xb5 N\xe9i\n")  # à = B5, ộ = E9 in TCVN-3-1
    expected.set(align="center", bold=True, custom_size=True, width=8, height=8)
    expected._raw(b"A1\n")
    expected.set(normal_textsize=True, bold=False)
    expected.set(align="center")
    expected.qr("x", ec=1, size=6, native=True)
    expected.set(align="left")
    expected._raw(b"\n\n")
    expected.cut()
    assert escpos_bytes(doc, Setup("text", 80, "TM-T20II")) == bytes(expected.output)


def test_text_mode_resets_size_and_selects_a_page_after_ascii_lines() -> None:
    doc = Document("t", (Text("TITLE", "large"), Text("UBND"), Text("Hộ tịch")))
    data = escpos_bytes(doc, Setup("text", 80, "TM-T20II"))
    title, office, service = data.split(b"\n")[:3]
    assert b"\x1b!\x30" in title or b"\x1d!\x11" in title  # double size for the title
    assert b"\x1b!\x00" in office  # back to normal size for the next line
    # No code page was selected by the ASCII lines, so the first Vietnamese letter selects one.
    assert service.endswith(b"H\x1bt\x1e\xe9 t\xdech")


@pytest.mark.parametrize("paper", [80, 58])
def test_preview_fits_the_paper_and_its_qr_reads_back(paper: int) -> None:
    image = raster.render(ticket(PAYLOAD), paper)
    assert image.mode == "1"
    assert image.width == raster.DOTS[paper]
    assert decode_qr(image) == [PAYLOAD["status_url"]]


def test_long_service_name_wraps_on_58mm_and_never_overflows() -> None:
    long = dict(PAYLOAD, service_name=LONG_NAME)
    bands = raster.bands(ticket(long), 58)
    assert all(b.image is None or b.image.width <= 384 for b in bands)
    assert raster.render(ticket(long), 58).height > raster.render(ticket(PAYLOAD), 58).height + 150
    # Text mode: the double-size service name wraps at 16 characters a line on 58 mm.
    lines = wrap_native(LONG_NAME, 16)
    assert len(lines) >= 9
    assert all(len(line) <= 16 for line in lines)
    assert " ".join(lines) == LONG_NAME
    data = escpos_bytes(ticket(long), Setup("text", 58, "TM-T20II"))
    # Each wrapped line is in the bytes (page switches aside: they depend on the line before).
    pages = re.compile(rb"\x1bt.", re.DOTALL)
    text = pages.sub(b"", data)
    assert all(pages.sub(b"", tcvn3.encode(line, (30, 31))[0]) + b"\n" in text for line in lines)
    assert decode_qr(raster.render(ticket(long), 58)) == [PAYLOAD["status_url"]]


@pytest.mark.parametrize("mode", ["raster", "text", "hybrid"])
def test_nfd_input_prints_exactly_like_nfc(mode: str) -> None:
    assert nfd(PAYLOAD)["office_name"] != PAYLOAD["office_name"]
    setup = Setup(mode, 80, "TM-T20II")
    assert escpos_bytes(ticket(nfd(PAYLOAD)), setup) == escpos_bytes(ticket(PAYLOAD), setup)


def test_tcvn3_covers_all_146_letters_and_marks_the_rest() -> None:
    lower, upper = tcvn3.letters()
    assert len(lower) == len(upper) == 73
    assert len(set(lower + upper)) == 146
    data, page_left = tcvn3.encode(lower + upper, (30, 31))
    assert b"?" not in data
    assert page_left == 31
    assert data.count(b"\x1bt") == 2  # one switch to lowercase, one to uppercase
    assert tcvn3.encode("汉", (30, 31))[0] == b"?"
    assert tcvn3.encode("Ơ", (40, 41))[0] == b"\x1bt)\xac"  # overridden page numbers


def test_codepage_override_from_config() -> None:
    cfg = {
        "mode": "text",
        "paper_mm": 80,
        "profile": "TM-T20II",
        "codepage_lower": 50,
        "codepage_upper": 51,
    }
    data = escpos_bytes(ticket(PAYLOAD), Setup.from_config(cfg))
    assert b"\x1bt2" in data
    assert b"\x1bt3" in data
    assert b"\x1bt\x1e" not in data


def test_test_page_has_every_letter_in_every_mode() -> None:
    cfg = {
        "mode": "raster",
        "paper_mm": 80,
        "profile": "TM-T20II",
        "page": "",
        "codepage_lower": 0,
        "codepage_upper": 0,
    }
    output = render_test_page("kiosk-1", cfg)
    assert output.data.count(b"\x1b@") == 3
    assert output.data.count(b"\x1dV") == 3
    lower, upper = tcvn3.letters()
    for row in (lower[:6], upper[:6], lower[-7:-1], upper[-7:-1]):  # the text-mode section
        assert tcvn3.encode(" ".join(row), (30, 31))[0].split(b"\x1bt")[-1][1:] in output.data
    assert output.image is not None
    assert output.image.width == 576

"""The test page: all 146 Vietnamese letters in each print mode, so staff can see which mode their
printer renders correctly (``onestop printer test NAME``)."""

from __future__ import annotations

from typing import Any

from printer import raster, tcvn3
from printer.document import QR, BigNumber, Block, Document, Field, Rule, Text
from printer.escpos_out import MODES, Setup, escpos_bytes
from printer.render import Rendered, render

SENTENCE = "Ủy ban nhân dân xã Đông Hòa — Bộ phận Một cửa. Quý khách vui lòng chờ đến lượt."


def _rows(letters: str) -> list[str]:
    """Six tones of one vowel a row; đ/Đ on a row of its own."""
    return [" ".join(letters[i : i + 6]) for i in range(0, len(letters) - 1, 6)] + [letters[-1]]


def page(name: str, cfg: dict[str, Any], mode: str) -> Document:
    lower, upper = tcvn3.letters()
    blocks: list[Block] = [
        Text("TRANG IN THỬ · TEST PAGE", "large", bold=True),
        Field("Máy in", name),
        Field("Chế độ / mode", mode),
        Field("Hồ sơ máy / profile", cfg["profile"]),
        Field("Khổ giấy", cfg["page"] or f"{cfg['paper_mm']} mm"),
        Rule(),
        Text(f"{len(lower) + len(upper)} chữ cái tiếng Việt", bold=True),
        *(Text(row) for row in _rows(lower)),
        *(Text(row) for row in _rows(upper)),
        Rule(),
        Text(SENTENCE, align="left"),
        BigNumber("A001"),
        QR("https://onestop.invalid/test"),
        Text("Chữ nào sai hoặc thiếu dấu: chọn chế độ khác (mode) cho máy in này.", "small"),
    ]
    return Document(f"test page {mode}", tuple(blocks))


def render_test_page(name: str, cfg: dict[str, Any]) -> Rendered:
    """The page in every mode, one after the other (one PDF on a page printer)."""
    if cfg["page"]:
        return render(page(name, cfg, "pdf"), cfg)
    setups = [(mode, Setup.from_config({**cfg, "mode": mode})) for mode in MODES]
    data = b"".join(escpos_bytes(page(name, cfg, mode), setup) for mode, setup in setups)
    preview = raster.render(page(name, cfg, "raster"), cfg["paper_mm"])
    return Rendered(data, image=preview)

"""ESC/POS bytes for a document, in the printer's mode, produced against python-escpos's ``Dummy``.

- ``raster``: every block drawn as an image (works on every printer that prints images).
- ``text``: native text in the TCVN-3 code pages, the number in the printer's own large font and
  the QR code native (``GS ( k``) where the profile has it; the smallest jobs by far.
- ``hybrid``: Vietnamese lines drawn as images, the number as native text and the QR native.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from escpos.printer import Dummy

from onestop.config import PRINTER_MODES
from printer import raster, tcvn3
from printer.document import (
    QR,
    BigNumber,
    Block,
    Columns,
    Document,
    Field,
    Gap,
    Items,
    Rule,
    Text,
    clean,
)

MODES = PRINTER_MODES  # the configuration checks the same list
COLUMNS = {80: 48, 58: 32}  # characters per line in font A (12 dots wide)
ESC_J = b"\x1bJ"  # print and feed n dots


@dataclass(frozen=True)
class Setup:
    """What the bytes depend on besides the document (from the printer's config table)."""

    mode: str = "raster"
    paper_mm: int = 80
    profile: str = "default"
    codepages: tuple[int, int] | None = None  # TCVN-3 (lower, upper) ESC t numbers; None: profile's

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> Setup:
        pages = None
        if cfg.get("codepage_lower") and cfg.get("codepage_upper"):
            pages = (int(cfg["codepage_lower"]), int(cfg["codepage_upper"]))
        return cls(cfg["mode"], cfg["paper_mm"], cfg["profile"], pages)


def wrap_native(text: str, width: int) -> list[str]:
    """Wrap by characters: every character is one cell wide in the printer's own font."""
    lines: list[str] = []
    for word in clean(text).split():
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


class _Writer:
    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.out = Dummy(profile=setup.profile)
        media = self.out.profile.profile_data.get("media", {}).get("width", {})
        if media.get("pixels") in (None, "Unknown"):
            # Profiles without a known width: the bands already fit the paper, say so (on a
            # copy of the shared profile's media entry only: the profile is cached by escpos).
            data = self.out.profile.profile_data
            width = {**media, "pixels": raster.DOTS[setup.paper_mm]}
            media_entry = {**data.get("media", {}), "width": width}
            self.out.profile.profile_data = {**data, "media": media_entry}
        self.native_qr = bool(self.out.profile.supports("qrCode"))
        pages = setup.codepages or tcvn3.profile_pages(self.out.profile.profile_data["codePages"])
        self.pages = pages or (30, 31)
        self.page: int | None = None

    # -- raster -------------------------------------------------------------------------------
    def band(self, band: raster.Band) -> None:
        if band.image is not None:
            self.out.set(align=band.align)
            self.out.image(band.image, impl="bitImageRaster", center=False)
        feed = band.feed
        while feed > 0:
            self.out._raw(ESC_J + bytes([min(feed, 255)]))
            feed -= 255

    def raster_block(self, block: Block) -> None:
        for band in raster.block_bands(block, self.setup.paper_mm):
            self.band(band)

    # -- native ---------------------------------------------------------------------------------
    def text_line(
        self, line: str, *, align: str = "left", bold: bool = False, big: bool = False
    ) -> None:
        if big:
            self.out.set(align=align, bold=bold, double_width=True, double_height=True)
        else:  # python-escpos sends nothing for double_*=False: reset the size explicitly
            self.out.set(align=align, bold=bold, normal_textsize=True)
        data, self.page = tcvn3.encode(line, self.pages, self.page)
        self.out._raw(data + b"\n")

    def native_block(self, block: Block) -> None:
        columns = COLUMNS[self.setup.paper_mm]
        if isinstance(block, Text):
            big = block.size == "large"
            for line in wrap_native(block.text, columns // 2 if big else columns):
                self.text_line(line, align=block.align, bold=block.bold, big=big)
        elif isinstance(block, Field):
            for line in wrap_native(f"{block.label}: {block.value}", columns):
                self.text_line(line)
        elif isinstance(block, Items):
            for number, item in enumerate(block.items, 1):
                for line in wrap_native(f"{number}. {item}", columns):
                    self.text_line(line)
        elif isinstance(block, Columns):
            for text in (*block.left, *block.right):
                self.native_block(text)
        elif isinstance(block, Rule):
            self.text_line("-" * columns)
        elif isinstance(block, Gap):
            self.out._raw(b"\n" * block.lines)
        else:
            self.native_only(block)

    def native_only(self, block: Block) -> None:
        """The blocks hybrid mode prints natively: the number, the QR code, rules and gaps."""
        if isinstance(block, BigNumber):
            scale = 8 if self.setup.paper_mm == 80 else 6
            while scale > 2 and len(block.text) * 12 * scale > raster.DOTS[self.setup.paper_mm]:
                scale -= 1
            self.out.set(align="center", bold=True, custom_size=True, width=scale, height=scale)
            self.out._raw(block.text.encode("ascii", "replace") + b"\n")
            self.out.set(normal_textsize=True, bold=False)
        elif isinstance(block, QR) and self.native_qr:
            self.out.set(align="center")
            self.out.qr(block.data, ec=1, size=8 if block.size == "large" else 6, native=True)
        elif isinstance(block, Rule | Gap):
            self.native_block(block)
        else:
            self.raster_block(block)

    def document(self, doc: Document) -> bytes:
        self.out.hw("INIT")
        emit = {"raster": self.raster_block, "text": self.native_block, "hybrid": self.native_only}
        for block in doc.blocks:
            emit[self.setup.mode](block)
        self.out.set(align="left")
        # Raw line feeds: python-escpos's text() would select its own code page first.
        self.out._raw(b"\n\n")
        self.out.cut()
        return bytes(self.out.output)


def escpos_bytes(doc: Document, setup: Setup) -> bytes:
    """The print job for ``doc``: initialise, the blocks in ``setup.mode``, feed and cut."""
    if setup.mode not in MODES:
        raise ValueError(f"unknown print mode {setup.mode!r} (raster, text or hybrid)")
    return _Writer(setup).document(doc)

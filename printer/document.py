"""One layout model for everything onestop prints: tickets, slips and the test page.

A :class:`Document` is a column of blocks. The renderers read the same document:
``printer.raster`` draws it as a 1-bit image (the PNG preview and the raster print),
``printer.escpos_out`` turns it into ESC/POS bytes in the printer's mode, and ``printer.pdf``
lays it out on an A4/A5 page for the counter's page printer. Texts are NFC-normalised by
:func:`clean` in every renderer, so a Vietnamese input method's NFD text prints identically.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Size = Literal["small", "normal", "large"]
Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    """A paragraph; it wraps to the paper, never overflows."""

    text: str
    size: Size = "normal"
    bold: bool = False
    align: Align = "center"


@dataclass(frozen=True)
class BigNumber:
    """The ticket number, as large as the paper allows (native text in text and hybrid modes)."""

    text: str


@dataclass(frozen=True)
class QR:
    """A QR code of ``data`` (a URL); native ``GS ( k`` where the profile has it."""

    data: str
    size: Literal["normal", "large"] = "normal"


@dataclass(frozen=True)
class Field:
    """``label: value`` on one line when it fits, the value wrapping under it otherwise."""

    label: str
    value: str


@dataclass(frozen=True)
class Items:
    """A numbered list (papers in a dossier, items to supplement)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A thin horizontal line across the paper."""


@dataclass(frozen=True)
class Gap:
    """Blank space, in text lines."""

    lines: int = 1


@dataclass(frozen=True)
class Columns:
    """Two stacks side by side on a page (form header, signatures); stacked on a roll."""

    left: tuple[Text, ...]
    right: tuple[Text, ...]


Block = Text | BigNumber | QR | Field | Items | Rule | Gap | Columns


@dataclass(frozen=True)
class Document:
    title: str
    blocks: tuple[Block, ...]


def clean(text: str) -> str:
    """NFC, and no control characters that a printer would take as commands."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch if ch.isprintable() else " " for ch in text)

"""Vietnamese text for printers with the TCVN-3 code pages (Epson-style pages 30 and 31).

TCVN-3 is a one-byte encoding in two halves: ``TCVN-3-1`` holds the lowercase letters with
their tones and ``TCVN-3-2`` the uppercase ones at the same byte values, as the old .VnTime /
.VnTimeH font pair did. A line therefore switches code page (``ESC t n``) wherever it passes from
one case to the other. The byte tables come from python-escpos's printer database, the same
data its own encoder uses, so they follow the printers it describes.
"""

from __future__ import annotations

from functools import lru_cache

from escpos.capabilities import CAPABILITIES

from printer.document import clean

LOWER, UPPER = "TCVN-3-1", "TCVN-3-2"
ESC_T = b"\x1bt"
# The database writes Đ as Ð (U+00D0, Icelandic eth); Vietnamese text uses U+0110.
ALIASES = {"\u00d0": "\u0110"}


@lru_cache(maxsize=2)
def table(page: str) -> dict[str, int]:
    """Character → byte for the upper half (0x80–0xFF) of ``page``."""
    rows = CAPABILITIES["encodings"][page]["data"]
    mapping: dict[str, int] = {}
    for row_index, row in enumerate(rows):
        for column, char in enumerate(row):
            if char != " ":
                mapping[ALIASES.get(char, char)] = 0x80 + row_index * 16 + column
    return mapping


def profile_pages(profile_code_pages: dict[str, str]) -> tuple[int, int] | None:
    """The (lower, upper) ``ESC t`` numbers a profile gives TCVN-3, or None if it has none."""
    numbers = {name: int(number) for number, name in profile_code_pages.items()}
    if LOWER in numbers and UPPER in numbers:
        return numbers[LOWER], numbers[UPPER]
    return None


def encode(
    text: str, pages: tuple[int, int], current: int | None = None
) -> tuple[bytes, int | None]:
    """``text`` as TCVN-3 bytes with the page switches it needs.

    ``current`` is the page the printer is on (None: unknown, so the first Vietnamese letter
    selects one). Returns the bytes and the page left selected (None if still unknown). A
    character neither page has prints as ``?``, so a mistake shows on paper instead of
    shifting the rest of the line.
    """
    lower_page, upper_page = pages
    lower, upper = table(LOWER), table(UPPER)
    out = bytearray()
    page = current
    for char in clean(text):
        if char.isascii():
            out.append(ord(char))  # the lower half is ASCII on both pages
            continue
        if char in lower:
            wanted, byte = lower_page, lower[char]
        elif char in upper:
            wanted, byte = upper_page, upper[char]
        else:
            out.append(ord("?"))
            continue
        if wanted != page:
            out += ESC_T + bytes([wanted])
            page = wanted
        out.append(byte)
    return bytes(out), page


def letters() -> tuple[str, str]:
    """The 73 lowercase and 73 uppercase Vietnamese letters (146 in all), in dictionary order."""
    vowels = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # ngang huyền hỏi ngã sắc nặng
    lower = "".join(clean(v + t) for v in vowels for t in tones) + "đ"
    return lower, lower.upper()

"""Draw a document as 1-bit bands: the raster print and, stacked, the PNG preview.

Text is drawn with the bundled Noto Sans, so Vietnamese prints correctly on any printer that can
print an image, whatever code pages it has. Widths follow the paper: 576 dots for 80 mm and 384
for 58 mm (203 dpi heads). Each line becomes its own band cropped to its ink, and the blank space
between bands is sent as a paper feed, not as white rows: a ticket costs a fraction of the bytes
of one full-width image.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont, ImageOps

from onestop import fonts
from printer.document import (
    QR,
    Align,
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

DOTS = {80: 576, 58: 384}
MARGIN = 8
LINE_GAP = 8
# Point sizes per paper width: small, normal, large, the ticket number, and QR target sizes.
SIZES = {
    80: {"small": 20, "normal": 24, "large": 32, "number": 136, "qr": 190, "qr_large": 260},
    58: {"small": 18, "normal": 20, "large": 26, "number": 104, "qr": 170, "qr_large": 230},
}


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.BOLD if bold else fonts.REGULAR), size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break ``text`` into lines that fit ``width`` pixels (hard-breaking over-long words)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if face.getlength(trial) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        while face.getlength(word) > width:  # a single word wider than the paper
            cut = len(word)
            while cut > 1 and face.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


@dataclass(frozen=True)
class Band:
    """One strip of print: an image (or None for blank paper) and the feed after it, in dots."""

    image: Image.Image | None
    align: Align
    feed: int


def _crop(image: Image.Image, align: Align) -> Image.Image:
    """Trim blank columns (whole bytes) on the sides the alignment lets the printer fill."""
    box = ImageOps.invert(image.convert("L")).getbbox()
    if box is None:
        return image.crop((0, 0, 8, 1))
    left = 0 if align == "left" else box[0] // 8 * 8
    right = image.width if align == "right" else -(-box[2] // 8) * 8
    return image.crop((left, box[1], min(right, image.width), box[3]))


def _line(
    parts: list[tuple[str, ImageFont.FreeTypeFont]], width: int, align: Align, indent: float = 0
) -> Band:
    """A band for one line of text made of runs in different faces (label and value)."""
    ascent = max(face.getmetrics()[0] for _, face in parts)
    descent = max(face.getmetrics()[1] for _, face in parts)
    image = Image.new("1", (width, ascent + descent), 1)
    draw = ImageDraw.Draw(image)
    total = sum(face.getlength(run) for run, face in parts)
    x = {"left": MARGIN + indent, "center": (width - total) / 2, "right": width - MARGIN - total}[
        align
    ]
    for run, face in parts:
        draw.text((x, ascent), run, font=face, fill=0, anchor="ls")
        x += face.getlength(run)
    # The blank paper after a line grows with its type size; a feed costs 3 bytes however long.
    return Band(_crop(image, align), align, max(LINE_GAP, min(ascent // 2, 28)))


def _paragraph(text: str, face: ImageFont.FreeTypeFont, width: int, align: Align) -> list[Band]:
    return [
        _line([(line, face)], width, align) for line in wrap(clean(text), face, width - 2 * MARGIN)
    ]


def qr_image(data: str, target: int = 0, *, scale: int = 0, border: int = 1) -> Image.Image:
    """A QR code with whole-dot modules: ``scale`` dots each, or as many as bring it closest
    to ``target`` dots across."""
    code = qrcode.QRCode(
        border=border, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1
    )
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    scale = scale or max(1, target // size)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    return image.resize((size * scale, size * scale), Image.Resampling.NEAREST)


@functools.lru_cache(maxsize=256)
def block_bands(block: Block, paper_mm: int) -> tuple[Band, ...]:
    """The bands one block prints as. Cached: the print of a ticket and its preview draw the
    same blocks, and the office name, rules and captions recur on every ticket (blocks are
    frozen, and nothing draws on a band's image afterwards)."""
    return tuple(_block_bands(block, paper_mm))


def _block_bands(block: Block, paper_mm: int) -> list[Band]:
    width, sizes = DOTS[paper_mm], SIZES[paper_mm]
    inner = width - 2 * MARGIN
    if isinstance(block, Text):
        return _paragraph(block.text, font(sizes[block.size], block.bold), width, block.align)
    if isinstance(block, BigNumber):
        size = sizes["number"]
        while size > 24 and font(size, True).getlength(clean(block.text)) > inner:
            size -= 8
        return [_line([(clean(block.text), font(size, True))], width, "center")]
    if isinstance(block, QR):
        image = qr_image(block.data, sizes["qr_large" if block.size == "large" else "qr"])
        return [Band(image, "center", 2 * LINE_GAP)]
    if isinstance(block, Field):
        return _field(block, width, sizes["normal"])
    if isinstance(block, Items):
        face = font(sizes["normal"])
        bands: list[Band] = []
        for number, item in enumerate(block.items, 1):
            mark = f"{number}. "
            hang = face.getlength(mark)
            lines = wrap(clean(item), face, inner - hang)
            bands.append(_line([(mark, face), (lines[0], face)], width, "left"))
            bands += [_line([(line, face)], width, "left", hang) for line in lines[1:]]
        return bands
    if isinstance(block, Rule):
        image = Image.new("1", (inner // 8 * 8, 2), 0)
        return [Band(image, "center", 2 * LINE_GAP)]
    if isinstance(block, Gap):
        return [Band(None, "left", block.lines * (sizes["normal"] + LINE_GAP))]
    if isinstance(block, Columns):
        return [
            band for text in (*block.left, *block.right) for band in block_bands(text, paper_mm)
        ]
    raise TypeError(f"cannot draw {type(block).__name__}")


def _field(block: Field, width: int, size: int) -> list[Band]:
    label, value = f"{clean(block.label)}: ", clean(block.value)
    bold, regular = font(size, True), font(size)
    inner = width - 2 * MARGIN
    if bold.getlength(label) + regular.getlength(value) <= inner:
        return [_line([(label, bold), (value, regular)], width, "left")]
    bands = [_line([(label.rstrip(), bold)], width, "left")]
    hang = 2 * MARGIN
    return bands + [
        _line([(line, regular)], width, "left", hang) for line in wrap(value, regular, inner - hang)
    ]


def bands(doc: Document, paper_mm: int) -> list[Band]:
    return [band for block in doc.blocks for band in block_bands(block, paper_mm)]


def stack(parts: list[Band], paper_mm: int) -> Image.Image:
    """Bands placed on one paper-wide image, as the printer lays them out (the PNG preview)."""
    width = DOTS[paper_mm]
    height = 2 * MARGIN + sum((b.image.height if b.image else 0) + b.feed for b in parts)
    image = Image.new("1", (width, height), 1)
    y = MARGIN
    for band in parts:
        if band.image is not None:
            x = {
                "left": 0,
                "center": (width - band.image.width) // 2,
                "right": width - band.image.width,
            }[band.align]
            image.paste(band.image, (x, y))
            y += band.image.height
        y += band.feed
    return image


def render(doc: Document, paper_mm: int = 80) -> Image.Image:
    """The whole document as one 1-bit image ``DOTS[paper_mm]`` wide."""
    return stack(bands(doc, paper_mm), paper_mm)

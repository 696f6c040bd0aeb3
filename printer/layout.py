"""The ticket layout, drawn once as a 1-bit image (the preview and the raster print).

Text is drawn with the bundled Noto Sans, so Vietnamese prints correctly on any printer that can
print an image, whatever code pages it has. Widths follow the paper: 576 dots for 80 mm and 384
dots for 58 mm (203 dpi heads); long names wrap, never overflow.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import qrcode
from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).parent / "fonts"
DOTS = {80: 576, 58: 384}
MARGIN = 12


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
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


def _qr(url: str, size: int) -> Image.Image:
    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    scale = max(1, size // len(matrix))
    image = Image.new("1", (len(matrix) * scale, len(matrix) * scale), 1)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle(
                    [x * scale, y * scale, (x + 1) * scale - 1, (y + 1) * scale - 1], fill=0
                )
    return image


def render_ticket(payload: dict[str, Any], paper_mm: int = 80) -> Image.Image:
    """The ticket as a 1-bit image ``DOTS[paper_mm]`` wide."""
    width = DOTS[paper_mm]
    inner = width - 2 * MARGIN
    small = 20 if paper_mm == 58 else 24
    blocks: list[tuple[str, ImageFont.FreeTypeFont]] = []

    def text(value: str, size: int, bold: bool = False) -> None:
        face = font(size, bold)
        for line in wrap(unicodedata.normalize("NFC", value), face, inner):
            blocks.append((line, face))

    text(payload["office_name"], small, bold=True)
    text(payload["service_name"], small + 4)
    number_face = font(136 if paper_mm == 80 else 104, bold=True)
    blocks.append((payload["number"], number_face))
    issued = str(payload["issued_at"])
    when = f"{issued[11:16]}  {issued[8:10]}/{issued[5:7]}/{issued[0:4]}"
    if payload.get("priority"):
        text(f"{when} · ƯU TIÊN", small, bold=True)
    else:
        text(when, small)
    text(f"Số người chờ trước bạn: {payload['waiting_ahead']}", small)
    text(f"Thời gian chờ dự kiến: ~{payload['estimated_wait_minutes']} phút", small)

    qr_size = 190 if paper_mm == 80 else 170
    qr_image = _qr(payload["status_url"], qr_size)
    note_face = font(small - 6)
    note = wrap("Quét mã QR để theo dõi lượt của bạn · Scan to follow your turn", note_face, inner)

    spacing = 8
    lines = [*blocks, *((line, note_face) for line in note)]
    boxes = [face.getbbox(line or " ") for line, face in lines]
    # Lines sit on their tight ink boxes: no blank ascent rows, fewer bytes to send.
    heights = [box[3] - box[1] + spacing for box in boxes]
    split = len(blocks)
    total = MARGIN * 2 + sum(heights) + qr_image.height + spacing
    image = Image.new("1", (width, total), 1)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for index, ((line, face), box, height) in enumerate(zip(lines, boxes, heights, strict=True)):
        if index == split:
            image.paste(qr_image, ((width - qr_image.width) // 2, y))
            y += qr_image.height + spacing
        draw.text(((width - face.getlength(line)) / 2, y - box[1]), line, font=face, fill=0)
        y += height
    return image

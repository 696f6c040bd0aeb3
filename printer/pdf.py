"""A :class:`~printer.document.Document` laid out on an A4 or A5 page as PDF (fpdf2).

For the counter's page printer: the slips (:mod:`printer.slips`) that carry signatures and
legal text. The output is byte-for-byte reproducible, so a print can be re-issued and compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from onestop import fonts
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
    Size,
    Text,
    clean,
)
from printer.raster import qr_image

FAMILY = "NotoSans"
# A fixed date: the same document must give the same bytes (it also seeds the PDF's /ID).
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
QR_SCALE = 8  # image pixels per QR module


@dataclass(frozen=True)
class _Paper:
    """One paper's geometry (mm) and type sizes (pt)."""

    # In mm, as numbers: fpdf2 2.8.x warns on the name "A5" (its size was corrected in 2.8.5).
    size: tuple[float, float]
    margin: float
    points: dict[Size, float]
    number: float
    qr: dict[str, float]


PAPERS = {
    "A4": _Paper((210.0, 297.0), 20.0, {"small": 9, "normal": 11, "large": 14}, 56.0,
                 {"normal": 30.0, "large": 40.0}),
    # A5 a notch smaller, so a receipt with its signatures and QR stays on one sheet.
    "A5": _Paper((148.0, 210.0), 15.0, {"small": 7.5, "normal": 9.5, "large": 12}, 44.0,
                 {"normal": 24.0, "large": 32.0}),
}  # fmt: skip


def _line_height(points: float) -> float:
    return points * 25.4 / 72 * 1.25


class _Renderer:
    def __init__(self, doc: Document, paper: _Paper) -> None:
        self.page = paper
        pdf = FPDF(orientation="portrait", unit="mm", format=paper.size)
        pdf.add_font(FAMILY, "", str(fonts.REGULAR))
        pdf.add_font(FAMILY, "B", str(fonts.BOLD))
        pdf.set_margins(self.page.margin, self.page.margin, self.page.margin)
        pdf.set_auto_page_break(True, self.page.margin)
        # Cell padding would indent wrapped text unevenly between blocks; the margins suffice.
        pdf.c_margin = 0
        pdf.set_title(clean(doc.title))
        pdf.set_creator("onestop")
        pdf.set_lang("vi")
        pdf.set_creation_date(EPOCH)
        pdf.add_page()
        self.pdf = pdf
        self.doc = doc

    def font(self, size: Size, bold: bool = False) -> float:
        """Select the face and return its line height in mm."""
        points = self.page.points[size]
        self.pdf.set_font(FAMILY, "B" if bold else "", points)
        return _line_height(points)

    def render(self) -> bytes:
        for block in self.doc.blocks:
            self.block(block)
        return bytes(self.pdf.output())

    def block(self, block: Block) -> None:
        pdf = self.pdf
        if isinstance(block, Text):
            self.paragraph(block, pdf.epw, block.align)
        elif isinstance(block, BigNumber):
            pdf.set_font(FAMILY, "B", self.page.number)
            pdf.multi_cell(
                0,
                _line_height(self.page.number),
                clean(block.text),
                align="C",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        elif isinstance(block, QR):
            self.qr(block)
        elif isinstance(block, Field):
            self.field(block)
        elif isinstance(block, Items):
            self.items(block)
        elif isinstance(block, Rule):
            pdf.ln(1.5)
            pdf.set_line_width(0.3)
            pdf.line(pdf.l_margin, pdf.y, pdf.w - pdf.r_margin, pdf.y)
            pdf.ln(1.5)
        elif isinstance(block, Gap):
            pdf.ln(block.lines * _line_height(self.page.points["normal"]))
        elif isinstance(block, Columns):
            self.columns(block)
        else:
            raise TypeError(f"cannot lay out {type(block).__name__}")

    def paragraph(self, block: Text, width: float, align: str) -> None:
        height = self.font(block.size, block.bold)
        text = clean(block.text)
        x = self.pdf.x
        if not text.strip():  # a blank line (the room for a signature)
            self.pdf.ln(height)
            self.pdf.x = x  # ln() goes back to the left margin, out of a right column
            return
        self.pdf.multi_cell(
            width, height, text, align=align[0].upper(), new_x=XPos.LEFT, new_y=YPos.NEXT
        )
        self.pdf.x = x

    def field(self, block: Field) -> None:
        """Label and value on one line when they fit, else the value indented under the label."""
        pdf = self.pdf
        label, value = f"{clean(block.label)}: ", clean(block.value)
        height = self.font("normal", bold=True)
        label_width = pdf.get_string_width(label)
        self.font("normal")
        if label_width + pdf.get_string_width(value) <= pdf.epw:
            self.font("normal", bold=True)
            pdf.cell(label_width, height, label)
            self.font("normal")
            pdf.cell(0, height, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        self.font("normal", bold=True)
        pdf.multi_cell(0, height, label.rstrip(), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.font("normal")
        indent = 2 * self.page.points["normal"] * 25.4 / 72
        pdf.x = pdf.l_margin + indent
        pdf.multi_cell(
            pdf.epw - indent, height, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def items(self, block: Items) -> None:
        pdf = self.pdf
        height = self.font("normal")
        width = max(pdf.get_string_width(f"{len(block.items)}. "), 5.0)
        for number, item in enumerate(block.items, 1):
            pdf.cell(width, height, f"{number}.")
            # The text hangs from the number's column, so a wrapped item reads as one item.
            pdf.multi_cell(
                pdf.epw - width, height, clean(item), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )

    def qr(self, block: QR) -> None:
        pdf = self.pdf
        side = self.page.qr[block.size]
        # Room for a caption line too: a QR alone at the foot of a page, its caption overleaf,
        # would not say what it is for.
        if pdf.y + side + _line_height(self.page.points["small"]) > pdf.page_break_trigger:
            pdf.add_page()
        pdf.image(
            qr_image(clean(block.data), scale=QR_SCALE, border=2),
            x=(pdf.w - side) / 2,
            y=pdf.y,
            w=side,
            h=side,
        )
        pdf.set_y(pdf.y + side + 1)

    def columns(self, block: Columns) -> None:
        """Two half-width stacks, each line centred in its column; kept together on one page."""
        pdf = self.pdf
        width = pdf.epw / 2
        tallest = max(self._stack_height(block.left, width), self._stack_height(block.right, width))
        if pdf.y + tallest > pdf.page_break_trigger:
            pdf.add_page()
        top, bottom = pdf.y, pdf.y
        for offset, stack in ((0.0, block.left), (width, block.right)):
            pdf.set_xy(pdf.l_margin + offset, top)
            for text in stack:
                self.paragraph(text, width, "center")
            bottom = max(bottom, pdf.y)
        pdf.set_xy(pdf.l_margin, bottom)

    def _stack_height(self, stack: tuple[Text, ...], width: float) -> float:
        total = 0.0
        for text in stack:
            height = self.font(text.size, text.bold)
            lines = self.pdf.multi_cell(
                width, height, clean(text.text) or " ", dry_run=True, output="LINES"
            )
            assert isinstance(lines, list)  # output="LINES" gives the wrapped lines
            total += height * max(1, len(lines))
        return total


def render_pdf(doc: Document, page: str = "A4") -> bytes:
    """The document as a portrait A4 or A5 PDF; the same document always gives the same bytes."""
    if page not in PAPERS:
        raise ValueError(f"page must be one of {', '.join(PAPERS)}, got {page!r}")
    return _Renderer(doc, PAPERS[page]).render()

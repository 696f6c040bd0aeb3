"""From a job row's kind and payload to what a printer receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image

from onestop.models import PrintKind
from printer import layout, raster
from printer.document import Document
from printer.escpos_out import Setup, escpos_bytes


@dataclass(frozen=True)
class Rendered:
    data: bytes  # ESC/POS bytes, or the PDF for a page printer
    pdf: bytes | None = None
    image: Image.Image | None = None  # the PNG preview (virtual printers keep it)


def document_for(kind: PrintKind | str, payload: dict[str, Any]) -> Document:
    if PrintKind(kind) == PrintKind.TICKET:
        return layout.ticket(payload)
    from printer import slips  # the slips pull in more layout code than a kiosk needs

    return slips.SLIPS[payload["slip"]](payload)


def render(doc: Document, cfg: dict[str, Any], *, preview: bool = False) -> Rendered:
    """``doc`` for the printer configured by ``cfg`` (its mode, paper, profile and page size)."""
    if cfg["page"]:
        from printer.pdf import render_pdf

        pdf = render_pdf(doc, cfg["page"])
        return Rendered(pdf, pdf=pdf)
    data = escpos_bytes(doc, Setup.from_config(cfg))
    image = raster.render(doc, cfg["paper_mm"]) if preview else None
    return Rendered(data, image=image)

"""ESC/POS bytes for a rendered ticket, produced by python-escpos against its ``Dummy`` printer."""

from __future__ import annotations

import copy

from escpos.printer import Dummy
from PIL import Image


def raster_bytes(image: Image.Image, *, profile: str = "default") -> bytes:
    """Initialise, print ``image`` as a raster bit image (GS v 0), feed and cut."""
    printer = Dummy(profile=profile)
    media = printer.profile.profile_data.get("media", {}).get("width", {})
    if media.get("pixels") in (None, "Unknown"):
        # Profiles without a known width: the layout already fits the paper, say so.
        printer.profile.profile_data = copy.deepcopy(printer.profile.profile_data)
        printer.profile.profile_data["media"]["width"]["pixels"] = image.width
    printer.hw("INIT")
    printer.image(image, impl="bitImageRaster", center=False)
    printer.ln(2)
    printer.cut()
    return bytes(printer.output)

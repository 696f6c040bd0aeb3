"""The bundled Unicode font, Noto Sans (SIL Open Font License, ``data/fonts/LICENSE.txt``): every
Vietnamese letter, for the tickets' rasters, the slips' and the reports' PDF pages."""

from __future__ import annotations

from pathlib import Path

FONTS = Path(__file__).parent / "data" / "fonts"
REGULAR = FONTS / "NotoSans-Regular.ttf"
BOLD = FONTS / "NotoSans-Bold.ttf"

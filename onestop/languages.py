"""The two languages, without Flask: which exist, how a data row picks its text, and the core's
own Vietnamese catalog for text the domain writes itself (the legal time on a printed slip).

``onestop.i18n`` wires the same catalogs into Flask-Babel for the pages; papers are always in
Vietnamese, whatever language the officer's screen shows.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
CATALOG = Path(__file__).parent / "translations"


def localized(vi: str, en: str | None, lang: str) -> str:
    """Pick the Vietnamese or English text of a data row (English falls back to Vietnamese)."""
    return (en or vi) if lang == "en" else vi


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The core's catalog in ``lang`` (English is the source text)."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("messages", localedir=CATALOG, languages=[lang], fallback=True)

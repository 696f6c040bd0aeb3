"""Languages: Vietnamese first, English on request (Flask-Babel).

Source strings are English (gettext's convention); ``translations/vi`` holds the Vietnamese,
and a test keeps it complete. The locale of a request is, in order: ``?lang=`` (a kiosk's
one-tap switch, remembered in a cookie for pages that are not kiosks), the ``onestop_lang``
cookie, then Vietnamese. Browsers' Accept-Language is ignored on purpose: an office PC set to
English must not turn the citizen-facing screens English.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_babel import Babel, get_locale

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
COOKIE = "onestop_lang"

babel = Babel()


def select_locale() -> str:
    wanted = request.args.get("lang") or request.cookies.get(COOKIE) or DEFAULT_LOCALE
    return wanted if wanted in LOCALES else DEFAULT_LOCALE


def current_locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def localized(vi: str, en: str | None) -> str:
    """Pick the Vietnamese or English text of a data row (English falls back to Vietnamese)."""
    return (en or vi) if current_locale() == "en" else vi


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale, default_timezone="UTC")

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"locale": current_locale(), "locales": LOCALES, "localized": localized}

    @app.after_request
    def _remember(response: Response) -> Response:
        chosen = request.args.get("lang")
        if chosen in LOCALES:
            response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="Lax")
        return response

"""Languages: Vietnamese first, English on request (Flask-Babel).

Source strings are English (gettext's convention). Each surface keeps the Vietnamese of its own
strings in ``<surface>/translations/vi/LC_MESSAGES/messages.po`` (the core in
``onestop/translations``); Flask-Babel merges them, and a test keeps every catalog complete and
its compiled ``.mo`` in step with the ``.po``.

The locale of a request is, in order: ``?lang=`` (remembered in the ``onestop_lang`` cookie),
that cookie, then Vietnamese. Browsers' Accept-Language is ignored on purpose: an office PC set to
English must not turn the citizen-facing screens English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_babel import Babel, get_locale

from onestop import languages
from onestop.languages import DEFAULT_LOCALE, LOCALES

COOKIE = "onestop_lang"

babel = Babel()


def select_locale() -> str:
    wanted = request.args.get("lang") or request.cookies.get(COOKIE) or DEFAULT_LOCALE
    return wanted if wanted in LOCALES else DEFAULT_LOCALE


def current_locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def localized(vi: str, en: str | None) -> str:
    """Pick the Vietnamese or English text of a data row in the request's language."""
    return languages.localized(vi, en, current_locale())


def translation_directories(app: Flask) -> list[Path]:
    """The core's catalog and each surface's own ``<surface>/translations`` (merged)."""
    roots = [Path(app.root_path)] + [Path(bp.root_path) for bp in app.blueprints.values()]
    return [root / "translations" for root in dict.fromkeys(roots)]


def init_app(app: Flask) -> None:
    """Call after the surfaces are registered: each brings its own Vietnamese catalog."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES",
        ";".join(str(d) for d in translation_directories(app) if d.is_dir()),
    )
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

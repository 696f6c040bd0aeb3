"""Back-office pages. They are shells: the data comes from the JSON API with the staff token."""

from __future__ import annotations

from flask import render_template

from admin import bp
from onestop import i18n
from onestop.context import feedback_rules, settings


@bp.get("/")
@bp.get("/printers")
def printers_page() -> str:
    """The back office: dossiers due soon, and the printers."""
    return render_template("admin/printers.html", office=settings()["office"])


@bp.get("/evaluation")
def evaluation_page() -> str:
    """A period's quality evaluation: the nine criteria, satisfaction, and each officer."""
    factors = feedback_rules().forms().forms["short"].factors
    lang = i18n.current_locale()
    return render_template(
        "admin/evaluation.html",
        office=settings()["office"],
        factors={str(f.number): f.text(lang) for f in factors},
    )

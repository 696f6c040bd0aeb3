"""Back-office pages. They are shells: the data comes from the JSON API with the staff token."""

from __future__ import annotations

from flask import current_app, render_template

from admin import bp


@bp.get("/")
@bp.get("/printers")
def printers_page() -> str:
    """The back office: dossiers due soon, and the printers."""
    return render_template("admin/printers.html", office=current_app.config["ONESTOP"]["office"])

"""What the counter's tests share: a desk printer that keeps each slip as an A4 PDF."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def desk_printer(app: Any) -> str:
    """A page printer ``desk-1`` in ``app``'s office (the worker writes its PDFs to prints/)."""
    from tests.printer.fakes import config

    app.config["ONESTOP"]["printers"]["desk-1"] = config(page="A4")
    return "desk-1"

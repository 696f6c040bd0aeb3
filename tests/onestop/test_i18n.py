"""Every visible string has its Vietnamese, and the compiled catalogs match their sources."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["onestop", "kiosk", "counter", "display", "admin"]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def catalog_path(package: str, suffix: str) -> Path:
    return ROOT / package / "translations" / "vi" / "LC_MESSAGES" / f"messages.{suffix}"


def used_messages(package: str) -> set[str | tuple[str, str]]:
    """The strings the code asks for: an ngettext call as its (singular, plural) pair."""
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / package), METHODS, keywords=KEYWORDS
    ):
        found.add(tuple(message[:2]) if isinstance(message, tuple) else message)  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_every_string_is_translated(package: str) -> None:
    with catalog_path(package, "po").open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = tuple(message.id) if isinstance(message.id, tuple | list) else message.id
        text = message.string[0] if isinstance(message.string, tuple) else message.string
        assert not message.fuzzy, f"{package}: fuzzy translation of {key!r}"
        assert text, f"{package}: no Vietnamese for {key!r}"
        translated[key] = text
    used = used_messages(package)
    # A plural asked for (ngettext) needs an entry with its plural: a singular-only entry of
    # the same text is not found by ngettext, which then answers in English.
    missing = sorted((m for m in used if not translated.get(m)), key=str)
    assert not missing, f"{package}: no Vietnamese for {missing} (run make translations)"


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|%")


@pytest.mark.parametrize("package", PACKAGES)
def test_a_translation_keeps_the_placeholders_and_no_stray_percent(package: str) -> None:
    """Jinja formats every gettext result with %: a lone "%" in a translation ("… (%)") made
    the page that asks for it a 500 in Vietnamese only."""
    with catalog_path(package, "po").open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        texts = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[0]))
        for text in texts:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, f"{package}: {ids[0]!r} → {text!r}"


def _plain(value: Any) -> Any:
    """A plural's forms as a tuple (read_po and read_mo give lists or tuples)."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("package", PACKAGES)
def test_compiled_catalog_matches_source(package: str) -> None:
    with catalog_path(package, "po").open("rb") as fh:
        source = {_plain(m.id): _plain(m.string) for m in read_po(fh, locale="vi") if m.id}
    with catalog_path(package, "mo").open("rb") as fh:
        compiled = {_plain(m.id): _plain(m.string) for m in read_mo(fh) if m.id}
    assert compiled == source, f"{package}: messages.mo is stale (run make translations)"


def test_a_string_means_the_same_in_every_catalog() -> None:
    """Flask-Babel merges the packages' catalogs: one English string gets one Vietnamese."""
    seen: dict[str, dict[str, str]] = {}
    for package in PACKAGES:
        with catalog_path(package, "po").open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                if message.id and isinstance(message.id, str):
                    seen.setdefault(message.id, {})[package] = str(message.string)
    clashes = {key: found for key, found in seen.items() if len(set(found.values())) > 1}
    assert not clashes, f"translated differently per package: {clashes}"


def test_citizens_are_addressed_formally_never_as_ban() -> None:
    """DOMAIN §11: ông/bà (one person), quý vị (the room), công dân (the display); never
    "bạn", in any catalog nor on the printed papers."""
    import re

    from printer import layout, slips
    from tests.printer.test_slips import texts

    informal = re.compile(r"\bbạn\b", re.IGNORECASE)
    for package in PACKAGES:
        with catalog_path(package, "po").open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in forms:
                    assert not informal.search(text or ""), f"{package}: {text!r}"
    printed = texts(layout.ticket(layout.sample_ticket()))
    printed += [t for kind in slips.SLIPS for t in texts(slips.SLIPS[kind](slips.sample(kind)))]
    assert not [t for t in printed if informal.search(t)]


#: DOMAIN §11: the term each screen and paper uses (English key → the Vietnamese it must say).
TERMS = {
    "Withdrawn": "Đã rút hồ sơ",  # a state, as a state
    "Resolve": "Hoàn thành giải quyết",  # a button, as an action
    "Refuse": "Từ chối tiếp nhận",
    "Electronically": "Nhận kết quả điện tử",  # a delivery, not the online submission
}


def test_the_terms_of_the_screens_are_the_offices_own() -> None:
    from onestop.catalog import legal_time_text
    from onestop.models import Procedure

    said: dict[str, set[str]] = {}
    every: list[str] = []
    for package in PACKAGES:
        with catalog_path(package, "po").open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                if message.id and isinstance(message.id, str):
                    said.setdefault(message.id, set()).add(str(message.string))
                    every.append(str(message.string))
    for english, vietnamese in TERMS.items():
        assert said[english] == {vietnamese}, english
    assert not [text for text in every if "tác tử" in text]  # the print agent: máy trạm in
    # The unit is named as configured (the office's name), never the generic "Bộ phận Một cửa".
    assert not [text for text in every if "bộ phận một cửa" in text.lower()]
    assert said["At %(unit)s"] == {"Tại %(unit)s"}
    # The full SIPAS form's statements are answered on an agreement scale (DOMAIN §11).
    from onestop import surveyforms

    full = surveyforms.load(None).forms["full"]
    assert [c.text("vi") for c in full.scale] == [
        "Rất không đồng ý", "Không đồng ý", "Phân vân", "Đồng ý", "Rất đồng ý",
    ]  # fmt: skip
    same_day = Procedure(time_unit="same_day", same_day_cutoff="15:00")
    assert legal_time_text(same_day) == (
        "Trong ngày (nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo)"
    )
    assert (
        legal_time_text(same_day, "en") == "Same day (received after 15:00: the next working day)"
    )

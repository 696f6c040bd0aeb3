"""How staff find a dossier again by what the citizen says or holds: accent-free keys.

Pure (standard library only): the desk uses it, and so does the migration that gave the
dossiers received before it their keys.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any


def plain(text: str) -> str:
    """``text`` as the desk's search compares it: lower case, without accents (đ as d), one
    space between words ("Nguyễn  Văn An" → "nguyen van an")."""
    bare = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def search_key(code: str, applicant: Mapping[str, Any]) -> str:
    """What a dossier is found by: its code, the applicant's (and an authorised filer's) name,
    ID or tax number and phone, plain; phones also as bare digits ("0912 345 678")."""
    people = [applicant, applicant.get("authorised") or {}]
    parts = [code]
    for person in people:
        for key in ("name", "id_number", "tax_code", "phone"):
            value = str(person.get(key) or "")
            parts.append(value)
            if key == "phone":
                parts.append("".join(ch for ch in value if ch.isdigit()))
    return " ".join(plain(part) for part in parts if part)

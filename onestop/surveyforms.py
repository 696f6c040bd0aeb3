"""Survey question sets: the counter rating pad's texts, the short survey and the full SIPAS form.

The wording lives in TOML files (``data/surveys/rating.toml``, ``short.toml``, ``full.toml``) so an
office can change it without code: a folder (``[feedback] forms_directory``) may hold its own copy
of any of the three, and each file found there replaces the built-in one. Files are validated
strictly when loaded, so a mistake is reported with the file's name instead of showing a citizen
a half-translated page.

The codes (rating levels, reasons, scale "1".."5", visits "0"/"1"/"more") are what is stored and
counted in the statistics (DOMAIN §3, §5): an office may reword them but not change them.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from onestop.errors import InvalidInput

BUILT_IN = Path(__file__).parent / "data" / "surveys"
FORMS = ("short", "full")
LEVELS = ("very_satisfied", "satisfied", "unsatisfied")
REASONS = ("waited_too_long", "attitude", "extra_papers", "came_back", "other")
SCALE = ("1", "2", "3", "4", "5")
VISITS = ("0", "1", "more")
KINDS = ("scale", "visits", "text")
FACTORS = (1, 2, 3, 4, 5)
MAX_TEXT = 1000
_FILES = ("rating", *FORMS)
_RATING_TEXTS = ("question", "reasons_question", "idle_counter", "idle_officer", "thanks")
# Question ids become keys of the stored answers and of report columns: keep them plain.
_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")


class FormError(ValueError):
    """A survey data file is wrong; the message names the file and the problem."""


class _Bilingual:
    """The ``text(lang)`` shared by every dataclass below that carries ``vi`` and ``en``."""

    vi: str
    en: str

    def text(self, lang: str) -> str:
        """English when ``lang`` is "en" (Vietnamese if the English is empty), else Vietnamese."""
        return self.en if lang == "en" and self.en else self.vi


@dataclass(frozen=True)
class Text(_Bilingual):
    """A text in Vietnamese and English."""

    vi: str
    en: str


@dataclass(frozen=True)
class Choice(_Bilingual):
    """One answer that can be picked: its stored ``code`` and its label."""

    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class Question(_Bilingual):
    """A survey question; ``factor`` (1..5) is set for scale questions only."""

    id: str
    kind: str  # "scale" | "visits" | "text"
    factor: int | None
    vi: str
    en: str
    required: bool


@dataclass(frozen=True)
class Factor(_Bilingual):
    """A SIPAS factor's title, used as a section heading and in reports."""

    number: int
    vi: str
    en: str


@dataclass(frozen=True)
class Form:
    """A survey ("short" or "full"): its texts, answer choices and questions in display order."""

    code: str
    title: Text
    intro: Text
    scale: tuple[Choice, ...]
    visits: tuple[Choice, ...]
    factors: tuple[Factor, ...]
    questions: tuple[Question, ...]

    def question(self, id: str) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == id), None)


@dataclass(frozen=True)
class RatingTexts:
    """What the counter's rating pad shows. ``idle_counter``/``idle_officer`` hold the
    placeholders ``{counter}``/``{officer}``; ``reasons`` are offered after "unsatisfied"."""

    question: Text
    reasons_question: Text
    idle_counter: Text
    idle_officer: Text
    thanks: Text
    levels: tuple[Choice, ...]
    reasons: tuple[Choice, ...]


@dataclass(frozen=True)
class FormSet:
    """Everything :func:`load` returns. Shared between callers through the cache: do not mutate
    ``forms``."""

    rating: RatingTexts
    forms: dict[str, Form]  # keys: FORMS


class _File:
    """One parsed TOML file and the checks that read it; every error is prefixed by its path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as fh:
                self.data: dict[str, Any] = tomllib.load(fh)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise FormError(f"{path}: {exc}") from exc

    def fail(self, where: str, problem: str) -> NoReturn:
        raise FormError(f"{self.path}: {where}: {problem}")

    def table(self, value: object, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
        """``value`` as a table, rejecting unknown keys (a misspelt key would be silently lost)."""
        if value is None:
            self.fail(where, "is missing")
        if not isinstance(value, dict):
            self.fail(where, "should be a table")
        unknown = sorted(set(value) - set(keys))
        if unknown:
            self.fail(where, f"unknown key(s) {', '.join(unknown)}")
        return value

    def array(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            self.fail(where, "should be a non-empty array of tables ([[...]])")
        return value

    def string(self, table: dict[str, Any], key: str, where: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"{key} must be a non-empty string")
        return unicodedata.normalize("NFC", value).strip()

    def text(self, value: object, where: str) -> Text:
        table = self.table(value, where, ("vi", "en"))
        return Text(self.string(table, "vi", where), self.string(table, "en", where))

    def choices(
        self, value: object, where: str, codes: tuple[str, ...] | None = None
    ) -> tuple[Choice, ...]:
        """The array's choices; with ``codes``, they must be exactly those, in that order."""
        result = []
        for n, item in enumerate(self.array(value, where), 1):
            at = f"{where} #{n}"
            table = self.table(item, at, ("code", "vi", "en"))
            code, vi, en = (self.string(table, key, at) for key in ("code", "vi", "en"))
            result.append(Choice(code, vi, en))
        got = tuple(c.code for c in result)
        if codes is not None and got != codes:
            self.fail(
                where, f"codes must be {', '.join(codes)} in this order, not {', '.join(got)}"
            )
        return tuple(result)


def _rating(file: _File) -> RatingTexts:
    data = file.table(file.data, "top level", (*_RATING_TEXTS, "levels", "reasons"))
    texts = {key: file.text(data.get(key), key) for key in _RATING_TEXTS}
    for key, placeholder in (("idle_counter", "{counter}"), ("idle_officer", "{officer}")):
        if any(placeholder not in t for t in (texts[key].vi, texts[key].en)):
            file.fail(key, f"both texts must contain {placeholder}")
    reasons = file.choices(data.get("reasons"), "reasons")
    codes = [r.code for r in reasons]
    if len(set(codes)) != len(codes) or not set(codes) <= set(REASONS):
        file.fail("reasons", f"codes must be distinct and among {', '.join(REASONS)}")
    return RatingTexts(
        **texts, levels=file.choices(data.get("levels"), "levels", LEVELS), reasons=reasons
    )


def _question(file: _File, item: object, where: str) -> Question:
    table = file.table(item, where, ("id", "kind", "factor", "vi", "en", "required"))
    qid = file.string(table, "id", where)
    if not _ID.fullmatch(qid):
        file.fail(where, f"id {qid!r} must be lower-case letters, digits and _")
    where = f"question {qid}"
    kind, factor, required = table.get("kind"), table.get("factor"), table.get("required", False)
    if kind not in KINDS:
        file.fail(where, f"kind must be one of {', '.join(KINDS)}")
    # isinstance(bool) first: True == 1 would otherwise pass as factor 1.
    if kind == "scale" and (isinstance(factor, bool) or factor not in FACTORS):
        file.fail(where, "a scale question needs a factor from 1 to 5")
    if kind != "scale" and factor is not None:
        file.fail(where, "only scale questions have a factor")
    if not isinstance(required, bool):
        file.fail(where, "required must be true or false")
    vi, en = file.string(table, "vi", where), file.string(table, "en", where)
    return Question(qid, kind, factor, vi, en, required)


def _factor(file: _File, item: object, where: str) -> Factor:
    table = file.table(item, where, ("number", "vi", "en"))
    number = table.get("number")
    if isinstance(number, bool) or not isinstance(number, int):
        file.fail(where, "number must be a whole number")
    return Factor(number, file.string(table, "vi", where), file.string(table, "en", where))


# The statistics read answers by id (onestop.evaluation): the factor of a scale answer is in its
# id, and the visits answer has a fixed one. An office may reword and drop questions, not rename.
STATISTICS_IDS = {"short": re.compile(r"f(\d)"), "full": re.compile(r"c(\d)_\d+")}


def _check_statistics_ids(file: _File, code: str, questions: tuple[Question, ...]) -> None:
    pattern = STATISTICS_IDS[code]
    for q in questions:
        found = pattern.fullmatch(q.id)
        if q.kind == "scale" and (found is None or int(found.group(1)) != q.factor):
            file.fail(
                f"question {q.id}",
                f"a scale question of the {code} survey is named after its factor "
                f"({'f<factor>' if code == 'short' else 'c<factor>_<n>'}): the statistics read it",
            )
        if q.kind == "visits" and q.id != "visits":
            file.fail(f"question {q.id}", "the visits question must keep the id 'visits'")


def _form(file: _File, code: str) -> Form:
    keys = ("title", "intro", "scale", "visits", "factors", "questions")
    data = file.table(file.data, "top level", keys)
    items = file.array(data.get("factors"), "factors")
    factors = tuple(_factor(file, item, f"factors #{n}") for n, item in enumerate(items, 1))
    if tuple(f.number for f in factors) != FACTORS:
        file.fail("factors", "must be the 5 SIPAS factors, numbered 1 to 5 in order")
    items = file.array(data.get("questions"), "questions")
    questions = tuple(_question(file, item, f"questions #{n}") for n, item in enumerate(items, 1))
    ids = [q.id for q in questions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        file.fail("questions", f"duplicate id(s) {', '.join(duplicates)}")
    _check_statistics_ids(file, code, questions)
    return Form(
        code=code,
        title=file.text(data.get("title"), "title"),
        intro=file.text(data.get("intro"), "intro"),
        scale=file.choices(data.get("scale"), "scale", SCALE),
        visits=file.choices(data.get("visits"), "visits", VISITS),
        factors=factors,
        questions=questions,
    )


@functools.lru_cache(maxsize=16)
def _load(stamps: tuple[tuple[str, int], ...]) -> FormSet:
    # Keyed by (path, mtime) of the three files: an edited file is read again on the next call.
    files = {name: _File(Path(path)) for name, (path, _) in zip(_FILES, stamps, strict=True)}
    return FormSet(
        rating=_rating(files["rating"]), forms={code: _form(files[code], code) for code in FORMS}
    )


def load(directory: str | Path | None = None) -> FormSet:
    """The rating texts and the forms: built in, or the office's copies in ``directory``.

    Each of rating.toml, short.toml and full.toml found in ``directory`` replaces the built-in
    file; a file left out keeps the built-in one. The result is cached until a file changes, so
    calling this per request is cheap. Raises :class:`FormError` for a missing folder or a wrong
    file.
    """
    paths = {name: BUILT_IN / f"{name}.toml" for name in _FILES}
    if directory is not None and str(directory).strip():
        folder = Path(directory).expanduser().resolve()
        if not folder.is_dir():
            raise FormError(f"{folder}: the survey forms folder does not exist")
        for name in _FILES:
            if (folder / f"{name}.toml").is_file():
                paths[name] = folder / f"{name}.toml"
    return _load(tuple((str(p), p.stat().st_mtime_ns) for p in paths.values()))


def _clean(question: Question, value: object) -> int | str | None:
    """One answer, cleaned; None for an unanswered question."""
    if value is None or value == "":
        return None
    if question.kind == "scale":
        if isinstance(value, str) and value in SCALE:
            return int(value)
        # bool is an int subclass: True must not count as "1".
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            return value
        raise InvalidInput(
            f"The answer to {question.id} must be a whole number from 1 to 5", code="invalid_answer"
        )
    if question.kind == "visits":
        if isinstance(value, str) and value in VISITS:
            return value
        raise InvalidInput(
            f"The answer to {question.id} must be one of {', '.join(VISITS)}",
            code="invalid_answer",
        )
    if not isinstance(value, str):
        raise InvalidInput(f"The answer to {question.id} must be text", code="invalid_answer")
    # Control characters (NUL above all, which PostgreSQL refuses in text) are dropped; line
    # breaks and tabs are kept. NFC so the same words compare and search equal.
    text = "".join(
        ch
        for ch in unicodedata.normalize("NFC", value)
        if ch in "\n\t" or unicodedata.category(ch) != "Cc"
    ).strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"The answer to {question.id} is longer than {MAX_TEXT} characters", code="too_long"
        )
    return text or None


def clean_answers(form: Form, answers: object) -> dict[str, int | str]:
    """A citizen's answers to ``form``, validated: scale answers as int 1..5, visits as a code,
    texts NFC-normalised and stripped; unanswered questions left out. Raises InvalidInput."""
    if not isinstance(answers, dict):
        raise InvalidInput(
            "The answers must be an object of question ids and answers", code="invalid_answers"
        )
    cleaned: dict[str, int | str] = {}
    for key, value in answers.items():
        question = form.question(key) if isinstance(key, str) else None
        if question is None:
            raise InvalidInput(
                f"There is no question {key!r} in this survey", code="unknown_question"
            )
        answer = _clean(question, value)
        if answer is not None:
            cleaned[question.id] = answer
    missing = [q.id for q in form.questions if q.required and q.id not in cleaned]
    if missing:
        raise InvalidInput(f"Please answer {', '.join(missing)}", code="missing_answer")
    if not cleaned:
        raise InvalidInput("The survey has no answers", code="empty_survey")
    return cleaned


def _labels(choices: tuple[Choice, ...], lang: str) -> list[dict[str, str]]:
    return [{"code": c.code, "label": c.text(lang)} for c in choices]


def form_view(form: Form, lang: str) -> dict[str, Any]:
    """The form in one language, as JSON-able data for the survey page."""
    return {
        "code": form.code,
        "title": form.title.text(lang),
        "intro": form.intro.text(lang),
        "scale": _labels(form.scale, lang),
        "visits": _labels(form.visits, lang),
        "factors": [{"number": f.number, "title": f.text(lang)} for f in form.factors],
        "questions": [
            {
                "id": q.id,
                "kind": q.kind,
                "factor": q.factor,
                "text": q.text(lang),
                "required": q.required,
            }
            for q in form.questions
        ],
    }


def rating_view(texts: RatingTexts, lang: str) -> dict[str, Any]:
    """The rating pad's texts in one language, as JSON-able data."""
    return {
        **{key: getattr(texts, key).text(lang) for key in _RATING_TEXTS},
        "levels": _labels(texts.levels, lang),
        "reasons": _labels(texts.reasons, lang),
    }

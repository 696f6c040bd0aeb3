"""Survey question sets: the built-in TOML files, an office's overrides, validation, answers."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest

from onestop import surveyforms
from onestop.errors import InvalidInput
from onestop.surveyforms import FormError

SIPAS_COUNTS = {1: 4, 2: 5, 3: 6, 4: 3, 5: 4}


@pytest.fixture(scope="module")
def forms() -> surveyforms.FormSet:
    return surveyforms.load()


def built_in(name: str) -> str:
    return (surveyforms.BUILT_IN / f"{name}.toml").read_text(encoding="utf-8")


def question(form: surveyforms.Form, qid: str) -> surveyforms.Question:
    found = form.question(qid)
    assert found is not None, qid
    return found


def office_folder(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_built_in_set_loads(forms: surveyforms.FormSet) -> None:
    assert set(forms.forms) == set(surveyforms.FORMS)
    assert tuple(c.code for c in forms.rating.levels) == surveyforms.LEVELS
    assert tuple(c.code for c in forms.rating.reasons) == surveyforms.REASONS
    assert forms.rating.levels[2].text("vi") == "Không hài lòng"
    assert "{counter}" in forms.rating.idle_counter.text("en")
    assert "{officer}" in forms.rating.idle_officer.text("vi")
    assert surveyforms.load() is forms  # cached while the files are unchanged


def test_short_form_questions(forms: surveyforms.FormSet) -> None:
    short = forms.forms["short"]
    assert [q.id for q in short.questions] == [
        "f1",
        "f2",
        "f3",
        "f4",
        "f5",
        "visits",
        "expectation",
    ]
    assert [(q.kind, q.factor) for q in short.questions[:5]] == [("scale", n) for n in range(1, 6)]
    assert question(short, "visits").kind == "visits"
    assert question(short, "expectation").kind == "text"
    assert short.question("c1_1") is None
    assert not any(q.required for q in short.questions)
    assert [c.code for c in short.scale] == ["1", "2", "3", "4", "5"]
    assert [c.code for c in short.visits] == ["0", "1", "more"]


def test_full_form_has_the_22_sipas_criteria(forms: surveyforms.FormSet) -> None:
    full = forms.forms["full"]
    scale = [q for q in full.questions if q.kind == "scale"]
    assert len(scale) == 22
    expected = [f"c{f}_{n}" for f, count in SIPAS_COUNTS.items() for n in range(1, count + 1)]
    assert [q.id for q in scale] == expected
    assert all(q.factor == int(q.id[1]) for q in scale)
    assert [f.number for f in full.factors] == [1, 2, 3, 4, 5]
    assert {q.id for q in full.questions} - set(expected) == {"visits", "expectation"}
    assert "niêm yết công khai, đầy đủ" in question(full, "c2_1").vi
    assert "thời hạn giải quyết" in question(full, "c2_5").vi.lower()


def test_every_text_is_translated(forms: surveyforms.FormSet) -> None:
    rating = forms.rating
    texts: list[Any] = [rating.question, rating.reasons_question, rating.idle_counter]
    texts += [rating.idle_officer, rating.thanks, *rating.levels, *rating.reasons]
    for form in forms.forms.values():
        texts += [form.title, form.intro, *form.scale, *form.visits, *form.factors]
        texts += form.questions
        for q in form.questions:
            assert q.vi != q.en, q.id  # really translated, not copied
    for t in texts:
        assert t.vi.strip()
        assert t.en.strip()
        assert unicodedata.is_normalized("NFC", t.vi)


def test_office_folder_overrides_only_the_files_it_holds(
    forms: surveyforms.FormSet, tmp_path: Path
) -> None:
    text = built_in("short").replace("Khảo sát sự hài lòng", "Phiếu góp ý của xã", 1)
    office = surveyforms.load(office_folder(tmp_path, "short", text))
    assert office.forms["short"].title.text("vi") == "Phiếu góp ý của xã"
    assert office.forms["full"] == forms.forms["full"]
    assert office.rating == forms.rating
    assert surveyforms.load(str(tmp_path)) is office
    assert surveyforms.load("") is forms  # the config's empty setting: built-in files


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FormError, match="does not exist"):
        surveyforms.load(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("name", "old", "new", "problem"),
    [
        ("short", 'en = "Satisfaction survey"', "", "en must be a non-empty string"),
        ("short", 'en = "Satisfaction survey"', 'en = ""', "en must be a non-empty string"),
        ("full", "[[questions]]", "[[questions]", "full.toml"),
        ("short", '[[scale]]\ncode = "5"', '[[nothing]]\ncode = "5"', "unknown key"),
        ("full", 'code = "5"', 'code = "6"', "codes must be 1, 2, 3, 4, 5"),
        ("rating", 'code = "other"', 'code = "rude"', "codes must be distinct"),
        ("rating", 'code = "other"', 'code = "attitude"', "codes must be distinct"),
        ("rating", 'code = "satisfied"', 'code = "ok"', "very_satisfied, satisfied"),
        ("rating", 'en = "Counter {counter}"', 'en = "Counter {quay}"', "{counter}"),
        ("short", 'id = "f2"', 'id = "f1"', "duplicate id(s) f1"),
        ("short", 'kind = "text"', 'kind = "essay"', "kind must be one of"),
        ("short", "factor = 3", "factor = 7", "factor from 1 to 5"),
        ("full", "number = 5", "number = 6", "numbered 1 to 5"),
        ("short", 'id = "visits"', 'id = "Visits!"', "lower-case"),
        ("short", 'id = "f2"', 'id = "procedure"', "named after its factor"),
        ("full", 'id = "c3_1"', 'id = "c2_9"', "named after its factor"),
        ("short", 'id = "visits"', 'id = "trips"', "must keep the id 'visits'"),
    ],
)
def test_broken_file_names_the_file_and_the_problem(
    tmp_path: Path, name: str, old: str, new: str, problem: str
) -> None:
    text = built_in(name)
    assert old in text
    folder = office_folder(tmp_path, name, text.replace(old, new, 1))
    with pytest.raises(FormError) as caught:
        surveyforms.load(folder)
    assert f"{name}.toml" in str(caught.value)
    assert problem in str(caught.value)


def test_four_level_scale_is_rejected(tmp_path: Path) -> None:
    text = built_in("short")
    start = text.index('[[scale]]\ncode = "5"')
    text = text[:start] + text[text.index("[[visits]]") :]
    with pytest.raises(FormError, match=r"short\.toml: scale: codes must be"):
        surveyforms.load(office_folder(tmp_path, "short", text))


def test_office_may_drop_and_reorder_reasons(tmp_path: Path) -> None:
    text = built_in("rating")
    head, first, *rest = text.split("[[reasons]]")
    folder = office_folder(tmp_path, "rating", "[[reasons]]".join([head, *rest[:2], first]))
    codes = [c.code for c in surveyforms.load(folder).rating.reasons]
    assert codes == ["attitude", "extra_papers", "waited_too_long"]


def test_clean_answers_converts_and_drops(forms: surveyforms.FormSet) -> None:
    short = forms.forms["short"]
    nfd = unicodedata.normalize("NFD", "  Cán bộ hướng dẫn rất tận tình\x00  ")
    assert nfd != unicodedata.normalize("NFC", nfd)
    cleaned = surveyforms.clean_answers(
        short, {"f1": 5, "f2": "4", "f3": "", "f4": None, "visits": "more", "expectation": nfd}
    )
    assert cleaned == {
        "f1": 5,
        "f2": 4,
        "visits": "more",
        "expectation": "Cán bộ hướng dẫn rất tận tình",
    }
    assert unicodedata.is_normalized("NFC", str(cleaned["expectation"]))
    assert surveyforms.clean_answers(short, {"expectation": "x" * surveyforms.MAX_TEXT})


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        (["f1", 5], "invalid_answers"),
        ({"f9": 3}, "unknown_question"),
        ({"c1_1": 3}, "unknown_question"),
        ({"f1": 0}, "invalid_answer"),
        ({"f1": 6}, "invalid_answer"),
        ({"f1": True}, "invalid_answer"),
        ({"f1": 4.0}, "invalid_answer"),
        ({"f1": " 4"}, "invalid_answer"),
        ({"visits": "2"}, "invalid_answer"),
        ({"visits": 1}, "invalid_answer"),
        ({"expectation": 42}, "invalid_answer"),
        ({"expectation": "x" * (surveyforms.MAX_TEXT + 1)}, "too_long"),
        ({}, "empty_survey"),
        ({"f1": "", "expectation": "   "}, "empty_survey"),
    ],
)
def test_clean_answers_rejects(forms: surveyforms.FormSet, answers: object, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        surveyforms.clean_answers(forms.forms["short"], answers)
    assert caught.value.code == code


def test_required_question_must_be_answered(tmp_path: Path) -> None:
    text = built_in("short").replace("factor = 3\n", "factor = 3\nrequired = true\n", 1)
    short = surveyforms.load(office_folder(tmp_path, "short", text)).forms["short"]
    with pytest.raises(InvalidInput) as caught:
        surveyforms.clean_answers(short, {"f1": 4})
    assert caught.value.code == "missing_answer"
    assert "f3" in caught.value.message
    assert surveyforms.clean_answers(short, {"f3": 4}) == {"f3": 4}


def test_form_view_in_both_languages(forms: surveyforms.FormSet) -> None:
    vi = surveyforms.form_view(forms.forms["full"], "vi")
    en = surveyforms.form_view(forms.forms["full"], "en")
    assert vi["code"] == en["code"] == "full"
    # The full form's SIPAS statements are agreed with or not (DOMAIN §11); the short form's
    # factor questions ask how satisfied.
    assert [s["label"] for s in vi["scale"]][::4] == ["Rất không đồng ý", "Rất đồng ý"]
    assert [s["label"] for s in en["scale"]][::4] == ["Strongly disagree", "Strongly agree"]
    short = surveyforms.form_view(forms.forms["short"], "vi")
    assert [s["label"] for s in short["scale"]][::4] == ["Rất không hài lòng", "Rất hài lòng"]
    assert [v["label"] for v in vi["visits"]] == ["Không lần nào", "1 lần", "Nhiều hơn 1 lần"]
    assert vi["factors"][0] == {"number": 1, "title": "Tiếp cận dịch vụ"}
    assert en["factors"][0] == {"number": 1, "title": "Access to the service"}
    assert set(vi["questions"][0]) == {"id", "kind", "factor", "text", "required"}
    assert vi["questions"][0]["text"] != en["questions"][0]["text"]
    # Any language other than English gets Vietnamese.
    assert surveyforms.form_view(forms.forms["full"], "fr") == vi


def test_rating_view_in_both_languages(forms: surveyforms.FormSet) -> None:
    vi = surveyforms.rating_view(forms.rating, "vi")
    en = surveyforms.rating_view(forms.rating, "en")
    assert vi["question"].startswith("Ông/bà có hài lòng")
    assert en["question"].startswith("Are you satisfied")
    assert [lv["label"] for lv in vi["levels"]] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert [lv["code"] for lv in en["levels"]] == list(surveyforms.LEVELS)
    assert en["levels"][0]["label"] == "Very satisfied"
    assert vi["idle_counter"].format(counter=3) == "Quầy số 3"
    assert en["idle_counter"].format(counter=3) == "Counter 3"
    assert {"reasons_question", "idle_officer", "thanks"} <= set(en)


def test_text_falls_back_to_vietnamese() -> None:
    choice = surveyforms.Choice("x", "Tiếng Việt", "")
    assert choice.text("en") == choice.text("vi") == "Tiếng Việt"

"""The one-stop slips: their legal fields, their errors, and the PDF they print as."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from printer.document import QR, BigNumber, Block, Columns, Document, Field, Gap, Items, Rule, Text
from printer.pdf import render_pdf
from printer.slips import SLIPS, sample

KINDS = sorted(SLIPS)
MOMENT = re.compile(r"^\d{2} giờ \d{2} phút, ngày \d{2}/\d{2}/\d{4}$")
LONG_NAME = (
    "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, "
    "nhà ở và các tài sản khác gắn liền với đất theo quy định của pháp luật về đất đai "
) * 12


def build(kind: str, **changes: Any) -> Document:
    return SLIPS[kind](sample(kind) | changes)


def texts(doc: Document) -> list[str]:
    """Every printed string, flattened: a Field as ``label: value``, column lines included."""
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Text | BigNumber):
            out.append(block.text)
        elif isinstance(block, Field):
            out.append(f"{block.label}: {block.value}")
        elif isinstance(block, Items):
            out += block.items
        elif isinstance(block, Columns):
            out += [t.text for t in (*block.left, *block.right)]
    return out


def fields(doc: Document) -> dict[str, str]:
    return {b.label: b.value for b in doc.blocks if isinstance(b, Field)}


def only(doc: Document, kind: type[Block]) -> list[Any]:
    return [b for b in doc.blocks if isinstance(b, kind)]


def nfd(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, list):
        return [nfd(v) for v in value]
    if isinstance(value, dict):
        return {k: nfd(v) for k, v in value.items()}
    return value


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed; apt-get install poppler-utils")
    return path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "slip.pdf"
    source.write_bytes(pdf)
    run = [poppler("pdftotext"), "-enc", "UTF-8", str(source), "-"]
    return subprocess.run(run, check=True, capture_output=True, text=True).stdout


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    from pyzbar.pyzbar import decode

    source = tmp_path / "slip.pdf"
    source.write_bytes(pdf)
    subprocess.run([poppler("pdftoppm"), "-png", "-r", "150", str(source), str(tmp_path / "p")],
                   check=True)  # fmt: skip
    found = []
    for png in sorted(tmp_path.glob("p*.png")):
        with Image.open(png) as image:
            found += [d.data.decode() for d in decode(image.convert("L"))]
    return found


# --- the slips as documents ---------------------------------------------------------------


def test_receipt_carries_the_fields_of_mau_01() -> None:
    data = sample("receipt")
    doc = SLIPS["receipt"](data)
    got, printed = fields(doc), texts(doc)
    header = only(doc, Columns)[0]
    assert [t.text for t in header.right][:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert "Demo, ngày 25 tháng 11 năm 2026" in printed
    assert [t.text for t in header.left] == ["UBND XÃ DEMO", "Số: 123/TTPVHCC"]
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in printed
    assert f"Mã hồ sơ: {data['dossier_code']}" in printed
    assert got["Ông (Bà)/Tổ chức"] == data["applicant_name"]
    assert got["Số định danh cá nhân/tổ chức"] == data["applicant_id"]
    assert got["Địa chỉ"] == data["address"]
    assert got["Số điện thoại"] == data["phone"]
    assert got["Email"] == data["email"]
    assert got["Nội dung yêu cầu giải quyết"] == data["procedure_name"]
    assert only(doc, Items)[0].items == tuple(data["documents"])
    assert got["Số lượng hồ sơ"] == "01 bộ"
    assert got["Thời gian giải quyết hồ sơ theo quy định"] == "02 ngày làm việc"
    assert got["Thời gian nhận hồ sơ"] == "14 giờ 05 phút, ngày 25/11/2026"
    assert got["Thời gian trả kết quả giải quyết hồ sơ"] == "14 giờ 05 phút, ngày 27/11/2026"
    assert got["Nơi trả kết quả"] == data["return_place"]
    assert got["Hình thức nhận kết quả"] == "Trực tiếp tại UBND xã Demo"  # the unit, by name
    assert got["Vào Sổ theo dõi hồ sơ"] == "Quyển số: 01/2026, Số thứ tự: 0007"
    signatures = only(doc, Columns)[1]
    assert signatures.left[0].text == "NGƯỜI NỘP HỒ SƠ"
    assert signatures.left[-1].text == data["applicant_name"]
    assert signatures.right[0].text == "NGƯỜI TIẾP NHẬN"
    assert signatures.right[-1].text == data["officer_name"]
    assert [q.data for q in only(doc, QR)] == [data["status_url"]]
    assert "Quét mã để theo dõi tiến độ hồ sơ" in printed


def test_supplement_request_carries_the_fields_of_mau_02() -> None:
    data = sample("supplement_request")
    doc = SLIPS["supplement_request"](data)
    got, printed = fields(doc), texts(doc)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in printed
    assert f"Số: {data['number']}" in printed
    assert "/PBS-" in data["number"]
    assert f"Mã hồ sơ: {data['dossier_code']}" in printed
    assert got["Hồ sơ của"] == data["applicant_name"]
    assert got["Nội dung yêu cầu giải quyết"] == data["procedure_name"]
    assert got["Địa chỉ"] == data["address"]
    assert got["Số điện thoại"] == data["phone"]
    assert "Email" not in got  # optional and not in the sample
    assert only(doc, Items)[0].items == tuple(data["items"])
    assert got["Lý do"] == data["reason"]
    assert any(data["contact_name"] in t and data["contact_phone"] in t for t in printed)
    signer = only(doc, Columns)[1]
    assert signer.left == ()
    assert signer.right[0].text == "NGƯỜI HƯỚNG DẪN"
    assert signer.right[-1].text == data["officer_name"]
    assert [q.data for q in only(doc, QR)] == [data["status_url"]]


def test_supplement_request_without_the_optional_keys() -> None:
    data = sample("supplement_request")
    for key in ("dossier_code", "status_url"):
        del data[key]
    doc = SLIPS["supplement_request"](data | {"email": "hung@example.vn"})
    assert only(doc, QR) == []
    assert not any(t.startswith("Mã hồ sơ") for t in texts(doc))
    assert fields(doc)["Email"] == "hung@example.vn"


def test_apology_carries_the_fields_of_mau_04() -> None:
    data = sample("apology")
    doc = SLIPS["apology"](data)
    got, printed = fields(doc), texts(doc)
    body = " ".join(printed)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in printed
    assert "Số: 03/PXL" in printed
    assert f"Kính gửi: Ông (Bà) {data['applicant_name']}" in printed
    assert "Ngày 25/11/2026, UBND xã Demo tiếp nhận" in body
    assert data["procedure_name"] in body
    assert got["Số định danh cá nhân/tổ chức"] == data["applicant_id"]
    assert got["Mã hồ sơ"] == data["dossier_code"]
    assert got["Thời gian hẹn trả kết quả giải quyết hồ sơ"] == "14 giờ 05 phút, ngày 27/11/2026"
    assert "chưa trả kết quả giải quyết hồ sơ" in body  # the statement that it is late
    assert got["Lý do"] == data["reason"]
    assert "xin lỗi Ông (Bà)/Tổ chức" in body
    assert "10 giờ 00 phút, ngày 01/12/2026" in printed  # the new appointment
    signer = only(doc, Columns)[1].right
    assert signer[0].text == "CHỦ TỊCH"
    assert signer[-1].text == data["signer_name"]
    assert [q.data for q in only(doc, QR)] == [data["status_url"]]


@pytest.mark.parametrize("kind", KINDS)
def test_every_time_is_hour_minute_and_date(kind: str) -> None:
    moments = [v for v in fields(build(kind)).values() if "giờ" in v]
    assert all(MOMENT.match(v) for v in moments)
    expected = {"receipt": 2, "supplement_request": 0, "apology": 1, "refusal": 0,
                "stop_notice": 0, "control": 2}  # fmt: skip
    assert len(moments) == expected[kind]


def test_times_print_in_the_offset_they_were_given_in() -> None:
    got = fields(build("receipt", received_at="2026-11-25T01:05:00+00:00"))
    assert got["Thời gian nhận hồ sơ"] == "01 giờ 05 phút, ngày 25/11/2026"


def test_header_date_pads_day_and_the_first_two_months() -> None:
    assert "Demo, ngày 05 tháng 01 năm 2027" in texts(build("apology", date="2027-01-05"))
    assert "Demo, ngày 09 tháng 3 năm 2027" in texts(build("apology", date="2027-03-09T08:00"))


@pytest.mark.parametrize(
    ("delivery", "words"),
    [("post", "Qua dịch vụ bưu chính công ích"), ("electronic", "Nhận kết quả điện tử")],
)
def test_delivery_in_words(delivery: str, words: str) -> None:
    assert fields(build("receipt", delivery=delivery))["Hình thức nhận kết quả"] == words


def test_receipt_optional_keys() -> None:
    data = sample("receipt")
    for key in ("applicant_id", "email", "register_book", "register_no", "sets"):
        del data[key]
    doc = SLIPS["receipt"](data | {"parent_body": "UBND tỉnh Demo"})
    got = fields(doc)
    assert {"Số định danh cá nhân/tổ chức", "Email", "Vào Sổ theo dõi hồ sơ"}.isdisjoint(got)
    assert got["Số lượng hồ sơ"] == "01 bộ"
    assert [t.text for t in only(doc, Columns)[0].left][:2] == ["UBND TỈNH DEMO", "UBND XÃ DEMO"]
    assert fields(build("receipt", sets=3))["Số lượng hồ sơ"] == "03 bộ"


@pytest.mark.parametrize(
    ("kind", "key"),
    [("receipt", "due_at"), ("receipt", "documents"), ("supplement_request", "items"),
     ("supplement_request", "reason"), ("apology", "new_due_at"), ("apology", "dossier_code")],
)  # fmt: skip
def test_a_missing_required_key_is_named(kind: str, key: str) -> None:
    data = sample(kind)
    del data[key]
    with pytest.raises(KeyError, match=f"{kind}: missing required key.*{key}"):
        SLIPS[kind](data)


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        ("receipt", {"applicant_name": "  "}, "empty: applicant_name"),
        ("receipt", {"delivery": "fax"}, "delivery must be one of"),
        ("receipt", {"documents": "Tờ khai"}, "documents must be a list"),
        ("receipt", {"documents": []}, "documents must list at least one"),
        ("receipt", {"sets": 0}, "sets must be a positive int"),
        ("receipt", {"due_at": "2026-11-27"}, "due_at needs a time of day"),
        ("receipt", {"received_at": "hôm qua"}, "received_at is not an ISO 8601"),
        ("receipt", {"due_at": "2026-11-24T08:00:00+07:00"}, "due_at must be later than"),
        ("receipt", {"due_at": "2026-11-27T14:05:00"}, "both have a UTC offset, or neither"),
        ("apology", {"new_due_at": "2026-11-27T14:05:00+07:00"}, "new_due_at must be later"),
    ],
)
def test_bad_values_are_refused_with_the_reason(
    kind: str, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build(kind, **changes)


def test_sample_of_an_unknown_slip() -> None:
    with pytest.raises(ValueError, match="unknown slip"):
        sample("handover")


# --- the PDF ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["A4", "A5"])
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_renders_on_one_page_and_deterministically(kind: str, page: str) -> None:
    first, second = render_pdf(build(kind), page), render_pdf(build(kind), page)
    assert first.startswith(b"%PDF-")
    assert first == second
    assert pages(first) == 1
    width = {"A4": b"595.28 841.89", "A5": b"419.53 595.28"}[page]
    assert b"/MediaBox [0 0 " + width + b"]" in first


def test_unknown_page_size() -> None:
    with pytest.raises(ValueError, match="page must be one of A4, A5"):
        render_pdf(build("receipt"), "Letter")


@pytest.mark.parametrize("kind", KINDS)
def test_nfd_input_prints_the_same_pdf_as_nfc(kind: str) -> None:
    decomposed = nfd(sample(kind))
    assert decomposed["applicant_name"] != sample(kind)["applicant_name"]
    assert render_pdf(SLIPS[kind](decomposed), "A5") == render_pdf(build(kind), "A5")


def test_every_block_type_renders() -> None:
    doc = Document(
        "tất cả",
        (
            BigNumber("B012"),
            Rule(),
            Gap(2),
            Text("nhỏ, phải", "small", align="right"),
            Text("lớn", "large", bold=True, align="left"),
            Field("Nhãn", "giá trị"),
            Items(("một", "hai")),
            Columns((Text("trái"),), (Text("phải"), Text(""))),
            QR("https://motcua.example.vn/x", "large"),
        ),
    )
    assert render_pdf(doc, "A5").startswith(b"%PDF-")


def test_a_very_long_procedure_name_wraps_onto_more_pages() -> None:
    # Unwrapped, the name would run off the right edge on one line and the page count would stay.
    assert pages(render_pdf(build("receipt", procedure_name=LONG_NAME), "A4")) >= 2


@pytest.mark.parametrize("page", ["A4", "A5"])
def test_long_text_never_crosses_the_margins(page: str, tmp_path: Path) -> None:
    url = "https://motcua.example.vn/tra-cuu/" + "x" * 150  # one word wider than the page
    doc = build("receipt", procedure_name=LONG_NAME, email=url)
    source = tmp_path / "slip.pdf"
    source.write_bytes(render_pdf(doc, page))
    out = tmp_path / "words.html"
    subprocess.run([poppler("pdftotext"), "-bbox", str(source), str(out)], check=True)
    html = out.read_text("utf-8")
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    margin = {"A4": 20, "A5": 15}[page] * 72 / 25.4
    boxes = [
        (float(x0), float(y0), float(x1), word)
        for x0, y0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            html,
        )
    ]
    assert len(boxes) > 500
    assert all(x0 >= margin - 1 and x1 <= width - margin + 1 for x0, _, x1, _ in boxes)
    lines_with_the_name = {round(y0) for _, y0, _, word in boxes if word == "gắn"}
    assert len(lines_with_the_name) >= 6


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_text_is_the_vietnamese_of_the_slip(kind: str, tmp_path: Path) -> None:
    text = " ".join(pdf_text(render_pdf(build(kind), "A4"), tmp_path).split())
    data = sample(kind)
    expected = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                data["applicant_name"]]  # fmt: skip
    if kind != "refusal":  # a refusal at reception: no dossier, so no code and no page
        expected += [data["dossier_code"], "Quét mã để theo dõi tiến độ hồ sơ"]
    else:
        expected += ["PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", data["reason"]]
    for words in expected:
        assert words in text
    if kind == "receipt":
        assert "Thời gian trả kết quả giải quyết hồ sơ: 14 giờ 05 phút, ngày 27/11/2026" in text
        assert "1. Dự thảo hợp đồng, giao dịch" in text


@pytest.mark.parametrize(
    ("kind", "page"), [(k, "A5") for k in KINDS if k != "refusal"] + [("receipt", "A4")]
)
def test_the_qr_on_the_page_reads_back_as_the_status_url(
    kind: str, page: str, tmp_path: Path
) -> None:
    assert qr_codes(render_pdf(build(kind), page), tmp_path) == [sample(kind)["status_url"]]


def test_the_core_knows_every_slip_the_printer_draws() -> None:
    """onestop.printing may not import printer, so it lists the slips itself: keep them equal."""
    from onestop import printing

    assert set(printing.SLIPS) == set(SLIPS)


def test_refusal_gives_the_reason_and_no_appointment() -> None:
    data = sample("refusal")
    doc = build("refusal")
    printed, got = texts(doc), fields(doc)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in printed
    assert got["Ông (Bà)/Tổ chức"] == data["applicant_name"]
    assert got["Đề nghị giải quyết thủ tục hành chính"] == data["procedure_name"]
    assert data["reason"] in printed
    assert "Mã hồ sơ" not in got  # at reception: no dossier was received
    assert not only(doc, QR)
    assert fields(build("refusal", dossier_code="X-1"))["Mã hồ sơ"] == "X-1"
    assert only(doc, Columns)[1].right[-1].text == data["officer_name"]


def test_stop_notice_names_the_dossier_the_reason_and_the_head() -> None:
    data = sample("stop_notice")
    doc = build("stop_notice")
    printed = texts(doc)
    assert "Về việc dừng giải quyết hồ sơ" in printed
    assert fields(doc)["Mã hồ sơ"] == data["dossier_code"]
    assert data["reason"] in printed
    assert any("Ngày 25/11/2026" in line for line in printed)
    signer = only(doc, Columns)[1].right
    assert (signer[0].text, signer[-1].text) == ("CHỦ TỊCH", data["signer_name"])


def test_control_lists_each_hand_over_with_its_judgement() -> None:
    doc = build("control")
    steps = [t for t in texts(doc) if re.match(r"^\d\. ", t)]
    assert steps == [
        (
            "1. 14 giờ 05 phút, ngày 25/11/2026 — Tiếp nhận hồ sơ — Bộ phận tiếp nhận và trả kết "
            "quả, Trần Văn Bình"
        ),
        (
            "2. 09 giờ 30 phút, ngày 26/11/2026 — Giải quyết hồ sơ — Công chức Tư pháp - Hộ tịch, "
            "Lê Thị Mai — Trước hạn"
        ),
        (
            "3. 10 giờ 00 phút, ngày 27/11/2026 — Trả kết quả — Bộ phận tiếp nhận và trả kết quả, "
            "Trần Văn Bình — Đúng hạn"
        ),
    ]
    with pytest.raises(ValueError, match="timeliness"):
        build("control", steps=[{**sample("control")["steps"][0], "timeliness": "soon"}])
    with pytest.raises(ValueError, match="at least the receipt"):
        build("control", steps=[])

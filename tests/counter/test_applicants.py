"""Who a dossier is for and who files it (issue 14 §3): organisations with their mã số doanh
nghiệp/thuế, an authorised person filing for the applicant, and the address the post brings the
result to: on the desk's record, the receipt (read back from its PDF), never on public pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.counter.test_dossier_api import receive
from tests.counter.test_reception import printed
from tests.helpers import APPLICANT, LONG_SESSIONS, local

COMPANY = {"kind": "organisation", "name": "Công ty TNHH Hoa Sen", "tax_code": "0101234567",
           "address": "Số 5 đường Lê Lợi", "phone": "0243 812 345"}  # fmt: skip
FILER = {
    "name": "Phạm Thị Lan",
    "id_number": "001199000777",
    "phone": "0977 111 222",
    "address": "Thôn Bắc",
    "document": "Giấy ủy quyền số 12/2026/UQ ngày 20/11/2026",
}


@pytest.fixture
def app(make_app: Any) -> Any:
    return make_app(security=LONG_SESSIONS)


def test_an_organisation_filed_by_an_authorised_person_on_the_record_and_the_receipt(
    client: FlaskClient,
    staff_headers: dict[str, str],
    app: Any,
    tmp_path: Path,
    desk_printer: str,
    frozen: Any,
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    nameless = receive(client, staff_headers, applicant={**COMPANY, "tax_code": ""})
    assert nameless.status_code == 400
    assert "tax_code" in nameless.get_json()["error"]["message"]
    no_paper = receive(client, staff_headers, applicant={**COMPANY, "authorised": {"name": "X"}})
    assert no_paper.get_json()["error"]["code"] == "missing_field"  # ID and the authorisation
    made = receive(
        client, staff_headers, applicant={**COMPANY, "authorised": FILER}, print=desk_printer
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["applicant"]["kind"] == "organisation"
    assert body["applicant"]["authorised"]["document"] == FILER["document"]
    text = printed(app, tmp_path, "receipt")
    for words in (
        "Ông (Bà)/Tổ chức: Công ty TNHH Hoa Sen",
        "Mã số doanh nghiệp/mã số thuế: 0101234567",
        "Người được ủy quyền nộp hồ sơ: Phạm Thị Lan",
        "Số định danh của người được ủy quyền: 001199000777",
        "Giấy ủy quyền: Giấy ủy quyền số 12/2026/UQ ngày 20/11/2026",
    ):
        assert words in text, words
    # Found by the company's tax code, or by the filer's name without accents.
    for query in ("0101234567", "pham thi lan", "hoa sen"):
        found = client.get("/api/v1/dossiers/search", query_string={"q": query},
                           headers=staff_headers)  # fmt: skip
        assert [r["code"] for r in found.get_json()] == [body["code"]], query
    public = client.get(f"/api/v1/dossiers/{body['code']}?token={body['token']}").get_json()
    assert "Phạm Thị Lan" not in str(public)
    assert "0101234567" not in str(public)
    assert (
        receive(client, staff_headers, applicant={**APPLICANT, "kind": "club"}).status_code == 400
    )


def test_by_post_the_receipt_says_where_the_result_goes(
    client: FlaskClient,
    staff_headers: dict[str, str],
    app: Any,
    tmp_path: Path,
    desk_printer: str,
    frozen: Any,
) -> None:
    frozen.set(local("2026-11-30 09:00"))
    homeless = {"name": "Đỗ Văn Tùng"}
    refused = receive(client, staff_headers, applicant=homeless, delivery="post")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "missing_field"
    address = "Số 9 ngõ 3, thôn Nam, xã Demo"
    made = receive(
        client,
        staff_headers,
        applicant=homeless,
        delivery="post",
        postal_address=address,
        print=desk_printer,
    )
    assert made.status_code == 201
    assert made.get_json()["applicant"]["postal_address"] == address
    text = printed(app, tmp_path, "receipt")
    assert "Hình thức nhận kết quả: Qua dịch vụ bưu chính công ích" in text
    assert f"Địa chỉ nhận kết quả qua bưu chính: {address}" in text
    # At the counter, no postal address is kept even if one is sent.
    counter = receive(client, staff_headers, postal_address=address).get_json()
    assert "postal_address" not in counter["applicant"]

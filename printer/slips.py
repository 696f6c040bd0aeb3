"""The one-stop slips (Mẫu 01, 02, 04) as :class:`~printer.document.Document` values.

Each builder takes a plain dict, so the dossier code can hand over what it has without this
module knowing its models. The fields follow the forms reproduced under NĐ 118/2025 and
TT 03/2025 (see DOMAIN.md §1.2); form numbers vary by province, so none is printed.
Times are printed in the offset they were given in: the office's local time, as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from printer.document import QR, Block, Columns, Document, Field, Gap, Items, Text

Data = Mapping[str, Any]

DELIVERY = {
    "counter": "Trực tiếp tại {unit}",  # the unit's configured name (DOMAIN §11)
    "post": "Qua dịch vụ bưu chính công ích",
    "electronic": "Nhận kết quả điện tử",  # DOMAIN §11: "Trực tuyến" is the submission channel
}
QR_CAPTION = "Quét mã để theo dõi tiến độ hồ sơ"
# Blank lines left in a signature column for the handwritten signature (and the seal).
SIGN_SPACE = 4


def _require(data: Data, form: str, *keys: str) -> None:
    """Fail on the first build rather than print a slip with a hole in a legal field."""
    missing = [k for k in keys if k not in data]
    if missing:
        raise KeyError(f"{form}: missing required key(s): {', '.join(missing)}")
    empty = [
        k for k in keys if data[k] is None or (isinstance(data[k], str) and not data[k].strip())
    ]
    if empty:
        raise ValueError(f"{form}: required key(s) are empty: {', '.join(empty)}")


def _opt(data: Data, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _parse(value: str | date, form: str, key: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001  (a day shown as is)
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{form}: {key} is not an ISO 8601 date/time: {value!r}") from None


def _moment_of(data: Data, form: str, key: str) -> datetime:
    """A time field as a datetime; a bare date is refused (it would print "00 giờ 00 phút")."""
    value = data[key]
    if isinstance(value, str):
        try:
            date.fromisoformat(value)
        except ValueError:
            pass
        else:
            raise ValueError(f"{form}: {key} needs a time of day, got the date {value!r}")
    return _parse(value, form, key)


def _moment(data: Data, form: str, key: str) -> str:
    """``2026-11-27T14:05:00+07:00`` → ``14 giờ 05 phút, ngày 27/11/2026``.

    The wall-clock time in the given offset is printed as is (no conversion): the appointment
    was made in the office's time zone and the citizen reads it in the same one.
    """
    when = _moment_of(data, form, key)
    return f"{when:%H} giờ {when:%M} phút, ngày {when:%d/%m/%Y}"


def _in_order(data: Data, form: str, earlier: str, later: str) -> None:
    """A slip whose appointment precedes the event it follows is a data error, not a slip."""
    first, then = _moment_of(data, form, earlier), _moment_of(data, form, later)
    if (first.tzinfo is None) != (then.tzinfo is None):
        raise ValueError(f"{form}: {earlier} and {later} must both have a UTC offset, or neither")
    if then <= first:
        raise ValueError(f"{form}: {later} must be later than {earlier}")


def _place_date(place: str, value: str | date, form: str) -> str:
    """``Demo, ngày 05 tháng 01 năm 2026``: NĐ 30/2020 pads days under 10 and months 1 and 2."""
    day = _parse(value, form, "date")
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _strings(data: Data, form: str, key: str) -> tuple[str, ...]:
    value = data[key]
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{form}: {key} must be a list of strings, got {type(value).__name__}")
    items = tuple(str(item).strip() for item in value if str(item).strip())
    if not items:
        raise ValueError(f"{form}: {key} must list at least one item")
    return items


def _header(data: Data, form: str, title: str) -> list[Block]:
    """Issuing body and number on the left, the national motto and place/date on the right."""
    left = [Text(data["parent_body"].upper(), "small")] if _opt(data, "parent_body") else []
    left += [
        Text(data["office_name"].upper(), "small", bold=True),
        Text(f"Số: {data['number']}", "small"),
    ]
    right = (
        Text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "small", bold=True),
        Text("Độc lập - Tự do - Hạnh phúc", "small", bold=True),
        Text(_place_date(data["place"], data["date"], form), "small"),
    )
    return [Columns(tuple(left), right), Gap(), Text(title, "large", bold=True), Gap()]


def _contact(data: Data) -> list[Block]:
    """Address, phone and the optional email, as every slip addressed to a citizen has them."""
    blocks: list[Block] = [Field("Địa chỉ", data["address"]), Field("Số điện thoại", data["phone"])]
    if _opt(data, "email"):
        blocks.append(Field("Email", data["email"]))
    return blocks


def _applicant_id(data: Data) -> list[Block]:
    """The applicant's ID number, an organisation's tax code, and who filed for them under an
    authorisation (``authorised``: name, id_number, address, phone, document)."""
    blocks: list[Block] = []
    if _opt(data, "applicant_id"):
        blocks.append(Field("Số định danh cá nhân/tổ chức", data["applicant_id"]))
    if _opt(data, "tax_code"):
        blocks.append(Field("Mã số doanh nghiệp/mã số thuế", data["tax_code"]))
    filer = data.get("authorised")
    if filer:
        if not isinstance(filer, dict) or not str(filer.get("name") or "").strip():
            raise ValueError("authorised must be an object with at least a name")
        blocks.append(Field("Người được ủy quyền nộp hồ sơ", str(filer["name"])))
        for key, label in (
            ("id_number", "Số định danh của người được ủy quyền"),
            ("address", "Địa chỉ của người được ủy quyền"),
            ("phone", "Số điện thoại của người được ủy quyền"),
            ("document", "Giấy ủy quyền"),
        ):
            if str(filer.get(key) or "").strip():
                blocks.append(Field(label, str(filer[key])))
    return blocks


def _signer(role: str, note: str, name: str) -> tuple[Text, ...]:
    return (
        Text(role.upper(), "normal", bold=True),
        Text(note, "small"),
        *(Text("", "small") for _ in range(SIGN_SPACE)),
        Text(name, "normal", bold=True),
    )


def _qr(url: str) -> list[Block]:
    return [Gap(), QR(url), Text(QR_CAPTION, "small")]


def receipt(data: Data) -> Document:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01).

    Required keys: ``office_name``, ``number`` (e.g. "123/TTPVHCC"), ``place``, ``date`` (ISO
    date or datetime), ``dossier_code``, ``applicant_name``, ``address``, ``phone``,
    ``procedure_name``, ``documents`` (list of str), ``legal_time_text`` (e.g. "05 ngày làm
    việc"), ``received_at`` and ``due_at`` (ISO 8601 datetimes with offset), ``return_place``,
    ``delivery`` ("counter" | "post" | "electronic"), ``officer_name``, ``status_url``.
    Optional: ``parent_body``, ``applicant_id``, ``email``, ``tax_code`` (an organisation),
    ``authorised`` (who filed under an authorisation: ``name``, ``id_number``, ``address``,
    ``phone``, ``document``), ``postal_address`` (by post: where it goes; default ``address``),
    ``sets`` (int, default 1),
    ``register_book`` and ``register_no`` (the Sổ theo dõi hồ sơ entry), ``extension_note``
    (a receipt given again with the new date of a lawful extension: why).
    """
    form = "receipt"
    _require(
        data, form, "office_name", "number", "place", "date", "dossier_code", "applicant_name",
        "address", "phone", "procedure_name", "documents", "legal_time_text", "received_at",
        "due_at", "return_place", "delivery", "officer_name", "status_url",
    )  # fmt: skip
    if data["delivery"] not in DELIVERY:
        raise ValueError(f"{form}: delivery must be one of {', '.join(DELIVERY)}")
    sets = data.get("sets", 1)
    if isinstance(sets, bool) or not isinstance(sets, int) or sets < 1:
        raise ValueError(f"{form}: sets must be a positive int, got {sets!r}")
    _in_order(data, form, "received_at", "due_at")

    blocks = _header(data, form, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    blocks += [
        Text(f"Mã hồ sơ: {data['dossier_code']}", "normal", bold=True),
        Text(f"{data['office_name']} tiếp nhận hồ sơ của:", align="left"),
        Field("Ông (Bà)/Tổ chức", data["applicant_name"]),
        *_applicant_id(data),
        *_contact(data),
        Field("Nội dung yêu cầu giải quyết", data["procedure_name"]),
        Text("Thành phần hồ sơ nộp gồm:", align="left", bold=True),
        Items(_strings(data, form, "documents")),
        Field("Số lượng hồ sơ", f"{sets:02d} bộ"),
        Field("Thời gian giải quyết hồ sơ theo quy định", data["legal_time_text"]),
        Field("Thời gian nhận hồ sơ", _moment(data, form, "received_at")),
        Field("Thời gian trả kết quả giải quyết hồ sơ", _moment(data, form, "due_at")),
        *(
            [Field("Gia hạn theo quy định", data["extension_note"])]
            if _opt(data, "extension_note")
            else []
        ),
        Field("Nơi trả kết quả", data["return_place"]),
        Field(
            "Hình thức nhận kết quả", DELIVERY[data["delivery"]].format(unit=data["office_name"])
        ),
    ]
    if data["delivery"] == "post":
        # Where the post brings the result (BCCI): on the citizen's paper, as agreed.
        address = _opt(data, "postal_address") or data["address"]
        blocks.append(Field("Địa chỉ nhận kết quả qua bưu chính", address))
    if _opt(data, "register_book") or _opt(data, "register_no"):
        entry = f"Quyển số: {_opt(data, 'register_book')}, Số thứ tự: {_opt(data, 'register_no')}"
        blocks.append(Field("Vào Sổ theo dõi hồ sơ", entry))
    blocks += [
        Gap(),
        Columns(
            _signer("Người nộp hồ sơ", "(Ký và ghi rõ họ tên)", data["applicant_name"]),
            _signer("Người tiếp nhận", "(Ký và ghi rõ họ tên)", data["officer_name"]),
        ),
        *_qr(data["status_url"]),
    ]
    return Document(
        f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả {data['dossier_code']}", tuple(blocks)
    )


def supplement_request(data: Data) -> Document:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02).

    Required keys: ``office_name``, ``number`` (e.g. "15/PBS-TTPVHCC"), ``place``, ``date``,
    ``applicant_name``, ``procedure_name``, ``address``, ``phone``, ``items`` (list of str, what
    to add or correct), ``reason``, ``contact_name``, ``contact_phone``, ``officer_name``.
    Optional: ``parent_body``, ``email``, ``dossier_code``, ``status_url`` (adds the QR).
    """
    form = "supplement_request"
    _require(
        data, form, "office_name", "number", "place", "date", "applicant_name", "procedure_name",
        "address", "phone", "items", "reason", "contact_name", "contact_phone", "officer_name",
    )  # fmt: skip
    blocks = _header(data, form, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")
    if _opt(data, "dossier_code"):
        blocks += [Text(f"Mã hồ sơ: {data['dossier_code']}", "normal", bold=True), Gap()]
    blocks += [
        Field("Hồ sơ của", data["applicant_name"]),
        *_applicant_id(data),
        Field("Nội dung yêu cầu giải quyết", data["procedure_name"]),
        *_contact(data),
        Text("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", align="left", bold=True),
        Items(_strings(data, form, "items")),
        Field("Lý do", data["reason"]),
        Text(
            "Trong quá trình bổ sung, hoàn thiện hồ sơ nếu có vướng mắc, Ông (Bà) liên hệ với "
            f"{data['contact_name']}, số điện thoại {data['contact_phone']} để được hướng dẫn.",
            align="left",
        ),
        Gap(),
        Columns((), _signer("Người hướng dẫn", "(Ký và ghi rõ họ tên)", data["officer_name"])),
    ]
    if _opt(data, "status_url"):
        blocks += _qr(data["status_url"])
    title = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    return Document(f"{title} {_opt(data, 'dossier_code') or data['number']}", tuple(blocks))


def apology(data: Data) -> Document:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04).

    Required keys: ``office_name``, ``number`` (e.g. "03/PXL"), ``place``, ``date``,
    ``applicant_name``, ``received_at``, ``procedure_name``, ``dossier_code``, ``due_at`` (the
    original appointment), ``reason``, ``new_due_at`` (after ``due_at``), ``signer_name``,
    ``status_url``. Optional: ``parent_body``, ``applicant_id``, ``competent_unit`` (the body
    that handles the dossier; default ``office_name``), ``signer_title`` (default "Thủ trưởng
    cơ quan").
    """
    form = "apology"
    _require(
        data, form, "office_name", "number", "place", "date", "applicant_name", "received_at",
        "procedure_name", "dossier_code", "due_at", "reason", "new_due_at", "signer_name",
        "status_url",
    )  # fmt: skip
    _in_order(data, form, "due_at", "new_due_at")
    unit = _opt(data, "competent_unit") or data["office_name"]
    received = _parse(data["received_at"], form, "received_at")
    blocks = _header(data, form, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")
    blocks += [
        Text(f"Kính gửi: Ông (Bà) {data['applicant_name']}", bold=True),
        Gap(),
        Text(
            f"Ngày {received:%d/%m/%Y}, {unit} tiếp nhận giải quyết hồ sơ đề nghị "
            f"{data['procedure_name']} của Ông (Bà)/Tổ chức {data['applicant_name']}.",
            align="left",
        ),
        *_applicant_id(data),
        Field("Mã hồ sơ", data["dossier_code"]),
        Field(
            "Thời gian hẹn trả kết quả giải quyết hồ sơ",
            _moment(data, form, "due_at"),
        ),
        Text(
            f"Tuy nhiên đến nay, {unit} chưa trả kết quả giải quyết hồ sơ cho Ông (Bà)/Tổ chức.",
            align="left",
        ),
        Field("Lý do", data["reason"]),
        Text(
            f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của Ông (Bà)/Tổ chức. {unit} "
            "xin lỗi Ông (Bà)/Tổ chức và sẽ trả kết quả giải quyết hồ sơ vào thời gian:",
            align="left",
        ),
        Text(_moment(data, form, "new_due_at"), bold=True),
        Text("Xin trân trọng cảm ơn sự hợp tác của Ông (Bà)/Tổ chức./.", align="left"),
        Gap(),
        Columns(
            (),
            _signer(
                _opt(data, "signer_title") or "Thủ trưởng cơ quan",
                "(Ký, ghi rõ họ tên và đóng dấu)",
                data["signer_name"],
            ),
        ),
        *_qr(data["status_url"]),
    ]
    return Document(
        f"Phiếu xin lỗi và hẹn lại ngày trả kết quả {data['dossier_code']}", tuple(blocks)
    )


def refusal(data: Data) -> Document:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03): at reception (no dossier is received)
    or after receipt (``dossier_code`` given).

    Required keys: ``office_name``, ``number``, ``place``, ``date``, ``applicant_name``,
    ``address``, ``phone``, ``procedure_name``, ``reason``, ``officer_name``. Optional:
    ``parent_body``, ``applicant_id``, ``email``, ``dossier_code``.
    """
    form = "refusal"
    _require(
        data, form, "office_name", "number", "place", "date", "applicant_name", "address",
        "phone", "procedure_name", "reason", "officer_name",
    )  # fmt: skip
    blocks = _header(data, form, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
    if _opt(data, "dossier_code"):
        blocks.append(Field("Mã hồ sơ", data["dossier_code"]))
    blocks += [
        Text(f"{data['office_name']} tiếp nhận hồ sơ của:", align="left"),
        Field("Ông (Bà)/Tổ chức", data["applicant_name"]),
        *_applicant_id(data),
        *_contact(data),
        Field("Đề nghị giải quyết thủ tục hành chính", data["procedure_name"]),
        Text(
            f"Qua xem xét, {data['office_name']} từ chối tiếp nhận, giải quyết hồ sơ này với lý "
            "do cụ thể như sau:",
            align="left",
        ),
        Text(data["reason"], align="left", bold=True),
        Text("Xin thông báo cho Ông (Bà)/Tổ chức được biết và thực hiện./.", align="left"),
        Gap(),
        Columns(
            (), _signer("Người tiếp nhận hồ sơ", "(Ký và ghi rõ họ tên)", data["officer_name"])
        ),
    ]
    return Document(
        f"Phiếu từ chối tiếp nhận giải quyết hồ sơ {_opt(data, 'dossier_code') or data['number']}",
        tuple(blocks),
    )


def stop_notice(data: Data) -> Document:
    """Thông báo về việc dừng giải quyết hồ sơ (after ``stop``), signed by the head of the unit.

    Required keys: ``office_name``, ``number``, ``place``, ``date``, ``applicant_name``,
    ``received_at``, ``procedure_name``, ``dossier_code``, ``reason``, ``signer_name``,
    ``status_url``. Optional: ``parent_body``, ``applicant_id``, ``signer_title``.
    """
    form = "stop_notice"
    _require(
        data, form, "office_name", "number", "place", "date", "applicant_name", "received_at",
        "procedure_name", "dossier_code", "reason", "signer_name", "status_url",
    )  # fmt: skip
    received = _parse(data["received_at"], form, "received_at")
    blocks = _header(data, form, "THÔNG BÁO")
    blocks += [
        Text("Về việc dừng giải quyết hồ sơ", "normal", bold=True),
        Gap(),
        Text(f"Kính gửi: Ông (Bà)/Tổ chức {data['applicant_name']}", bold=True),
        Text(
            f"Ngày {received:%d/%m/%Y}, {data['office_name']} tiếp nhận hồ sơ đề nghị "
            f"{data['procedure_name']}.",
            align="left",
        ),
        *_applicant_id(data),
        Field("Mã hồ sơ", data["dossier_code"]),
        Text(f"{data['office_name']} thông báo dừng giải quyết hồ sơ với lý do:", align="left"),
        Text(data["reason"], align="left", bold=True),
        Text("Xin thông báo để Ông (Bà)/Tổ chức được biết./.", align="left"),
        Gap(),
        Columns(
            (),
            _signer(
                _opt(data, "signer_title") or "Thủ trưởng cơ quan",
                "(Ký, ghi rõ họ tên và đóng dấu)",
                data["signer_name"],
            ),
        ),
        *_qr(data["status_url"]),
    ]
    return Document(f"Thông báo dừng giải quyết hồ sơ {data['dossier_code']}", tuple(blocks))


TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn", "": ""}


def control(data: Data) -> Document:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05): each hand-over of the dossier.

    Required keys: ``office_name``, ``number``, ``place``, ``date``, ``dossier_code``,
    ``applicant_name``, ``procedure_name``, ``received_at``, ``due_at``, ``steps`` (a list of
    ``{"at", "step", "unit", "officer", "timeliness"}``: ``at`` ISO 8601 with its offset,
    ``timeliness`` early | on_time | late | "" (not judged)), ``status_url``. Optional:
    ``parent_body``, ``note`` per step.
    """
    form = "control"
    _require(
        data, form, "office_name", "number", "place", "date", "dossier_code", "applicant_name",
        "procedure_name", "received_at", "due_at", "steps", "status_url",
    )  # fmt: skip
    steps = data["steps"]
    if not isinstance(steps, list) or not steps:
        raise ValueError(f"{form}: steps must list at least the receipt")
    blocks = _header(data, form, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    blocks += [
        Field("Mã hồ sơ", data["dossier_code"]),
        Field("Người nộp hồ sơ", data["applicant_name"]),
        Field("Nội dung yêu cầu giải quyết", data["procedure_name"]),
        Field("Thời gian nhận hồ sơ", _moment(data, form, "received_at")),
        Field("Thời gian trả kết quả giải quyết hồ sơ", _moment(data, form, "due_at")),
        Text("Quá trình giao, nhận hồ sơ:", align="left", bold=True),
    ]
    for n, step in enumerate(steps, 1):
        for key in ("at", "step", "unit", "officer", "timeliness"):
            if key not in step:
                raise ValueError(f"{form}: step {n} lacks {key!r}")
        if step["timeliness"] not in TIMELINESS:
            raise ValueError(f"{form}: step {n}: timeliness {step['timeliness']!r}")
        when = _moment({"at": step["at"]}, form, "at")
        judged = TIMELINESS[step["timeliness"]]
        line = f"{n}. {when} — {step['step']} — {step['unit']}, {step['officer']}"
        blocks.append(Text(line + (f" — {judged}" if judged else ""), align="left"))
        if str(step.get("note") or "").strip():
            blocks.append(Text(f"   {str(step['note']).strip()}", "small", align="left"))
    blocks += _qr(data["status_url"])
    return Document(
        f"Phiếu kiểm soát quá trình giải quyết hồ sơ {data['dossier_code']}", tuple(blocks)
    )


SLIPS: dict[str, Callable[[Data], Document]] = {
    "receipt": receipt,
    "supplement_request": supplement_request,
    "apology": apology,
    "refusal": refusal,
    "stop_notice": stop_notice,
    "control": control,
}

_OFFICE = {"office_name": "UBND xã Demo", "place": "Demo"}
_APPLICANT = {
    "applicant_name": "Nguyễn Thị Hồng Nhung",
    "applicant_id": "001190012345",
    "address": "Số 12, thôn Đông Hòa, xã Demo, tỉnh Demo",
    "phone": "0912 345 678",
    "email": "nhung.nguyen@example.vn",
}
_CHUNG_THUC = {
    "procedure_name": "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, "
    "quyền sử dụng đất và nhà ở",
    "dossier_code": "XDM-251126-0007",
    "status_url": "https://motcua.example.vn/tra-cuu/XDM-251126-0007",
}


def sample(kind: str) -> dict[str, Any]:
    """Realistic data for ``SLIPS[kind]``: previews, the test page and tests."""
    if kind == "receipt":
        return {
            **_OFFICE,
            **_APPLICANT,
            **_CHUNG_THUC,
            "number": "123/TTPVHCC",
            "date": "2026-11-25",
            "documents": [
                "Dự thảo hợp đồng, giao dịch",
                "Bản sao Căn cước của người yêu cầu chứng thực",
                (
                    "Bản sao Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác "
                    "gắn liền với đất"
                ),
            ],
            "sets": 1,
            "legal_time_text": "02 ngày làm việc",
            "received_at": "2026-11-25T14:05:00+07:00",
            "due_at": "2026-11-27T14:05:00+07:00",
            "return_place": "Trung tâm Phục vụ hành chính công xã Demo, quầy số 2",
            "delivery": "counter",
            "officer_name": "Trần Văn Bình",
            "register_book": "01/2026",
            "register_no": "0007",
        }
    if kind == "supplement_request":
        return {
            **_OFFICE,
            "number": "15/PBS-TTPVHCC",
            "date": "2026-11-25",
            "applicant_name": "Lê Văn Hùng",
            "address": "Thôn Tân Lập, xã Demo, tỉnh Demo",
            "phone": "0987 654 321",
            "procedure_name": "Đăng ký khai sinh",
            "items": [
                "Bản chính Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp",
                "Văn bản ủy quyền có chứng thực (người nộp không phải cha, mẹ của trẻ)",
            ],
            "reason": "Hồ sơ chưa có Giấy chứng sinh; người nộp hồ sơ không phải cha, mẹ của "
            "trẻ nhưng chưa có văn bản ủy quyền theo quy định.",
            "contact_name": "Trần Văn Bình",
            "contact_phone": "0203 3852 123",
            "officer_name": "Trần Văn Bình",
            "dossier_code": "XDM-251126-0009",
            "status_url": "https://motcua.example.vn/tra-cuu/XDM-251126-0009",
        }
    if kind == "apology":
        return {
            **_OFFICE,
            **_APPLICANT,
            **_CHUNG_THUC,
            "number": "03/PXL",
            "date": "2026-11-27",
            "received_at": "2026-11-25T14:05:00+07:00",
            "competent_unit": "UBND xã Demo",
            "due_at": "2026-11-27T14:05:00+07:00",
            "reason": "Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh gặp sự cố, "
            "chưa ký số được kết quả.",
            "new_due_at": "2026-12-01T10:00:00+07:00",
            "signer_title": "Chủ tịch",
            "signer_name": "Phạm Minh Tuấn",
        }
    if kind == "refusal":
        return {
            **_OFFICE,
            **_APPLICANT,
            "number": "02/PTC",
            "date": "2026-11-25",
            "procedure_name": "Đăng ký kết hôn có yếu tố nước ngoài",
            "reason": "Thủ tục không thuộc thẩm quyền giải quyết của UBND xã Demo.",
            "officer_name": "Trần Văn Bình",
        }
    if kind == "stop_notice":
        return {
            **_OFFICE,
            **_APPLICANT,
            **_CHUNG_THUC,
            "number": "01/TB",
            "date": "2026-11-27",
            "received_at": "2026-11-25T14:05:00+07:00",
            "reason": "Người yêu cầu không bổ sung hồ sơ trong thời hạn đã hẹn.",
            "signer_title": "Chủ tịch",
            "signer_name": "Phạm Minh Tuấn",
        }
    if kind == "control":
        return {
            **_OFFICE,
            **_CHUNG_THUC,
            "number": "0007",
            "date": "2026-11-27",
            "applicant_name": _APPLICANT["applicant_name"],
            "received_at": "2026-11-25T14:05:00+07:00",
            "due_at": "2026-11-27T14:05:00+07:00",
            "steps": [
                {"at": "2026-11-25T14:05:00+07:00", "step": "Tiếp nhận hồ sơ",
                 "unit": "Bộ phận tiếp nhận và trả kết quả", "officer": "Trần Văn Bình",
                 "timeliness": ""},
                {"at": "2026-11-26T09:30:00+07:00", "step": "Giải quyết hồ sơ",
                 "unit": "Công chức Tư pháp - Hộ tịch", "officer": "Lê Thị Mai",
                 "timeliness": "early"},
                {"at": "2026-11-27T10:00:00+07:00", "step": "Trả kết quả",
                 "unit": "Bộ phận tiếp nhận và trả kết quả", "officer": "Trần Văn Bình",
                 "timeliness": "on_time"},
            ],
        }  # fmt: skip
    raise ValueError(f"unknown slip {kind!r}; one of {', '.join(SLIPS)}")

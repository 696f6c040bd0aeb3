"""The ticket as a document: what the citizen holds while waiting.

Vietnamese first (the office's language), with one short English line under the QR. The payload
is the one :func:`onestop.queue.ticket_receipt` fixed when the ticket was issued, so the paper
says what the kiosk screen said.
"""

from __future__ import annotations

from typing import Any

from printer.document import QR, BigNumber, Block, Document, Gap, Rule, Text


def _when(iso: str) -> str:
    """``2026-11-23T09:05:00+07:00`` → ``09:05  23/11/2026`` (the office's local time as issued)."""
    return f"{iso[11:16]}  {iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def ticket(payload: dict[str, Any]) -> Document:
    blocks: list[Block] = [
        Text(payload["office_name"], "small", bold=True),
        Rule(),
        Text(payload["service_name"], "large", bold=True),
        BigNumber(payload["number"]),
    ]
    if payload.get("priority"):
        label = payload.get("priority_label") or payload["priority"]
        blocks.append(Text(f"ƯU TIÊN · {label}", "normal", bold=True))
    if payload.get("reprint_at"):
        blocks.append(Text(f"BẢN IN LẠI {_when(str(payload['reprint_at']))}", "small", bold=True))
    blocks += [
        Text(_when(str(payload["issued_at"])), "small"),
        Text(f"Số người chờ trước ông/bà: {payload['waiting_ahead']}"),
        Text(f"Thời gian chờ dự kiến: ~{payload['estimated_wait_minutes']} phút"),
        Gap(),
        QR(payload["status_url"]),
        Text("Quét mã QR để theo dõi lượt của ông/bà và đánh giá sau khi được phục vụ", "small"),
        Text("Scan to follow your turn", "small"),
    ]
    return Document(f"ticket {payload['number']}", tuple(blocks))


def sample_ticket() -> dict[str, Any]:
    """A realistic ticket payload: the back office's preview and the benchmarks."""
    return {
        "number": "B012",
        "service": "B",
        "service_name": "Hộ tịch",
        "service_name_en": "Civil status",
        "priority": None,
        "priority_label": "",
        "token": "sample",
        "status_url": "http://127.0.0.1:5000/t/Zm9yLWEtcHJldmlldy1vbmx5",
        "issued_at": "2026-11-27T09:05:00+07:00",
        "waiting_ahead": 4,
        "estimated_wait_minutes": 12,
        "office_name": "UBND xã Demo",
    }

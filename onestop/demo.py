"""The office row and the demo data loaded by ``onestop init --demo``.

Device keys and passwords are stored only as hashes, so the demo keeps the clear credentials it
generated in ``<data_dir>/demo-credentials.json`` (mode 0600) to print them again on the next
``make run``. If that file is lost, the demo devices get new keys and the admin a new password.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from onestop import auth, catalog, clock, notices, queries
from onestop.models import Counter, CounterService, Office, Service

# code, prefix, Vietnamese name, English name, field code (catalog/fields.csv)
DEMO_SERVICES = [
    ("A", "A", "Chứng thực", "Certification", "CT"),
    ("B", "B", "Hộ tịch", "Civil status", "HT"),
    ("C", "C", "Bảo trợ xã hội", "Social protection", "BTXH"),
    ("D", "D", "Người có công", "Persons with meritorious service", "NCC"),
]
# counter number -> services it serves, in order
DEMO_COUNTERS = {1: ["A", "B"], 2: ["B", "A"], 3: ["C", "D"], 4: ["D", "C", "A", "B"]}
DEMO_NOTICES = [
    (
        "Giờ làm việc: sáng 7:00–11:30, chiều 13:30–17:00, từ thứ Hai đến thứ Sáu.",
        "Opening hours: 7:00–11:30 and 13:30–17:00, Monday to Friday.",
    ),
    (
        "Hồ sơ chứng thực nộp trước 15:00 được trả kết quả ngay trong ngày.",
        "Certification requests received before 15:00 are returned the same day.",
    ),
    (
        "Quét mã QR trên phiếu để theo dõi lượt chờ và đánh giá mức độ hài lòng.",
        "Scan the QR code on your ticket to follow your turn and rate our service.",
    ),
]
DEMO_DEVICES = [("kiosk", "kiosk-1", None), ("display", "display-1", None)] + [
    ("rating", f"rating-{n}", n) for n in DEMO_COUNTERS
]


def ensure_office(session: Session, office_cfg: dict[str, Any]) -> str:
    """Create the office row of ``[office]`` or bring its name and time zone up to date."""
    office = queries.find_office(session, office_cfg["code"])
    if office is None:
        office = Office(
            code=office_cfg["code"],
            name=office_cfg["name"],
            timezone=office_cfg["timezone"],
            event_seq=0,
        )
        session.add(office)
    else:
        office.name, office.timezone = office_cfg["name"], office_cfg["timezone"]
    session.flush()
    return office.code


def load_demo(session: Session, cfg: dict[str, Any], folder: Path) -> dict[str, Any]:
    office = auth.office_by_code(session, cfg["office"]["code"])
    services: dict[str, Service] = {}
    for position, (code, prefix, name, name_en, field_code) in enumerate(DEMO_SERVICES):
        service = queries.find_service(session, office.id, code)
        if service is None:
            service = Service(
                office_id=office.id,
                code=code,
                prefix=prefix,
                name=name,
                name_en=name_en,
                field_code=field_code,
                position=position,
                is_open=True,
            )
            session.add(service)
        services[code] = service
    session.flush()
    for number, codes in DEMO_COUNTERS.items():
        counter = queries.find_counter(session, office.id, number)
        if counter is None:
            counter = Counter(
                office_id=office.id, number=number, name=f"Quầy {number}", is_open=True
            )
            counter.services = [
                CounterService(service_id=services[c].id, position=i) for i, c in enumerate(codes)
            ]
            session.add(counter)
    session.flush()
    catalog.load_sample(session, office)
    if not queries.notices(session, office.id):
        for text, text_en in DEMO_NOTICES:
            notices.add_notice(session, office, text, text_en=text_en, actor="demo")

    creds_file = folder / "demo-credentials.json"
    saved: dict[str, Any] = json.loads(creds_file.read_text()) if creds_file.exists() else {}
    keys: dict[str, str] = dict(saved.get("devices", {}))
    printer = "kiosk-1" if "kiosk-1" in cfg["printers"] else None
    for kind, name, counter_number in DEMO_DEVICES:
        device = queries.device_by_name(session, office.id, name)
        if device is None:
            _, keys[name] = auth.create_device(
                session,
                office,
                kind,
                name,
                counter_number=counter_number,
                printer=printer if kind == "kiosk" else None,
                actor="demo",
            )
        elif name not in keys or auth.digest(keys[name]) != device.key_hash:
            keys[name] = secrets.token_urlsafe(24)
            device.key_hash = auth.digest(keys[name])
            auth.audit(session, office.id, "demo", "device_key_rotated", name)

    password = saved.get("admin_password")
    admin = queries.officer_by_username(session, "admin")
    if admin is None:
        password = secrets.token_urlsafe(12)
        auth.create_officer(
            session, office, "admin", password, "admin", full_name="Quản trị viên", actor="demo"
        )
    elif not password:
        password = secrets.token_urlsafe(12)
        admin.password_hash = auth.hash_password(password)
        auth.audit(session, office.id, "demo", "password_reset", "admin")
    session.flush()

    creds_file.write_text(
        json.dumps(
            {"devices": keys, "admin_password": password, "written_at": clock.now().isoformat()},
            indent=2,
        )
    )
    os.chmod(creds_file, 0o600)
    base = cfg["office"]["public_url"].rstrip("/")
    return {
        "admin": {"username": "admin", "password": password},
        "devices": keys,
        "urls": {
            "kiosk": f"{base}/kiosk?key={keys['kiosk-1']}",
            "counter": f"{base}/counter",
            "display": f"{base}/display",
            "rating_pad": f"{base}/rate?key={keys['rating-1']}",
            "printers": f"{base}/admin/printers",
        },
    }


def describe(result: dict[str, Any], cfg: dict[str, Any]) -> str:
    urls, admin = result["urls"], result["admin"]
    lines = [
        f"onestop demo ready for {cfg['office']['name']}",
        "",
        f"  Kiosk (take a ticket):      {urls['kiosk']}",
        f"  Counter (officer screen):   {urls['counter']}",
        f"      log in as {admin['username']} / {admin['password']}",
        f"  Display (waiting room):     {urls['display']}",
        f"  Rating pad of counter 1:    {urls['rating_pad']}",
        f"  Printers (back office):     {urls['printers']}",
        "",
        "  Device keys:",
    ]
    lines += [f"    {name:<10} {key}" for name, key in result["devices"].items()]
    return "\n".join(lines)

"""Public notices for the waiting-room ticker: added and retired by staff, audited, pushed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from onestop import auth, clock, queries, readmodels, realtime
from onestop.errors import InvalidInput, NotFound
from onestop.events import announce
from onestop.models import Notice, Office

MAX_NOTICE = 500


def _announce(session: Session, office: Office) -> None:
    items = readmodels.notices_list(session, office)
    announce(
        session, office.id, "notices_changed", realtime.notices_changed(items), (realtime.DISPLAY,)
    )


def add_notice(
    session: Session, office: Office, text: str, *, text_en: str = "", actor: str
) -> Notice:
    """Publish a notice at the end of the ticker. Notices are public: no personal data."""
    text, text_en = text.strip(), text_en.strip()
    if not text:
        raise InvalidInput("a notice needs its Vietnamese text", code="missing_field")
    if len(text) > MAX_NOTICE or len(text_en) > MAX_NOTICE:
        raise InvalidInput(f"a notice is at most {MAX_NOTICE} characters", code="too_long")
    position = max((n.position for n in queries.notices(session, office.id)), default=-1) + 1
    notice = Notice(
        office_id=office.id,
        text=text,
        text_en=text_en,
        position=position,
        is_active=True,
        created_at=clock.now(),
    )
    session.add(notice)
    session.flush()
    auth.audit(session, office.id, actor, "notice_added", f"notice:{notice.id}", text=text)
    _announce(session, office)
    return notice


def retire_notice(session: Session, office: Office, notice_id: int, *, actor: str) -> Notice:
    """Take a notice off the ticker (it stays in the database for the record)."""
    notice = session.get(Notice, notice_id)
    if notice is None or notice.office_id != office.id or not notice.is_active:
        raise NotFound(f"no active notice {notice_id}", code="unknown_notice")
    notice.is_active = False
    session.flush()
    auth.audit(session, office.id, actor, "notice_retired", f"notice:{notice.id}")
    _announce(session, office)
    return notice

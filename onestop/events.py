"""The domain announces; the surfaces react, only after the transaction has committed.

Domain functions call :func:`announce` (realtime facts) or :func:`defer` (any signal). Nothing is
sent until the session commits; a rollback drops it all. So a display never shows a call that
did not happen, and a printer never prints a ticket that does not exist.

Realtime ``seq``: each committed transaction that announces something takes the next number of
its office (``UPDATE office SET event_seq = event_seq + 1 ... RETURNING``). Every event of that
transaction carries that number, and every such transaction also sends ``queue_changed`` to every
namespace, so a client that sees a number more than one above the last it saw knows it missed
something and fetches the snapshot again. The number is taken just before the commit, as the
transaction's last statement: on PostgreSQL the office row stays locked only from there to the
commit (not for the whole transaction, which would serialise the office's every change), and
that lock still makes commit order equal seq order.
"""

from __future__ import annotations

import functools
from typing import Any

from blinker import Namespace
from sqlalchemy import bindparam, event, update
from sqlalchemy.orm import Session

from onestop.models import Office, run_core, table_of
from onestop.realtime import Push

signals = Namespace()
#: kwargs: push (a realtime.Push)
realtime_event = signals.signal("realtime-event")
#: kwargs: job_id, printer
print_job_queued = signals.signal("print-job-queued")

_OUTBOX = "onestop_outbox"
_SEQ = "onestop_seq"
_UNNUMBERED = "onestop_unnumbered"


def defer(session: Session, signal: Any, **kwargs: Any) -> None:
    """Send ``signal`` with ``kwargs`` once this session's transaction has committed."""
    session.info.setdefault(_OUTBOX, []).append((signal, kwargs))


@functools.cache
def _seq_statement() -> Any:
    # On the table, not the ORM class: a plain UPDATE, without the ORM's bulk-update path.
    return (
        update(table_of(Office))
        .where(Office.id == bindparam("office_id"))
        .values(event_seq=Office.event_seq + 1)
        .returning(Office.event_seq)
    )


def _next_seq(session: Session, office_id: int) -> int:
    """The seq of this transaction for ``office_id`` (allocated on first use)."""
    seqs: dict[int, int] = session.info.setdefault(_SEQ, {})
    if office_id not in seqs:
        seqs[office_id] = run_core(session, _seq_statement(), {"office_id": office_id}).scalar_one()
    return seqs[office_id]


def announce(
    session: Session,
    office_id: int,
    name: str,
    payload: dict[str, Any],
    namespaces: tuple[str, ...],
) -> dict[str, Any]:
    """Queue a realtime event for after the commit; it gets this transaction's seq at the
    commit (the payload, returned, is the one sent)."""
    full = {"seq": None, **payload}
    push = Push(office_id, name, full, namespaces)
    session.info.setdefault(_UNNUMBERED, []).append(push)
    defer(session, realtime_event, push=push)
    return full


def notify(
    session: Session,
    office_id: int,
    name: str,
    payload: dict[str, Any],
    namespaces: tuple[str, ...],
    *,
    room: str | None = None,
) -> None:
    """Queue a realtime event that takes no seq, for after the commit: a fact about devices
    (a print's outcome, a printer's health, a pad's question), not the queue state whose gaps
    clients resync. ``room`` narrows it from the whole office to one room."""
    defer(session, realtime_event, push=Push(office_id, name, payload, namespaces, room))


def _number(session: Session) -> None:
    # Last statements before the commit (a savepoint's release comes here too: what it
    # numbered keeps its number, and the outer commit numbers only what came after).
    for push in session.info.pop(_UNNUMBERED, []):
        push.payload["seq"] = _next_seq(session, push.office_id)


def _release(session: Session) -> None:
    outbox = session.info.pop(_OUTBOX, [])
    session.info.pop(_SEQ, None)
    for signal, kwargs in outbox:
        signal.send(None, **kwargs)


def _discard(session: Session, *_args: Any) -> None:
    for key in (_OUTBOX, _SEQ, _UNNUMBERED):
        session.info.pop(key, None)


def install(session_class: Any = Session) -> None:
    """Hook the outbox into every session (idempotent)."""
    if not event.contains(session_class, "after_commit", _release):
        event.listen(session_class, "before_commit", _number)
        event.listen(session_class, "after_commit", _release)
        event.listen(session_class, "after_rollback", _discard)


install()

"""Dossiers (hồ sơ): receive one at the counter, move it through its life, and time it.

Every verb flushes and never commits, and appends a :class:`DossierEvent` (actor, unit, time,
note): the control slip is a view of them. The legal rules follow DOMAIN.md §1.4 and §2:

- the appointment is computed over the office calendar when the dossier is received, from the
  procedure's legal time as it stands then (kept on the dossier);
- a supplement request pauses the clock: when the papers come back, both due dates move on by
  the working time spent waiting, and a second request makes the dossier count as late;
- a lawful extension (``extend_by_law``: verification, many documents), once, by any officer
  from receipt until the appointment, within the procedure's bound as the law words it ("added"
  or "in total"): a new receipt, and the dossier is judged by the new date (not a delay);
- one apology's new date at most (``extend``), with an apology slip, by the head of the unit and
  at least one working day before the appointment; on time is still judged against the
  appointment before it;
- on time is judged at ``resolved`` (status 9), not at ``returned``.

Which actions exist, from which states, which need a reason, which the head of the unit takes
and which slip each prints is one table, ``onestop.models.DOSSIER_ACTIONS``. A verb given a
``printer`` builds and queues the slip itself, in the same transaction.

The package: ``desk`` (what every verb shares), ``receiving``, ``acting``, ``reading`` (views,
timeliness, the watch list and the public board) and ``slips``.
"""

from onestop.dossiers.acting import ActionInput, act
from onestop.dossiers.desk import Desk, Handled, action_rules
from onestop.dossiers.reading import (
    board,
    dossier_by_code,
    events,
    find_by_token,
    internal_due,
    lawful_limit,
    paused_hours,
    public_view,
    staff_view,
    timeliness_of,
    watch,
    with_token,
)
from onestop.dossiers.receiving import RECEPTION_KINDS, receive_dossier, without_receiving
from onestop.dossiers.slips import control_paper, queue_slip

__all__ = [
    "RECEPTION_KINDS",
    "ActionInput",
    "Desk",
    "Handled",
    "act",
    "action_rules",
    "board",
    "control_paper",
    "dossier_by_code",
    "events",
    "find_by_token",
    "internal_due",
    "lawful_limit",
    "paused_hours",
    "public_view",
    "queue_slip",
    "receive_dossier",
    "staff_view",
    "timeliness_of",
    "watch",
    "with_token",
    "without_receiving",
]

"""The plan's KPIs and the QĐ 766 indicators a commune can compute from its own data
(DOMAIN §4.2, §9), for one period's :class:`~onestop.reports.frame.Frame`.

Definitions (the rates are percentages, None when there is nothing to divide by):

- **On time** (the plan's "100 % trả đúng hạn", Biểu 06 style): (early + on time) ÷ resolved in
  the period; beside it the overdue stock, dossiers still open past their appointment.
- **766 2.1**: (resolved early or on time + closed by their appointment + in progress within
  time) ÷ the period's dossiers to handle; 20 points × the rate (linear: DOMAIN §10.7).
- **766 2.2**: the mean working days from receipt to result, the supplement pauses left out.
- **4 tại chỗ**: of the dossiers resolved in the period that were taken "4 tại chỗ" (a same-day
  procedure so flagged, or a 2–5-day dossier the officer flagged at receipt), those returned
  by the end of the day of receipt (the next working day after the cut-off).
- **Time reduction** (procedures of two working days or more, resolved in the period): per
  dossier 1 − its working time (pauses left out) ÷ the legal time; the office's figure is the
  mean over its dossiers, each procedure's over its own. The target beside it is the plan's
  (``[reports] reduction_target``), and per procedure the office's internal time (1 − internal ÷
  legal) with how many dossiers met it.
- **Online** (766 3.3): received online ÷ received in the period; full 12 points at 50 %. The
  national formula also multiplies by the sync rate to the national portal and asks for an
  electronic result where the procedure's result is a paper: neither is recorded here.
- **Postal return**: results returned by post (BCCI) ÷ results returned in the period.
- **Supplements, extensions, apologies**: the requests for supplements, lawful extensions and
  apologies with a new date made in the period; refusals and guidance at reception.
- **Satisfaction**: (very satisfied + satisfied) ÷ answered ratings of the visits served in the
  period (a pad that timed out is no answer). **766 5.4**: 100 % − (late or overdue dossiers +
  dossiers with an "unsatisfied" rating, each ÷ the period's dossiers); 6 points at ≥ 90 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from onestop.dossiers.desk import legal_rule
from onestop.evaluation import percent, rating_rate, spot_met
from onestop.models import RatingScore
from onestop.queries import DossierRow
from onestop.reports.bieu06 import counts
from onestop.reports.frame import RESOLVED, Frame
from onestop.workcalendar import OfficeCalendar, Rule

SATISFIED = (RatingScore.VERY_SATISFIED.value, RatingScore.SATISFIED.value)
NO_ANSWER = RatingScore.NO_ANSWER.value
LONG_PROCEDURE_DAYS = 2  # the plan's 30–50 % reduction is for procedures of ≥ 2 days

# The 766 indicators a commune's system cannot compute, and why (DOMAIN §4.1–§4.2).
# The indicators computed here: code -> (name, English name); the name is the form's own.
INDICATORS = {
    "2.1": ("Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn", "Dossiers resolved early or on time"),
    "2.2": (
        "Thời gian giải quyết trung bình (ngày làm việc)",
        "Average resolution time (working days)",
    ),
    "3.3": ("Tỷ lệ hồ sơ tiếp nhận trực tuyến", "Dossiers received online"),
    "5.4": (
        "Mức độ hài lòng trong tiếp nhận, giải quyết TTHC",
        "Satisfaction in receipt and handling of TTHC",
    ),
}
_BY_PROVINCE = ("do tỉnh công bố trên Cơ sở dữ liệu quốc gia", "published by the province")
_NO_FILES = ("chưa lưu tệp thành phần hồ sơ", "no component files are kept with dossiers")
_NO_PAKN = (
    "chưa có sổ theo dõi phản ánh, kiến nghị",
    "there is no register of feedback and complaints",
)
# The ones a commune cannot compute from its own records: code, names, why (vi, en).
NOT_LOCAL = (
    ("1.1", "Công bố, công khai TTHC đúng hạn", "TTHC published on time", *_BY_PROVINCE),
    ("1.2", "Cập nhật, công khai TTHC đúng hạn", "TTHC updated and published on time",
     *_BY_PROVINCE),
    ("1.3", "TTHC công khai đủ nội dung bắt buộc", "TTHC published with all mandatory parts",
     *_BY_PROVINCE),
    ("1.4", "Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
     "Dossiers synced to the national portal",
     "onestop không đồng bộ với Cổng Dịch vụ công quốc gia", "onestop does not sync to the DVCQG"),
    ("3.1", "TTHC cung cấp dịch vụ công trực tuyến", "Procedures offered online",
     "danh mục chưa ghi mức độ trực tuyến", "the catalogue does not record online levels yet"),
    ("3.6", "Hồ sơ thanh toán trực tuyến", "Dossiers paid online",
     "chưa ghi nhận thanh toán phí, lệ phí", "no fee payments are recorded"),
    ("4.1", "Cấp kết quả điện tử", "Electronic result issued",
     "chưa lưu tệp kết quả cùng hồ sơ", "no result files are kept with dossiers"),
    ("4.2", "Số hóa hồ sơ", "Dossiers digitised", *_NO_FILES),
    ("4.3", "Tái sử dụng dữ liệu đã số hóa", "Reuse of digitised data", *_NO_FILES),
    ("5.1", "Phản ánh, kiến nghị xử lý đúng hạn", "Feedback (PAKN) handled on time", *_NO_PAKN),
    ("5.2", "Hài lòng về xử lý phản ánh, kiến nghị", "Satisfaction with PAKN handling",
     *_NO_PAKN),
)  # fmt: skip


class WorkingHours:
    """Working time between two instants, as ``OfficeCalendar.working_hours_between`` gives
    it, with each day's standing remembered: a year's report asks it 60,000 times."""

    def __init__(self, calendar: OfficeCalendar) -> None:
        self.calendar = calendar
        self._working: dict[date, bool] = {}
        self._day = calendar.hours_per_day * 3600
        # The sessions as seconds of the day: a span is then a few subtractions.
        self._sessions = [(_seconds(a), _seconds(b)) for a, b in calendar.sessions]
        # Working days before each day from the first one asked about (by ordinal): the
        # whole days between two instants are a difference of two of them.
        self._first = 0
        self._before: list[int] = []

    def working(self, day: date) -> bool:
        if day not in self._working:
            self._working[day] = self.calendar.is_working_day(day)
        return self._working[day]

    def _span(self, day: date, start: float, end: float) -> float:
        """Working seconds of ``day`` from ``start`` to ``end`` (seconds of the day)."""
        if not self.working(day):
            return 0.0
        total = 0.0
        for a, b in self._sessions:
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        return total

    def between(self, start: datetime, end: datetime) -> float:
        a, b = self.calendar.local(start), self.calendar.local(end)
        if b <= a:
            return 0.0
        first, last = a.date(), b.date()
        if first == last:
            return self._span(first, _seconds(a), _seconds(b)) / 3600
        seconds = self._span(first, _seconds(a), _WHOLE_DAY) + self._span(last, 0.0, _seconds(b))
        whole = self._working_days(first.toordinal() + 1, last.toordinal())
        return (seconds + whole * self._day) / 3600

    def _working_days(self, first: int, last: int) -> int:
        """Working days among the day ordinals ``first`` to ``last``, ``last`` excluded."""
        if last <= first:
            return 0
        if not self._before or first < self._first:
            self._first, self._before = first, [0]
        while self._first + len(self._before) <= last:
            day = date.fromordinal(self._first + len(self._before) - 1)
            self._before.append(self._before[-1] + self.working(day))
        return self._before[last - self._first] - self._before[first - self._first]


_WHOLE_DAY = 86400.0


def _seconds(moment: time | datetime) -> float:
    """The seconds of the day of a time (or of a local datetime's time)."""
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


@dataclass(frozen=True)
class _Timed:
    row: DossierRow
    actual: float  # working hours, pauses left out
    legal: float | None
    internal: float | None


def _rule_hours(hours: WorkingHours, row: DossierRow, *, internal: bool = False) -> float | None:
    """The working hours the rule (or the office's internal time) gives this dossier."""
    rule: Rule = legal_rule(row.rule, internal=internal)
    if rule.unit == "same_day" or not rule.stated or rule.value is None:
        return None
    if rule.unit == "working_day":
        return rule.value * hours.calendar.hours_per_day
    if rule.unit == "hour":
        return rule.value
    due = hours.calendar.due_at(row.received_at, rule)
    return None if due is None else hours.between(row.received_at, due)


def _timed(frame: Frame, hours: WorkingHours) -> list[_Timed]:
    paused = frame.paused
    timed = []
    for judged in frame.dossiers:
        row = judged.row
        if judged.outcome not in RESOLVED or row.resolved_at is None:
            continue
        actual = max(0.0, hours.between(row.received_at, row.resolved_at) - paused.get(row.id, 0))
        internal = None
        if row.rule.get("internal_time_value") is not None:
            internal = _rule_hours(hours, row, internal=True)
        timed.append(_Timed(row, actual, _rule_hours(hours, row), internal))
    return timed


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def time_reduction(frame: Frame, timed: Sequence[_Timed], target: float) -> dict[str, Any]:
    day = frame.calendar.hours_per_day
    long = [t for t in timed if t.legal and t.legal >= LONG_PROCEDURE_DAYS * day]
    by_procedure: dict[str, list[_Timed]] = {}
    for t in long:
        by_procedure.setdefault(t.row.procedure_code, []).append(t)
    procedures = []
    for code, items in sorted(by_procedure.items()):
        legal = _mean([t.legal for t in items if t.legal])
        internal = [t.internal for t in items if t.internal is not None]
        internal_mean = _mean(internal)
        reduction = _mean([1 - t.actual / t.legal for t in items if t.legal])
        procedures.append(
            {
                "code": code,
                "name": items[0].row.procedure_name,
                "dossiers": len(items),
                "legal_days": _rounded(legal / day if legal else None, 2),
                "internal_days": _rounded(internal_mean / day if internal_mean else None, 2),
                "mean_days": _rounded(_mean([t.actual for t in items]) / day, 2),  # type: ignore[operator]
                "percent": _rounded(100 * reduction if reduction is not None else None),
                "internal_target_percent": (
                    _rounded(100 * (1 - internal_mean / legal))
                    if internal_mean is not None and legal
                    else None
                ),
                "within_internal": sum(
                    1 for t in items if t.internal is not None and t.actual <= t.internal
                ),
            }
        )
    overall = _mean([1 - t.actual / t.legal for t in long if t.legal])
    return {
        "dossiers": len(long),
        "percent": _rounded(100 * overall if overall is not None else None),
        "target": target,
        "procedures": procedures,
    }


def _dislikes(frame: Frame) -> set[int]:
    """The period's dossiers with an "unsatisfied" rating of the dossier or of its visit."""
    by_dossier = {r.dossier_id for r in frame.unhappy if r.dossier_id is not None}
    by_ticket = {r.ticket_id for r in frame.unhappy if r.ticket_id is not None}
    return {
        j.row.id
        for j in frame.counted
        if j.row.id in by_dossier or (j.row.ticket_id is not None and j.row.ticket_id in by_ticket)
    }


def _closed_in_time(frame: Frame, row: DossierRow) -> bool:
    """Withdrawn, stopped or refused by its appointment (766 takes that as its end)."""
    if row.closed_at is None or row.due_at_original is None:
        return True
    local = frame.calendar.local
    return local(row.closed_at).date() <= local(row.due_at_original).date()


def kpi(frame: Frame, targets: dict[str, float]) -> dict[str, Any]:
    hours = WorkingHours(frame.calendar)
    c = counts(frame.dossiers)
    timed = _timed(frame, hours)
    spot = [j for j in frame.dossiers if j.outcome in RESOLVED and j.row.rule.get("on_the_spot")]
    spot_ok = sum(spot_met(frame.calendar, j.row) for j in spot)
    returned = [j.row for j in frame.dossiers if j.returned]
    post = sum(r.delivery == "post" for r in returned)
    requests, requested = frame.step_counts.get("request_supplement", (0, 0))
    lawful, apologies = (frame.step_counts.get(a, (0, 0))[0] for a in ("extend_by_law", "extend"))
    reception = frame.reception_counts()
    received_new = c["online"] + c["direct_post"]
    handled = c["received_total"]
    good = c["early"] + c["on_time"] + c["pending_within"]
    good += sum(_closed_in_time(frame, j.row) for j in frame.counted if j.outcome == "closed")
    late_rate = percent(c["late"] + c["pending_overdue"], handled)
    dislike_rate = percent(len(_dislikes(frame)), handled)
    satisfaction_766 = (
        None if late_rate is None or dislike_rate is None else 100 - late_rate - dislike_rate
    )
    on_time_766 = percent(good, handled)
    online = percent(c["online"], received_new)
    mean_days = _mean([t.actual for t in timed])
    ratings = rating_rate(frame.scores())
    indicators = [
        _indicator("2.1", on_time_766, 20, full=100),
        {
            "code": "2.2",
            "name": INDICATORS["2.2"][0],
            "name_en": INDICATORS["2.2"][1],
            "value": _rounded(mean_days / frame.calendar.hours_per_day, 2) if mean_days else None,
            "points": None,
            "max": None,
            "computable": True,
        },
        _indicator("3.3", online, 12, full=50),
        _indicator("5.4", satisfaction_766, 6, full=90),
        *(
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "computable": False,
                "reason": reason,
                "reason_en": reason_en,
            }
            for code, name, name_en, reason, reason_en in NOT_LOCAL
        ),
    ]
    return {
        "dossiers": {
            "to_handle": handled,
            "carried": c["carried"],
            "received": received_new,
            "resolved": c["resolved_total"],
            "pending": c["pending_total"],
            "closed": c["closed"],
        },
        "on_time": {
            "resolved": c["resolved_total"],
            "on_time": c["early"] + c["on_time"],
            "early": c["early"],
            "late": c["late"],
            "percent": percent(c["early"] + c["on_time"], c["resolved_total"]),
            "target": targets["on_time_target"],
            "overdue_stock": c["pending_overdue"],
        },
        "on_the_spot": {
            "dossiers": len(spot),
            "met": spot_ok,
            "percent": percent(spot_ok, len(spot)),
            "target": targets["on_the_spot_target"],
        },
        "time_reduction": time_reduction(frame, timed, targets["reduction_target"]),
        "online": {
            "received": received_new,
            "online": c["online"],
            "percent": online,
            "target": targets["online_target"],
        },
        "postal": {
            "returned": len(returned),
            "post": post,
            "electronic": sum(r.delivery == "electronic" for r in returned),
            "percent": percent(post, len(returned)),
        },
        "supplements": {"requests": requests, "dossiers": requested},
        "extensions": {"lawful": lawful, "apologies": apologies},
        "reception": {"refused": reception["refusal"], "guidance": reception["guidance"]},
        "satisfaction": {**ratings, "target": targets["satisfaction_target"]},
        "indicators_766": indicators,
        "points_766": {
            "points": round(sum(i["points"] or 0 for i in indicators if i.get("max")), 2),
            "max": sum(i["max"] for i in indicators if i.get("max")),
        },
    }


def _indicator(code: str, rate: float | None, points: int, *, full: float) -> dict[str, Any]:
    """A rate and its points: ``points`` at ``full`` % or more, proportionally below."""
    scored = None if rate is None else round(points * min(max(rate, 0.0) / full, 1.0), 2)
    return {
        "code": code,
        "name": INDICATORS[code][0],
        "name_en": INDICATORS[code][1],
        "value": _rounded(rate),
        "points": scored,
        "max": points,
        "computable": True,
    }

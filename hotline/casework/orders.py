"""Applications and orders under PWDVA ss.18-22 on a case: court, dates, status and expiry.
An order in force with an expiry gets a follow-up LEAD_DAYS before it lapses (a FollowUp row:
the sweeper alerts the one who recorded it when due, as any follow-up); the coordinator sees
what lapses this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from hotline.casework.erasure import writable
from hotline.casework.labels import pgettext
from hotline.store.models import Case, CourtOrder, FollowUp

KINDS = {
    "protection": ("18", pgettext("casework.kind_protection", "Protection order")),
    "residence": ("19", pgettext("casework.kind_residence", "Residence order")),
    "monetary": ("20", pgettext("casework.kind_monetary", "Monetary relief")),
    "custody": ("21", pgettext("casework.kind_custody", "Custody order")),
    "compensation": ("22", pgettext("casework.kind_compensation", "Compensation order")),
}
STATUSES = {"applied": "applied for (pending)", "interim": "interim order", "granted": "granted",
            "refused": "refused", "withdrawn": "withdrawn", "lapsed": "lapsed"}
IN_FORCE = ("interim", "granted")
LEAD_DAYS = 14  # the follow-up comes this long before an order lapses: time to apply to extend it
MAX_TEXT = 4000


def label(kind: str) -> str:
    section, (_context, text) = KINDS[kind]
    return f"{text} (s.{section})"


@dataclass
class Order:
    id: int
    case_id: int
    kind: str
    status: str
    court: str
    applied_on: str | None
    decided_on: str | None
    expires_on: str | None
    details: str
    followup_id: int | None

    @property
    def title(self) -> str:
        return label(self.kind)


def _date(value: str | None) -> str | None:
    value = (value or "").strip()
    return date.fromisoformat(value).isoformat() if value else None  # ValueError when not a date


def _order(svc, row: CourtOrder) -> Order:
    return Order(row.id, row.case_id, row.kind, row.status, row.court, row.applied_on, row.decided_on,
                 row.expires_on, svc.store.unseal(row.details) or "", row.followup_id)


def of_case(svc, case_id: int) -> list[Order]:
    with svc.store.session() as s:
        return [_order(svc, r) for r in s.scalars(select(CourtOrder).where(CourtOrder.case_id == case_id)
                                                  .order_by(CourtOrder.id))]


def add(svc, staff_id: int | None, case_id: int, kind: str, status: str, court: str = "",
        applied_on: str | None = None, decided_on: str | None = None, expires_on: str | None = None,
        details: str = "") -> int:
    if kind not in KINDS or status not in STATUSES:
        raise ValueError(kind if kind not in KINDS else status)
    with svc.store.session() as s:
        writable(s, case_id)  # never onto an erased case
        row = CourtOrder(case_id=case_id, kind=kind, status=status, court=court.strip()[:200],
                         applied_on=_date(applied_on), decided_on=_date(decided_on), expires_on=_date(expires_on),
                         details=svc.store.seal(details.strip()[:MAX_TEXT]) if details.strip() else None,
                         staff_id=staff_id)
        s.add(row)
        s.flush()
        _plan_followup(svc, s, row, staff_id)
        order_id = row.id
    svc.store.audit("order.recorded", None, staff_id=staff_id, case=case_id, order=order_id, kind=kind, status=status)
    return order_id


def update(svc, staff_id: int | None, order_id: int, status: str, decided_on: str | None = None,
           expires_on: str | None = None) -> None:
    """A new status (and decision or expiry date); the follow-up before it lapses follows."""
    if status not in STATUSES:
        raise ValueError(status)
    with svc.store.session() as s:
        row = s.get(CourtOrder, order_id, with_for_update=True)
        if row is None:
            raise LookupError(order_id)
        row.status = status
        if decided_on is not None and decided_on.strip():
            row.decided_on = _date(decided_on)
        if expires_on is not None and expires_on.strip():
            row.expires_on = _date(expires_on)
        _plan_followup(svc, s, row, staff_id)
        case_id = row.case_id
    svc.store.audit("order.updated", None, staff_id=staff_id, case=case_id, order=order_id, status=status)


def _plan_followup(svc, s, row: CourtOrder, staff_id: int | None) -> None:
    """An order in force that expires gets one pending follow-up, LEAD_DAYS before its expiry at
    10:00 (staff time; at once when that is past); any other state cancels it."""
    current = s.get(FollowUp, row.followup_id) if row.followup_id else None
    wanted = row.status in IN_FORCE and row.expires_on
    if current is not None and current.status == "pending":
        current.status = "cancelled"
    if not wanted:
        return
    zone = svc.staff.zone
    expires = date.fromisoformat(row.expires_on)
    due = datetime.combine(expires - timedelta(days=LEAD_DAYS), time(10, 0), tzinfo=zone)
    due = max(due, svc.now())
    note = f"{label(row.kind)}" + (f", {row.court}" if row.court else "") + f" lapses on {row.expires_on}: " \
        "apply to extend it, or check with her."
    followup = FollowUp(case_id=row.case_id, staff_id=staff_id, due_at=due.astimezone(UTC),
                        note=svc.store.seal(note))
    s.add(followup)
    s.flush()
    row.followup_id = followup.id


def lapsing(svc, month_of: date) -> list[Order]:
    """Orders in force that lapse in the month of `month_of` (the coordinator's list)."""
    first = month_of.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    with svc.store.session() as s:
        rows = s.scalars(select(CourtOrder).join(Case, Case.id == CourtOrder.case_id).where(
            CourtOrder.status.in_(IN_FORCE), CourtOrder.expires_on >= first.isoformat(),
            CourtOrder.expires_on < after.isoformat()).order_by(CourtOrder.expires_on))
        return [_order(svc, r) for r in rows]

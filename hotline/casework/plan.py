"""The follow-up plan with the police: the cases due for follow-up in a week (who, what, by
when), for the station's inspector, printed or as CSV. Only what the police may see: the case
reference, the date, who follows up and, for an order, its kind, court and expiry. Never her
number, her name, a note or anything she said."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from hotline.casework.orders import label
from hotline.privacy import csvfile
from hotline.store.models import CourtOrder, FollowUp

HEADER = ["case", "due", "who", "role", "what"]


@dataclass
class Row:
    case_id: int
    due: datetime
    who: str
    role: str
    what: str
    overdue: bool


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week(svc, start: date) -> list[Row]:
    """Follow-ups pending in the week from `start` (Monday, staff time), and any overdue."""
    zone = svc.staff.zone
    begin = datetime.combine(start, time(0, 0), tzinfo=zone)
    end = begin + timedelta(days=7)
    now = svc.now()
    staff = svc.staff
    rows = []
    with svc.store.session() as s:
        found = s.execute(select(FollowUp, CourtOrder).outerjoin(CourtOrder, CourtOrder.followup_id == FollowUp.id)
                          .where(FollowUp.status == "pending", FollowUp.due_at < end.astimezone(UTC))
                          .order_by(FollowUp.due_at)).all()
        for followup, order in found:
            due = followup.due_at if followup.due_at.tzinfo else followup.due_at.replace(tzinfo=UTC)
            if due < begin and due >= now:
                continue  # before this week but not yet due: another week's
            person = staff.get(followup.staff_id)
            if order is not None:
                what = f"{label(order.kind)}" + (f", {order.court}" if order.court else "") + \
                    f": lapses {order.expires_on}; renewal or check"
            else:
                what = "Follow-up with her (counsellor)"
            rows.append(Row(followup.case_id, due.astimezone(zone), person.name if person else "coordinator",
                            (person.roles[0] if person and person.roles else "coordinator"), what, due < now))
    return rows


def as_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    w = csvfile.writer(out)
    w.writerow(HEADER)
    for r in rows:
        w.writerow([r.case_id, r.due.strftime("%Y-%m-%d %H:%M"), r.who, r.role, r.what])
    return out.getvalue()

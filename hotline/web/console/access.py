"""Who may see what. A coordinator sees every case; a counsellor (or NGO representative) sees
the cases she has taken and those she is being asked to take right now. Relayed messages, a
voicemail's recording and a callback's code word are the survivor's own words: only the
counsellor the case is assigned to sees them."""

from __future__ import annotations

from sqlalchemy import or_, select

from hotline.store.models import Case, Escalation, EscalationStatus, Notification
from hotline.web.console.auth import User


def visible_case_ids(s, user: User):
    """A select of the case ids `user` may open (None: every case, for a coordinator)."""
    if user.coordinator:
        return None
    taken = select(Escalation.case_id).where(Escalation.acked_by == user.id)
    asked = (select(Escalation.case_id).join(Notification, Notification.escalation_id == Escalation.id)
             .where(Notification.staff_id == user.id, Escalation.status == EscalationStatus.OPEN))
    assigned = select(Case.id).where(Case.assigned_to == user.id)
    return select(Case.id).where(or_(Case.id.in_(taken), Case.id.in_(asked), Case.id.in_(assigned)))


def may_view(s, user: User, case: Case) -> bool:
    ids = visible_case_ids(s, user)
    return ids is None or s.scalars(ids.where(Case.id == case.id)).first() is not None


def sees_words(user: User, case: Case) -> bool:
    """Relay bodies and the like: for the assigned counsellor alone."""
    return case.assigned_to is not None and case.assigned_to == user.id


def involved(s, user: User, e: Escalation) -> bool:
    """Alerted about it, or has it: may acknowledge or pass it (as by SMS)."""
    if user.coordinator or e.acked_by == user.id:
        return True
    return s.scalars(select(Notification.id).where(Notification.escalation_id == e.id,
                                                   Notification.staff_id == user.id)).first() is not None

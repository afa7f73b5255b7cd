"""Follow-ups: a case to come back to, alerted to the one who set it (else the coordinators)
when due. Set by SMS (`FOLLOWUP 482 3d`) or in the console; the sweeper alerts any that are
due and not on the queue, whoever wrote them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from hotline.response import reach, whatsapp
from hotline.response.chain import aware, coordinators, say
from hotline.store.models import Case, Escalation, FollowUp

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.services import Services


def due(svc: Services, followup_id: int) -> str:
    staff = svc.staff  # read before the transaction: the staff may come from the store
    with svc.store.session() as s:
        row = s.scalars(select(FollowUp).where(FollowUp.id == followup_id).with_for_update()).first()
        if row is None or row.status != "pending":
            return "nothing to do"
        if aware(row.due_at) > svc.now():
            return "not yet"  # moved later since this job was queued; its own job comes then
        code = s.scalars(select(Escalation.code).where(Escalation.case_id == row.case_id)
                         .order_by(Escalation.id.desc())).first() or str(row.case_id)
        note = svc.store.unseal(row.note) or ""
        about = s.get(Case, row.case_id).caller_key  # the reminder holds her story: DELETE erases its copy
        person = staff.get(row.staff_id)
        for who in [person] if person else coordinators(staff, svc.now()):
            # words are no DLT template (Exotel SMS): there the note waits on the case in the console
            said = "" if reach.free_text(svc, whatsapp.staff_route(svc, s, who).channel) == "call" else note
            whatsapp.to_staff(svc, s, who, say(svc, "followup_due", who.language, code=code, note=said), about=about)
        row.status = "sent"
    return "sent"


def overdue(svc: Services) -> list[tuple[tuple, None]]:
    """Due follow-ups that no job will alert (written by the console, or Redis lost): for the sweeper."""
    with svc.store.session() as s:
        ids = s.scalars(select(FollowUp.id).where(FollowUp.status == "pending", FollowUp.due_at <= svc.now())).all()
    return [((i, ), None) for i in ids]

"""Retention: closed cases are kept for a while (follow-ups, the Protection Team's record), then
reduced to the same anonymous stub DELETE leaves. HOTLINE_RETENTION_DAYS sets the while."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from hotline.services import Services
from hotline.store.models import Audit, Case, CaseStatus, ContactChannel, HeldMessage, Outbox


def purge(svc: Services, days: int) -> int:
    """Anonymise every case closed more than `days` ago; returns how many."""
    cutoff = svc.now() - timedelta(days=days)
    with svc.store.session() as s:
        # WhatsApp: messages held for someone who never wrote again, and the channel of anyone
        # silent since the cut-off, go whatever their case (response/whatsapp.py)
        s.execute(delete(HeldMessage).where(HeldMessage.at < cutoff))
        s.execute(delete(ContactChannel).where(ContactChannel.at < cutoff, (ContactChannel.whatsapp_at.is_(None))
                                               | (ContactChannel.whatsapp_at < cutoff)))
        cases = s.execute(select(Case.id, Case.caller_key).where(
            Case.status == CaseStatus.CLOSED, Case.closed_at < cutoff, Case.caller_key != "erased")).all()
        if not cases:
            return 0
        ids = [case_id for case_id, _ in cases]
        svc.store.anonymise(s, ids)
        for _, key in cases:
            still_open = s.scalars(select(Case.id).where(Case.caller_key == key)).first()
            if not still_open:
                s.execute(update(Audit).where(Audit.caller_key == key).values(caller_key=None))
                s.execute(delete(Outbox).where(Outbox.about == key))
        s.add(Audit(event="retention.purged", detail={"cases": len(ids), "days": days}))
    return len(ids)

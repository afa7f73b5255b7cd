"""Retention: what the line holds of a woman is kept for a while (follow-ups, the Protection
Team's record), then erased as DELETE erases it. HOTLINE_RETENTION_DAYS sets the while.

Not only closed cases: a woman who only asked for a shelter list, or an officer's LAP screen,
leaves rows under her keyed hash (resource requests, referrals, audit rows) and no case. So the
unit is the caller: everyone whose last activity (anything under her key, and anything on her
cases, staff's work on them included) is older than the cut-off goes, every table at once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from hotline.services import Services
from hotline.store.models import (
    ERASED,
    Action,
    Audit,
    Case,
    CaseRecord,
    ContactChannel,
    CourtOrder,
    DomesticIncidentReport,
    Escalation,
    FollowUp,
    HeldMessage,
    Note,
    OfflineContact,
    OptOut,
    Outbox,
    ProviderRecord,
    Referral,
    Relay,
)

# Where a caller's activity is dated: (model, its caller-key column, its time columns). Every
# model in CALLER_KEY_COLUMNS is here or in KEPT (tests/test_erasure_everywhere.py checks).
BY_KEY = [(Case, "caller_key", ("opened_at", "closed_at")), (Action, "caller_key", ("created_at",)),
          (Outbox, "about", ("at",)), (Audit, "caller_key", ("at",)), (Referral, "caller_key", ("at",)),
          (ContactChannel, "caller_key", ("at", "whatsapp_at")), (HeldMessage, "caller_key", ("at",)),
          (HeldMessage, "about", ("at",)), (ProviderRecord, "caller_key", ("at",))]
# Staff's work on her cases keeps them (a follow-up still due, a note written last week).
BY_CASE = [(Escalation, ("created_at", "acked_at", "closed_at")), (Note, ("at",)), (Relay, ("at",)),
           (FollowUp, ("due_at", "created_at")), (CaseRecord, ("at",)), (CourtOrder, ("at",)),
           (OfflineContact, ("at",)), (DomesticIncidentReport, ("created_at", "updated_at")), (Referral, ("at",))]
# Kept past retention, and why: her STOP stands until she says START (only her keyed hash and a time).
KEPT = {OptOut: "her STOP stands until her START"}


def stale_callers(s, cutoff) -> list[str]:
    """Every caller key whose latest activity anywhere is before `cutoff`."""
    latest: dict[str, object] = {}

    def seen(key, at) -> None:
        if key and key != ERASED and at is not None:
            at = at if at.tzinfo else at.replace(tzinfo=cutoff.tzinfo)  # SQLite hands back naive UTC
            latest[key] = max(latest.get(key, at), at)

    for model, key_column, times in BY_KEY:
        key = getattr(model, key_column)
        for column in times:
            for k, at in s.execute(select(key, func.max(getattr(model, column))).group_by(key)):
                seen(k, at)
    for model, times in BY_CASE:
        for column in times:
            rows = s.execute(select(Case.caller_key, func.max(getattr(model, column)))
                             .join(Case, Case.id == model.case_id).group_by(Case.caller_key))
            for k, at in rows:
                seen(k, at)
    return sorted(k for k, at in latest.items() if at < cutoff)


def purge(svc: Services, days: int) -> int:
    """Erase everyone silent for more than `days` (as DELETE does, her STOP apart); returns how
    many callers were erased."""
    cutoff = svc.now() - timedelta(days=days)
    with svc.store.session() as s:
        # WhatsApp: messages held for someone who never wrote again, and the channel of anyone
        # silent since the cut-off, go whatever their case (response/whatsapp.py)
        s.execute(delete(HeldMessage).where(HeldMessage.at < cutoff))
        s.execute(delete(ContactChannel).where(ContactChannel.at < cutoff, (ContactChannel.whatsapp_at.is_(None))
                                               | (ContactChannel.whatsapp_at < cutoff)))
        stale = stale_callers(s, cutoff)
        if not stale:
            return 0
        cases = 0
        for key in stale:
            cases += len(s.scalars(select(Case.id).where(Case.caller_key == key)).all())
            opted_out = s.get(OptOut, key) is not None
            svc.store.erase_in(s, key, audit=False)
            if opted_out:  # see KEPT
                s.add(OptOut(caller_key=key))
        s.add(Audit(event="retention.purged", detail={"callers": len(stale), "cases": cases, "days": days}))
    svc.store.checkpoint()
    return len(stale)

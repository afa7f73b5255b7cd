"""The live view: escalations waiting for someone, and those taken and not yet done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from hotline.privacy.phones import mask
from hotline.response import risk
from hotline.response.permissions import offered
from hotline.store.models import ACTIVE, Case, Escalation, Notification, NotificationStatus
from hotline.web.console.access import involved, visible_case_ids
from hotline.web.console.auth import User, aware
from hotline.web.console.format import duration

PRIORITY_ORDER = {"emergency": 0, "high": 1, "normal": 2}


@dataclass
class Alerted:
    name: str
    via: str
    status: str  # pending | sent | cancelled


@dataclass
class LiveEscalation:
    id: int
    code: str
    case_id: int
    kind: str
    priority: str
    lang: str
    channel: str
    status: str
    created_at: datetime
    waiting: str
    caller: str  # masked
    acked_by: str | None
    acked_by_id: int | None
    acked_after: str | None
    mine: bool  # she may ACK/PASS it
    commands: tuple[str, ...] = ()  # the buttons offered (response/permissions.py)
    alerted: list[Alerted] = field(default_factory=list)
    risk: str = "standard"  # high | elevated | standard (escalation/risk.py)
    reasons: list[str] = field(default_factory=list)  # why, as a counsellor reads it


def escalations(svc, user: User, at: datetime) -> list[LiveEscalation]:
    """Open and taken escalations the user may see: waiting before taken; the highest risk first,
    then the highest priority, then the longest waiting (#17)."""
    staff = svc.staff
    with svc.store.session() as s:
        query = (select(Escalation, Case).join(Case, Case.id == Escalation.case_id)
                 .where(Escalation.status.in_(ACTIVE)))
        visible = visible_case_ids(s, user)
        if visible is not None:
            query = query.where(Case.id.in_(visible))
        rows = list(s.execute(query))
        ids = [e.id for e, _ in rows]
        notes = list(s.scalars(select(Notification).where(Notification.escalation_id.in_(ids),
                                                          Notification.kind == "alert")
                               .order_by(Notification.id))) if ids else []
        allowed = {e.id: involved(s, user, e) for e, _ in rows}
    by_escalation: dict[int, dict[tuple[int, str], Alerted]] = {}
    for n in notes:
        person = staff.get(n.staff_id)
        seen = by_escalation.setdefault(n.escalation_id, {})
        key = (n.staff_id, n.via)
        if key not in seen or n.status == NotificationStatus.SENT:
            seen[key] = Alerted(person.name if person else f"#{n.staff_id}", n.via, n.status)
    result = []
    for e, case in rows:
        created = aware(e.created_at)
        taker = staff.get(e.acked_by)
        result.append(LiveEscalation(
            id=e.id, code=e.code, case_id=case.id, kind=e.kind, priority=e.priority, lang=e.lang,
            channel=case.channel, status=e.status, created_at=created,
            waiting=duration((at - created).total_seconds()),
            caller=mask(svc.store.unseal(case.contact)),
            acked_by=taker.name if taker else None, acked_by_id=e.acked_by,
            acked_after=duration((aware(e.acked_at) - created).total_seconds()) if e.acked_at else None,
            mine=allowed[e.id], alerted=list(by_escalation.get(e.id, {}).values()),
            commands=offered(e.status, notified=allowed[e.id], holds=e.acked_by == user.id,
                             coordinator=user.coordinator),
            risk=e.risk or "standard", reasons=[risk.describe(r) for r in e.risk_reasons or []]))
    result.sort(key=lambda x: (x.status != "open", risk.ORDER.get(x.risk, len(risk.LEVELS)),
                               PRIORITY_ORDER.get(x.priority, 3), x.created_at))
    return result

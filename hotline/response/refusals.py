"""Refused staff commands: each one audited, and too many lately refuse the phone for a while,
because codes are then being guessed, not typed (staff commands and the relay both refuse)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from hotline.people.staff import Person
from hotline.store.models import Audit

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.services import Services

MAX_REFUSALS = 10  # wrong or foreign codes a staff phone may send in REFUSALS_WINDOW before it is refused
REFUSALS_WINDOW = timedelta(hours=1)


def refuse(svc: Services, person: Person, code: str, reason: str) -> None:
    """Every refusal is audited; they are also what the rate limit counts."""
    svc.store.audit("staff.refused", None, staff_id=person.id, reason=reason, code=str(code)[:12])


def limited(svc: Services, person: Person) -> bool:
    """Too many refusals lately: codes are guessed, not typed. The phone is refused for a while."""
    since = svc.now() - REFUSALS_WINDOW
    with svc.store.read() as s:
        count = s.scalar(select(func.count(Audit.id)).where(
            Audit.event == "staff.refused", Audit.staff_id == person.id, Audit.at > since))
    return count >= MAX_REFUSALS

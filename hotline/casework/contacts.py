"""Contacts outside the line: a walk-in at the station's NGO desk, a call to a counsellor's own
phone, a home visit. Recorded on her case (or on a new one) so the record is whole. What she
said is sealed like her other words."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.casework.erasure import writable
from hotline.privacy.phones import caller_key, e164
from hotline.store.models import Case, FollowUp, OfflineContact

KINDS = {"walk_in": "Walk-in at the NGO desk", "own_phone": "Call to a counsellor's own phone",
         "visit": "Home visit", "other": "Other"}
MAX_TEXT = 4000


@dataclass
class Contact:
    id: int
    kind: str
    place: str
    happened_at: datetime
    summary: str
    staff_id: int | None


def of_case(svc, case_id: int) -> list[Contact]:
    with svc.store.session() as s:
        rows = s.scalars(select(OfflineContact).where(OfflineContact.case_id == case_id).order_by(OfflineContact.id))
        return [Contact(r.id, r.kind, r.place, r.happened_at, svc.store.unseal(r.summary) or "", r.staff_id)
                for r in rows]


def record(svc, staff_id: int | None, case_id: int, kind: str, happened_at: datetime, place: str = "",
           summary: str = "") -> int:
    if kind not in KINDS:
        raise ValueError(kind)
    with svc.store.session() as s:
        writable(s, case_id)  # never onto an erased case
        row = OfflineContact(case_id=case_id, kind=kind, place=place.strip()[:200],
                             happened_at=happened_at.astimezone(UTC), staff_id=staff_id,
                             summary=svc.store.seal(summary.strip()[:MAX_TEXT]) if summary.strip() else None)
        s.add(row)
        s.flush()
        contact_id = row.id
    svc.store.audit("case.offline_contact", None, staff_id=staff_id, case=case_id, kind=kind)
    return contact_id


def new_case(svc, staff_id: int, number: str | None, lang: str, kind: str,
             may_see: Callable[[Session, Case], bool] | None = None) -> int:
    """A case for someone who came by or called a counsellor's phone: her open case when her
    number has one the recorder may see (`may_see`; None: any); else a new case assigned to the
    one recording it. Without a number, the case is keyed by nothing that names her (DELETE by
    text cannot find it; retention reduces it).

    An open case she may not see is neither written to nor shown (#30: else the form tells an
    NGO desk which numbers have a case): her walk-in goes on a new case as for an unknown number,
    and the coordinators get a follow-up on the open one, to join the two."""
    if number and number.strip():
        number = e164(number)
        if number is None:
            raise ValueError("not a phone number")
    else:
        number = None
    key = caller_key(number, svc.settings.secret_key) if number else f"offline-{secrets.token_hex(8)}"
    with svc.store.session() as s:
        hidden = None
        if number:
            existing = svc.store.open_case(s, key)
            if existing is not None and (may_see is None or may_see(s, existing)):
                return existing.id
            hidden = existing
        case = Case(caller_key=key, contact=svc.store.seal(number), lang=lang if lang in svc.catalog.languages else "en",
                    channel="offline", status="open", assigned_to=staff_id)
        s.add(case)
        s.flush()
        case_id = case.id
        if hidden is not None:  # staff_id None: the coordinators are alerted (response/followups.py)
            s.add(FollowUp(case_id=hidden.id, staff_id=None, due_at=svc.now(), note=svc.store.seal(
                f"A contact with this number was recorded on case #{case_id} by someone who cannot see this "
                "case: join them if they are one woman.")))
    svc.store.audit("case.opened_offline", key if number else None, staff_id=staff_id, case=case_id, kind=kind)
    return case_id

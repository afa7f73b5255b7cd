"""Domestic Incident Reports on a case: saved as drafts, finalised once Form I's essentials are
there (dir_form.problems), then forwarded (to the Protection Officer, the Magistrate, the police
station, a service provider, and her own free copy), each forwarding recorded: who, when, how.
A final DIR is not edited again: a correction is a new DIR."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from hotline.casework import dir_form
from hotline.casework.erasure import writable
from hotline.casework.labels import pgettext
from hotline.store.models import Case, DirForwarding, DomesticIncidentReport

LANGS = ("en", "ta")  # the languages its PDF has fonts for (casework/fonts/): another script needs its font
FORWARD_TO = {
    "protection_officer": pgettext("casework.to_protection_officer", "Protection Officer"),
    "magistrate": pgettext("casework.to_magistrate", "Magistrate"),
    "police": pgettext("casework.to_police", "Police station"),
    "service_provider": pgettext("casework.to_service_provider", "Service provider"),
    "aggrieved": pgettext("casework.to_aggrieved", "The aggrieved person (her free copy)"),
}
VIA = {"hand": "by hand", "post": "by registered post", "email": "by email", "other": "other"}


@dataclass
class Forwarding:
    to: str
    name: str
    via: str
    sent_on: str
    by: int | None


@dataclass
class Report:
    id: int
    case_id: int
    lang: str
    status: str
    content: dict
    created_at: datetime
    finalised_at: datetime | None
    reduced: bool
    forwardings: list[Forwarding] = field(default_factory=list)


def _report(svc, s, row: DomesticIncidentReport) -> Report:
    sent = s.scalars(select(DirForwarding).where(DirForwarding.dir_id == row.id).order_by(DirForwarding.id))
    return Report(row.id, row.case_id, row.lang, row.status, dir_form.unseal(svc.store, row.content), row.created_at,
                  row.finalised_at, row.reduced, [Forwarding(f.to, f.name, f.via, f.sent_on, f.staff_id) for f in sent])


def of_case(svc, case_id: int) -> list[Report]:
    with svc.store.session() as s:
        rows = s.scalars(select(DomesticIncidentReport).where(DomesticIncidentReport.case_id == case_id)
                         .order_by(DomesticIncidentReport.id))
        return [_report(svc, s, row) for row in rows]


def get(svc, dir_id: int) -> Report | None:
    with svc.store.session() as s:
        row = s.get(DomesticIncidentReport, dir_id)
        return _report(svc, s, row) if row else None


def save(svc, staff_id: int | None, case_id: int, content: dict, lang: str, dir_id: int | None = None) -> int:
    """A new draft, or the draft `dir_id` rewritten. A final DIR is never changed (ValueError)."""
    if lang not in LANGS:
        raise ValueError(lang)
    with svc.store.session() as s:
        writable(s, case_id)  # never onto an erased case
        if dir_id is None:
            row = DomesticIncidentReport(case_id=case_id, staff_id=staff_id, status="draft")
            s.add(row)
        else:
            row = s.get(DomesticIncidentReport, dir_id)
            if row is None or row.case_id != case_id:
                raise LookupError(dir_id)
            if row.status != "draft":
                raise ValueError("a final DIR is not edited: write a new one")
        row.lang, row.content, row.updated_at = lang, dir_form.seal(svc.store, content), svc.now()
        s.flush()
        dir_id = row.id
        key = s.get(Case, case_id).caller_key
    svc.store.audit("dir.saved", key if key != "erased" else None, staff_id=staff_id, case=case_id, dir=dir_id)
    return dir_id


def finalise(svc, staff_id: int | None, dir_id: int) -> list[str]:
    """Final, when nothing is missing; else what is missing (and it stays a draft)."""
    with svc.store.session() as s:
        row = s.get(DomesticIncidentReport, dir_id, with_for_update=True)
        if row is None:
            raise LookupError(dir_id)
        if row.status == "final":
            return []
        missing = dir_form.problems(dir_form.unseal(svc.store, row.content))
        if missing:
            return missing
        row.status, row.finalised_at, row.finalised_by = "final", svc.now(), staff_id
        case_id = row.case_id
    svc.store.audit("dir.finalised", None, staff_id=staff_id, case=case_id, dir=dir_id)
    return []


def forward(svc, staff_id: int | None, dir_id: int, to: str, name: str, via: str, sent_on: str) -> int:
    """Record that a final DIR was sent on (ValueError for a draft or an unknown recipient/way)."""
    if to not in FORWARD_TO or via not in VIA:
        raise ValueError(to)
    date.fromisoformat(sent_on)  # ValueError when not a date
    with svc.store.session() as s:
        row = s.get(DomesticIncidentReport, dir_id)
        if row is None:
            raise LookupError(dir_id)
        if row.status != "final":
            raise ValueError("only a final DIR is forwarded")
        f = DirForwarding(dir_id=dir_id, to=to, name=name.strip()[:200], via=via, sent_on=sent_on, staff_id=staff_id)
        s.add(f)
        s.flush()
        forwarding_id, case_id = f.id, row.case_id
    svc.store.audit("dir.forwarded", None, staff_id=staff_id, case=case_id, dir=dir_id, to=to, via=via)
    return forwarding_id

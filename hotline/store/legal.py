"""What erasure (DELETE, the safe word, retention) does to the legal records of her cases.

A DIR that was finalised and forwarded is a legal record the Magistrate, the police station and
the Protection Officer already hold: it is kept, as the court's copy is, reduced to what the law
requires (Form I as forwarded and its forwarding log, without her phone number), and marked
reduced. Everything else goes with the rest of her case: drafts, final DIRs never forwarded,
orders and applications (the court keeps its own record; their follow-ups go with the case's),
and contacts recorded outside the line. Store.anonymise calls reduce() inside its transaction.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, select

from hotline.store.models import CourtOrder, DirForwarding, DomesticIncidentReport, OfflineContact

TABLES = ("dirs", "dir_forwardings", "court_orders", "offline_contacts")  # what reduce() deletes or reduces
DROPPED_ON_ERASURE = ("phone",)  # the DIR's fields a kept copy loses (hotline/casework/dir_form.py)


def forwarded_dirs(s, case_ids: list[int]) -> list[DomesticIncidentReport]:
    sent = select(DirForwarding.dir_id)
    return list(s.scalars(select(DomesticIncidentReport).where(
        DomesticIncidentReport.case_id.in_(case_ids), DomesticIncidentReport.status == "final",
        DomesticIncidentReport.id.in_(sent))))


def reduce(s, store, case_ids: list[int]) -> int:
    """Erase her legal records but the forwarded DIRs, which are reduced. Returns rows deleted."""
    if not case_ids:
        return 0
    kept = forwarded_dirs(s, case_ids)
    kept_ids = [d.id for d in kept]
    for report in kept:
        raw = store.unseal(report.content)
        content = json.loads(raw) if raw else {}
        for key in DROPPED_ON_ERASURE:
            content.pop(key, None)
        report.content = store.seal(json.dumps(content, ensure_ascii=False, sort_keys=True))
        report.reduced = True
    going = select(DomesticIncidentReport.id).where(DomesticIncidentReport.case_id.in_(case_ids),
                                                    DomesticIncidentReport.id.not_in(kept_ids or [-1]))
    gone = s.execute(delete(DirForwarding).where(DirForwarding.dir_id.in_(going))).rowcount
    gone += s.execute(delete(DomesticIncidentReport).where(DomesticIncidentReport.case_id.in_(case_ids),
                                                           DomesticIncidentReport.id.not_in(kept_ids or [-1]))).rowcount
    gone += s.execute(delete(CourtOrder).where(CourtOrder.case_id.in_(case_ids))).rowcount
    gone += s.execute(delete(OfflineContact).where(OfflineContact.case_id.in_(case_ids))).rowcount
    return gone

"""What she is told before DELETE erases her: whether a forwarded DIR is kept as the court's copy
(the rule itself, applied inside the erasure's transaction: hotline/store/legal.py)."""

from __future__ import annotations

from sqlalchemy import select

from hotline.store.legal import forwarded_dirs
from hotline.store.models import ERASED, Case


def keeps_a_dir(svc, caller_key: str) -> bool:
    """Whether erasing this caller would keep a forwarded DIR (her DELETE reply says so)."""
    with svc.store.session() as s:
        case_ids = list(s.scalars(select(Case.id).where(Case.caller_key == caller_key)))
        return bool(case_ids) and bool(forwarded_dirs(s, case_ids))


class CaseErased(Exception):
    """Staff tried to add to a case she erased (DELETE, the safe word) or retention reduced: its
    stub is read-only, and anything added to it would be out of reach of her next DELETE."""

    def __init__(self, case_id: int):
        super().__init__(case_id)
        self.case_id = case_id


REFUSED = "Not recorded: this case was erased (at her request, or after the retention period). " \
          "It is kept only as an anonymous record, and nothing can be added to it."


def writable(s, case_id: int) -> Case | None:
    """The case, locked for this transaction, to add to; CaseErased when it was erased. Locked so
    an erasure either ran before (and this refuses) or waits and then erases what this adds."""
    case = s.scalars(select(Case).where(Case.id == case_id).with_for_update()).first()
    if case is not None and case.caller_key == ERASED:
        raise CaseErased(case_id)
    return case

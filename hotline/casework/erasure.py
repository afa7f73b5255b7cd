"""What she is told before DELETE erases her: whether a forwarded DIR is kept as the court's copy
(the rule itself, applied inside the erasure's transaction: hotline/store/legal.py)."""

from __future__ import annotations

from sqlalchemy import select

from hotline.store.legal import forwarded_dirs
from hotline.store.models import Case


def keeps_a_dir(svc, caller_key: str) -> bool:
    """Whether erasing this caller would keep a forwarded DIR (her DELETE reply says so)."""
    with svc.store.session() as s:
        case_ids = list(s.scalars(select(Case.id).where(Case.caller_key == caller_key)))
        return bool(case_ids) and bool(forwarded_dirs(s, case_ids))

"""One clock: every domain time comes from the clock on Services, the store's stamps included."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hotline.clock import Clock
from hotline.store import Store
from hotline.store.models import Audit, Case

from .conftest import ROOT

WALL_CLOCK = re.compile(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(")


def test_no_domain_code_reads_the_wall_clock():
    found = []
    for path in sorted((ROOT / "hotline").rglob("*.py")):
        if path.name == "clock.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if WALL_CLOCK.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "domain time must come from svc.now() / the store's clock:\n" + "\n".join(found)


def test_rows_are_stamped_from_the_stores_clock_not_the_wall(sqlite_url):
    moment = datetime(2031, 2, 3, 4, 5, tzinfo=UTC)
    store = Store(sqlite_url, "secret", Clock(moment))
    store.create()
    with store.session() as s:
        s.add(Case(caller_key="k"))
    store.audit("test.event")
    with store.session() as s:
        opened = s.query(Case.opened_at).scalar()
        at = s.query(Audit.at).filter(Audit.event == "test.event").scalar()
    assert opened.replace(tzinfo=UTC) == moment and at.replace(tzinfo=UTC) == moment


def test_a_pinned_clock_moves_only_when_told():
    clock = Clock(datetime(2030, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2030, 1, 1, tzinfo=UTC)
    assert clock.advance(days=400) == datetime(2031, 2, 5, tzinfo=UTC)

"""`hotline audit export`: the audit log as CSV."""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from hotline.cli.common import services, staff_time


@click.group(help="the audit log")
def audit() -> None:
    pass


def since_date(text: str, today: date) -> date | None:
    """'today', 'yesterday', '30/11/2026' (day first, as in India), '2026-11-30' -> a date; None
    when it is none of these."""
    from datetime import datetime, timedelta

    said = text.strip().lower()
    if said in ("today", "yesterday"):
        return today - timedelta(days=1 if said == "yesterday" else 0)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(said, pattern).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(said).date()
    except ValueError:
        return None


@audit.command(help="as CSV on standard output")
@click.option("--since", default=None, help="ISO date or time, e.g. 2026-11-01")
def export(since: str | None) -> int:
    """The audit log as CSV on standard output: who was notified when, who acknowledged, each
    relay. Callers appear only as their keyed hash; staff by name and masked number."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from hotline.privacy import csvfile
    from hotline.privacy.phones import mask
    from hotline.store.models import Audit

    svc = services()
    staff = svc.staff
    query = select(Audit).order_by(Audit.id)
    if since:
        start = since_date(since, svc.staff.local(svc.now()).date())
        if start is None:
            click.echo(f'--since "{since}": give a day as today, yesterday, 30/11/2026 or 2026-11-30', err=True)
            return 2
        # the day as the staff's clock has it, from its midnight, in UTC as the store keeps times
        query = query.where(Audit.at >= datetime.combine(start, datetime.min.time(), svc.staff.zone)
                            .astimezone(UTC).replace(tzinfo=None))
    out = csvfile.writer(sys.stdout)  # a staff name like "=HYPERLINK(…)" is not run as a formula
    out.writerow(["at", "event", "caller", "staff", "staff_number", "detail"])
    with svc.store.session() as s:
        for row in s.scalars(query):
            person = staff.get(row.staff_id)
            # the staff's time with its offset (2026-11-30T19:29:19+05:30), as a spreadsheet reads it
            out.writerow([staff_time(svc, row.at).isoformat(timespec="seconds"), row.event, row.caller_key or "",
                          person.name if person else "", mask(person.phone) if person else "",
                          json.dumps(row.detail, ensure_ascii=False)])
    return 0

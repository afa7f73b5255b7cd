"""The rota: who is on shift now, by role and language, and each person's hours this week
(weekly patterns and one-off overrides, as the escalation chain reads them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hotline.people.staff import ROLES, Person, Staff

STEP = timedelta(minutes=15)  # shifts are written to the minute; a quarter is the rota's grain
ROLE_NAMES = {"counsellor": "Counsellors", "ngo": "NGO representatives", "police": "Police",
              "coordinator": "Coordinators"}


@dataclass
class Row:
    person: Person
    on_now: bool
    days: list[list[str]] = field(default_factory=list)  # per weekday: "09:00–18:00" ranges


@dataclass
class Rota:
    now: datetime  # local
    days: list[datetime]  # local midnights, Monday first
    by_role: dict[str, list[Row]]
    languages: list[str]
    coverage: dict[str, dict[str, list[str]]]  # role -> language -> names on shift now


def ranges(person: Person, day: datetime) -> list[str]:
    """The hours of `day` (a local midnight) when `person` is on shift, as "HH:MM–HH:MM"."""
    out, start, moment = [], None, day
    end_of_day = day + timedelta(days=1)
    while moment < end_of_day:
        on = person.on_shift(moment)
        if on and start is None:
            start = moment
        elif not on and start is not None:
            out.append(f"{start:%H:%M}–{moment:%H:%M}")
            start = None
        moment += STEP
    if start is not None:
        out.append(f"{start:%H:%M}–24:00")
    return out


def build(staff: Staff, at: datetime, languages: list[str]) -> Rota:
    local = staff.local(at)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [monday + timedelta(days=i) for i in range(7)]
    by_role: dict[str, list[Row]] = {}
    for role in ROLES:
        rows = [Row(p, p.on_shift(local), [ranges(p, d) for d in days]) for p in staff.people if role in p.roles]
        if rows:
            by_role[role] = rows
    coverage = {role: {lang: [p.name for p in staff.on_shift(at, role, lang)] for lang in languages}
                for role in ("counsellor", "ngo", "coordinator")}
    return Rota(local, days, by_role, languages, coverage)

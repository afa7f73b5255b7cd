"""Staff and their shifts: the staff file, its import into the store, and who is on shift.

    timezone: Asia/Kolkata               # the time zone of every shift below
    staff:
      - name: Kavitha
        phone: "+91 98400 00001"         # any form phonenumbers can parse; stored as E.164
        roles: [counsellor]              # counsellor | ngo | police | coordinator
        languages: [ta, en]              # the first is the language of her alerts
        shifts: ["mon-sun 00:00-24:00"]  # weekly patterns; "fri 22:00-06:00" runs past midnight
        areas: [madurai]                 # optional: districts an NGO representative covers
        overrides:                       # optional, one-off: away, or an extra shift
          - {from: "2026-12-24 00:00", to: "2026-12-26 00:00", on: false}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .engine.yamlsource import Map, Problem, YAMLSourceError, load, read
from .phones import e164

ROLES = ("counsellor", "ngo", "police", "coordinator")
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SHIFT = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?\s+"
                   r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


@dataclass
class Shift:
    days: set[int]
    start: int  # minutes from midnight
    end: int

    def covers(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        if self.start < self.end:
            return local.weekday() in self.days and self.start <= minute < self.end
        # over midnight: the evening part belongs to the listed day, the morning to the next
        return (local.weekday() in self.days and minute >= self.start) or (
            (local.weekday() - 1) % 7 in self.days and minute < self.end)


@dataclass
class Override:
    start: datetime  # local, naive
    end: datetime
    on: bool


@dataclass
class Person:
    name: str
    phone: str
    roles: list[str]
    languages: list[str]
    shifts: list[Shift] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    id: int | None = None  # the store's id, once imported
    shift_texts: list[str] = field(default_factory=list)

    def on_shift(self, local: datetime) -> bool:
        naive = local.replace(tzinfo=None)
        for override in self.overrides:  # a one-off beats the weekly pattern
            if override.start <= naive < override.end:
                return override.on
        return any(s.covers(local) for s in self.shifts)

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else "en"


def parse_shift(text: str) -> Shift | None:
    match = SHIFT.match(text.strip().lower())
    if not match:
        return None
    first, last = DAYS.index(match.group(1)), DAYS.index(match.group(2) or match.group(1))
    days = {(first + i) % 7 for i in range((last - first) % 7 + 1)}
    start = int(match.group(3)) * 60 + int(match.group(4))
    end = int(match.group(5)) * 60 + int(match.group(6))
    return Shift(days, start, end) if start != end else None


def parse_override(item) -> Override | None:
    if not isinstance(item, dict):
        return None
    try:
        start = datetime.strptime(str(item.get("from")), "%Y-%m-%d %H:%M")
        end = datetime.strptime(str(item.get("to")), "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    on = item.get("on", False)
    return Override(start, end, on) if isinstance(on, bool) and start < end else None


class Staff:
    def __init__(self, people: list[Person] | None = None, timezone: str = "Asia/Kolkata"):
        self.people = people or []
        self.zone = ZoneInfo(timezone)
        self._by_phone = {p.phone: p for p in self.people}

    def find(self, number: str | None) -> Person | None:
        return self._by_phone.get(number or "")

    def get(self, staff_id: int | None) -> Person | None:
        return next((p for p in self.people if p.id == staff_id), None)

    def role_of(self, number: str | None) -> str:
        """The flow a number gets: staff, police, or survivor for anyone not on the list."""
        person = self.find(number)
        if person is None:
            return "survivor"
        return "police" if "police" in person.roles and len(person.roles) == 1 else "staff"

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)

    def on_shift(self, when: datetime, role: str, language: str | None = None,
                 area: str | None = None) -> list[Person]:
        """On shift now, of a role, speaking `language` and covering `area` where given; in the
        file's order, which is the order they are asked in."""
        local = self.local(when)
        return [p for p in self.people if role in p.roles and p.on_shift(local)
                and (language is None or language in p.languages)
                and (area is None or not p.areas or area in p.areas)]

    def coverage(self, when: datetime) -> dict[str, list[str]]:
        """role -> languages someone on shift speaks now: the engine's `on_shift` fact."""
        local = self.local(when)
        found: dict[str, set[str]] = {}
        for person in self.people:
            if person.on_shift(local):
                for role in person.roles:
                    found.setdefault(role, set()).update(person.languages)
        return {role: sorted(langs) for role, langs in found.items()}


def load_staff(path: str) -> Staff:
    """Read a staff file; YAMLSourceError lists every problem with file and line."""
    data = load(read(path), path)
    problems: list[Problem] = []
    if not isinstance(data, Map) or not isinstance(data.get("staff"), list):
        raise YAMLSourceError([Problem(path, 1, "a staff file is a mapping with timezone: and staff:")])
    timezone = str(data.get("timezone", "Asia/Kolkata"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem(path, data.line_of("timezone"), f'unknown time zone "{timezone}"'))
        timezone = "Asia/Kolkata"
    people = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["staff"]):
        line = data["staff"].line_of(i)
        if not isinstance(raw, Map):
            problems.append(Problem(path, line, "each person is a mapping with name:, phone:, roles:"))
            continue
        phone = e164(str(raw.get("phone", "")))
        if phone is None:
            problems.append(Problem(path, raw.line_of("phone"), f'{raw.get("name", "?")}: "{raw.get("phone")}" is not a phone number'))
        roles = [str(r) for r in raw.get("roles") or []]
        for role in roles:
            if role not in ROLES:
                problems.append(Problem(path, raw.line_of("roles"), f'unknown role "{role}" (known: {", ".join(ROLES)})'))
        if not roles:
            problems.append(Problem(path, line, f'{raw.get("name", "?")}: roles: is missing'))
        shifts = []
        for text in raw.get("shifts") or []:
            shift = parse_shift(str(text))
            if shift is None:
                problems.append(Problem(path, raw.line_of("shifts"),
                                        f'shift "{text}" is not like "mon-fri 09:00-17:00"'))
            else:
                shifts.append(shift)
        overrides = []
        for item in raw.get("overrides") or []:
            override = parse_override(item)
            if override is None:
                problems.append(Problem(path, raw.line_of("overrides"),
                                        'an override is {from: "YYYY-MM-DD HH:MM", to: "YYYY-MM-DD HH:MM", on: true|false}'))
            else:
                overrides.append(override)
        if phone in seen:
            problems.append(Problem(path, raw.line_of("phone"), f"{phone} is listed twice (also line {seen[phone]})"))
        if phone:
            seen.setdefault(phone, raw.line_of("phone"))
            people.append(Person(str(raw.get("name", "")), phone, roles,
                                 [str(x) for x in raw.get("languages") or ["en"]], shifts,
                                 [str(a).lower() for a in raw.get("areas") or []], overrides,
                                 shift_texts=[str(t) for t in raw.get("shifts") or []]))
    if problems:
        raise YAMLSourceError(problems)
    return Staff(people, timezone)


# -- the store's copy ---------------------------------------------------------------------------


def import_staff(store, staff: Staff) -> int:
    """Replace the store's staff with this file's. People who left are kept inactive, so the
    records of what they did still name them."""
    from sqlalchemy import select

    from .store.models import StaffMember

    with store.session() as s:
        existing = {m.phone: m for m in s.scalars(select(StaffMember))}
        for member in existing.values():
            member.active = False
        for position, person in enumerate(staff.people):
            member = existing.get(person.phone) or StaffMember(phone=person.phone)
            member.name, member.roles, member.languages = person.name, person.roles, person.languages
            member.areas, member.timezone, member.active, member.position = (
                person.areas, staff.zone.key, True, position)
            member.shifts = person.shift_texts
            member.overrides = [{"from": o.start.strftime("%Y-%m-%d %H:%M"), "to": o.end.strftime("%Y-%m-%d %H:%M"),
                                 "on": o.on} for o in person.overrides]
            s.add(member)
    store.audit("staff.imported", people=len(staff.people))
    return len(staff.people)


def staff_from_store(store) -> Staff:
    from sqlalchemy import select

    from .store.models import StaffMember

    with store.read() as s:
        members = list(s.scalars(select(StaffMember).where(StaffMember.active).order_by(StaffMember.position)))
    people = [Person(m.name, m.phone, list(m.roles), list(m.languages),
                     [sh for sh in map(parse_shift, m.shifts) if sh], list(m.areas),
                     [o for o in map(parse_override, m.overrides) if o], m.id, list(m.shifts))
              for m in members]
    return Staff(people, members[0].timezone if members else "Asia/Kolkata")

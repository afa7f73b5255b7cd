"""Staff and their shifts, from the staff file (DESIGN.md's minimal form).

    timezone: Asia/Kolkata
    staff:
      - name: Kavitha
        phone: "+91 98400 00001"
        roles: [counsellor]
        languages: [ta, en]
        shifts: ["mon-sun 00:00-24:00"]
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
class Person:
    name: str
    phone: str
    roles: list[str]
    languages: list[str]
    shifts: list[Shift] = field(default_factory=list)

    def on_shift(self, local: datetime) -> bool:
        return any(s.covers(local) for s in self.shifts)


def parse_shift(text: str) -> Shift | None:
    match = SHIFT.match(text.strip().lower())
    if not match:
        return None
    first, last = DAYS.index(match.group(1)), DAYS.index(match.group(2) or match.group(1))
    days = {(first + i) % 7 for i in range((last - first) % 7 + 1)}
    start = int(match.group(3)) * 60 + int(match.group(4))
    end = int(match.group(5)) * 60 + int(match.group(6))
    return Shift(days, start, end) if start != end else None


class Staff:
    def __init__(self, people: list[Person] | None = None, timezone: str = "Asia/Kolkata"):
        self.people = people or []
        self.zone = ZoneInfo(timezone)
        self._by_phone = {p.phone: p for p in self.people}

    def find(self, number: str | None) -> Person | None:
        return self._by_phone.get(number or "")

    def role_of(self, number: str | None) -> str:
        """The flow a number gets: staff, police, or survivor for anyone not on the list."""
        person = self.find(number)
        if person is None:
            return "survivor"
        return "police" if "police" in person.roles and len(person.roles) == 1 else "staff"

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)

    def on_shift(self, when: datetime, role: str, language: str | None = None) -> list[Person]:
        local = self.local(when)
        return [p for p in self.people if role in p.roles and p.on_shift(local)
                and (language is None or language in p.languages)]

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
        if phone:
            people.append(Person(str(raw.get("name", "")), phone, roles,
                                 [str(x) for x in raw.get("languages") or ["en"]], shifts))
    if problems:
        raise YAMLSourceError(problems)
    return Staff(people, timezone)

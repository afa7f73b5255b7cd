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
        channels: [whatsapp, sms, voice] # optional: how she is reached (default: sms and voice)
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import func, select

from hotline.config.vocabulary import ROLES
from hotline.config.yamlsource import Map, Problem, YAMLSourceError, load, read
from hotline.privacy.phones import e164, mask
from hotline.store.models import StaffMember

CHANNELS = ("whatsapp", "sms", "voice")
DEFAULT_CHANNELS = ("sms", "voice")
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
    # how she is reached, in her order of preference: texts go on the first of whatsapp/sms
    # listed, alert calls only when voice is listed
    channels: list[str] = field(default_factory=lambda: list(DEFAULT_CHANNELS))

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


ROLE_SUFFIX = re.compile(r"\s*\((?:ngo|coordinator|counsell?or|police)\)\s*$", re.IGNORECASE)


def _language_problem(code: str, languages) -> str | None:
    """None when `code` is a language the hotline has a catalog for; else the problem, with the
    code she probably meant ("tamil" -> "ta")."""
    if code in languages:
        return None
    names = {}
    for language in languages:
        for word in (language.code, language.english_name, language.name, *language.keywords):
            names[str(word).lower()] = language.code
    guess = names.get(code.lower())
    if guess is None:
        close = difflib.get_close_matches(code.lower(), list(names), n=1, cutoff=0.6)
        guess = names[close[0]] if close else None
    known = ", ".join(f"{x.code} ({x.english_name})" for x in languages)
    hint = f'; did you mean "{guess}"?' if guess else ""
    return f'unknown language "{code}" (known: {known}){hint}'


def load_staff(path: str, languages=None) -> Staff:
    """Read a staff file; YAMLSourceError lists every problem with file and line. `languages`:
    the hotline's (hotline.i18n.Languages, default the catalogs under locales/): a person's
    language must be one of them, or she would never get an alert she can read."""
    if languages is None:
        from hotline.i18n.languages import Languages

        languages = Languages()
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
    named: dict[str, int] = {}  # a name (any case) -> the line that first gave it
    for i, raw in enumerate(data["staff"]):
        line = data["staff"].line_of(i)
        if not isinstance(raw, Map):
            problems.append(Problem(path, line, "each person is a mapping with name:, phone:, roles:"))
            continue
        phone = e164(str(raw.get("phone", "")))
        if phone is None or not phonenumbers.is_valid_number(phonenumbers.parse(phone)):
            problems.append(Problem(path, raw.line_of("phone"), f'{raw.get("name", "?")}: "{raw.get("phone")}" is not a '
                                    "phone number (a mobile in India has 10 digits: +91 98400 00001)"))
            phone = None
        langs = [str(x) for x in raw.get("languages") or ["en"]]
        for code in langs:
            problem = _language_problem(code, languages)
            if problem:
                problems.append(Problem(path, raw.line_of("languages"), f'{raw.get("name", "?")}: {problem}'))
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
        listed = raw.get("channels") or DEFAULT_CHANNELS
        channels = [str(c).strip().lower() for c in ([listed] if isinstance(listed, str) else listed)]
        for channel in channels:
            if channel not in CHANNELS:
                problems.append(Problem(path, raw.line_of("channels"), f'{raw.get("name", "?")}: unknown channel '
                                        f'"{channel}" (known: {", ".join(CHANNELS)})'))
        if phone in seen:
            problems.append(Problem(path, raw.line_of("phone"), f"{phone} is listed twice (also line {seen[phone]})"))
        if phone:
            seen.setdefault(phone, raw.line_of("phone"))
            # the role is shown beside her name wherever it matters: "Meena (NGO)" would read twice
            name = ROLE_SUFFIX.sub("", str(raw.get("name", ""))).strip()
            if name.lower() in named:  # the console's login and every staff command find her by name
                problems.append(Problem(path, raw.line_of("name"), f"{name} is listed twice (also line "
                                        f"{named[name.lower()]}): give each her own name, as {name} R. and "
                                        f"{name} S., to log in and be found by"))
            named.setdefault(name.lower(), raw.line_of("name"))
            people.append(Person(name, phone, roles, langs, shifts,
                                 [str(a).lower() for a in raw.get("areas") or []], overrides,
                                 shift_texts=[str(t) for t in raw.get("shifts") or []],
                                 channels=list(dict.fromkeys(channels))))
    if problems:
        raise YAMLSourceError(problems)
    return Staff(people, timezone)


# -- the store's copy ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import changed, by name: for the coordinator to read back."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # "Kavitha (languages, shifts)"
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # active, not in the file, kept without --replace

    def __len__(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)

    def lines(self) -> list[str]:
        out = [f"{label}: {', '.join(names)}" for label, names in (
            ("added", self.added), ("updated", self.updated), ("removed", self.removed)) if names]
        if self.unchanged:
            out.append(f"unchanged: {len(self.unchanged)}")
        if self.kept:
            out.append(f"not in the file, kept: {', '.join(self.kept)} (--replace removes them)")
        return out or ["nothing changed"]


class NameTaken(ValueError):
    """The file names somebody as an active staff member who is not in it is already called."""


def _who(member: StaffMember) -> str:
    """A staff member as an import names her: two Kavithas are told apart by number."""
    return f"{member.name} ({mask(member.phone)})"


FIELDS = ("name", "roles", "languages", "areas", "shifts", "overrides", "timezone", "channels")


def import_staff(store, staff: Staff, replace: bool = True) -> ImportResult:
    """Add the file's people to the store and update those already there (by phone number).
    `replace`: also remove everyone the file does not list (kept inactive, so the records of what
    they did still name them); without it they stay as they are."""

    result = ImportResult()
    with store.session() as s:
        existing = {m.phone: m for m in s.scalars(select(StaffMember).order_by(StaffMember.position))}
        listed = {p.phone for p in staff.people}
        staying = {m.name.lower(): m for m in existing.values()
                   if m.active and m.phone not in listed and not replace}
        taken = [f"{p.name} ({mask(p.phone)}): {_who(staying[p.name.lower()])} is already called that; give "
                 "one of them another name" for p in staff.people if p.name.lower() in staying]
        if taken:
            raise NameTaken(taken)
        for member in existing.values():
            if member.phone in listed or not member.active:
                continue
            if replace:
                member.active = False
                result.removed.append(_who(member))
            else:  # after the file's people, in their old order
                member.position = len(staff.people) + len(result.kept)
                result.kept.append(_who(member))
        for position, person in enumerate(staff.people):
            member = existing.get(person.phone)
            new = {"name": person.name, "roles": person.roles, "languages": person.languages, "areas": person.areas,
                   "shifts": person.shift_texts, "timezone": staff.zone.key,
                   "overrides": [{"from": o.start.strftime("%Y-%m-%d %H:%M"), "to": o.end.strftime("%Y-%m-%d %H:%M"),
                                  "on": o.on} for o in person.overrides],
                   "channels": None if tuple(person.channels) == DEFAULT_CHANNELS else person.channels}
            if member is None or not member.active:
                result.added.append(person.name)  # new, or back after a --replace removed her
                member = member or StaffMember(phone=person.phone)
            else:
                changed = [f for f in FIELDS if getattr(member, f) != new[f]]
                (result.updated.append(f"{person.name} ({', '.join(changed)})") if changed
                 else result.unchanged.append(person.name))
            for key, value in new.items():
                setattr(member, key, value)
            member.active, member.position = True, position
            s.add(member)
    store.audit("staff.imported", people=len(staff.people), added=len(result.added), updated=len(result.updated),
                removed=len(result.removed))
    return result


def staff_from_store(store) -> Staff:

    with store.read() as s:
        members = list(s.scalars(select(StaffMember).where(StaffMember.active).order_by(StaffMember.position)))
    people = [Person(m.name, m.phone, list(m.roles), list(m.languages),
                     [sh for sh in map(parse_shift, m.shifts) if sh], list(m.areas),
                     [o for o in map(parse_override, m.overrides) if o], m.id, list(m.shifts),
                     list(m.channels or DEFAULT_CHANNELS))
              for m in members]
    return Staff(people, members[0].timezone if members else "Asia/Kolkata")


class Ambiguous(LookupError):
    """More than one active staff member has that name."""


def find_member(session, name_or_phone: str) -> StaffMember | None:
    """An active staff member by phone number (any form) or by name (any case). Raises Ambiguous
    when two people share the name: then the phone number says who."""
    text = (name_or_phone or "").strip()
    if not text:
        return None
    phone = e164(text) if any(ch.isdigit() for ch in text) else None
    if phone:
        found = session.scalars(select(StaffMember).where(StaffMember.phone == phone, StaffMember.active)).first()
        if found:
            return found
    matches = list(session.scalars(select(StaffMember).where(
        func.lower(StaffMember.name) == text.lower(), StaffMember.active)))
    if not matches:  # "Priya" for "Priya (coordinator)", where only one is
        matches = [m for m in session.scalars(select(StaffMember).where(StaffMember.active))
                   if m.name.split(" (")[0].strip().lower() == text.lower()]
    if len(matches) > 1:
        raise Ambiguous(text)
    return matches[0] if matches else None

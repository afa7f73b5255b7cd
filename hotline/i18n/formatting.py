"""Times, dates and language names in the caller's locale, with Babel.

The engine keeps values in plain, language-free forms: a callback window "16:00-18:00", a time
"15:30", a date "2026-03-05". A message's placeholders show them as the caller's locale writes
them: {window} is "4-6 pm" in en_IN, "4-6 PM" in ta_IN (CLDR's patterns, via babel.dates).

Babel writes narrow and thin spaces and an en dash ("4–6\u202fpm"); on SMS any of them turns a
whole message from GSM-7 (160 characters a segment) into UCS-2 (70), so they become plain
spaces and hyphens: the caller reads the same, and pays less.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval, format_skeleton

TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)(?::\d{2}(?:\.\d+)?)?$")
PLAIN = str.maketrans({"\u202f": " ", "\u2009": " ", "\u00a0": " ", "\u2013": "-", "\u2012": "-"})


def plain(text: str) -> str:
    """Babel's typographic spaces and dashes as their GSM-7 equivalents."""
    return text.translate(PLAIN)


def locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _skeleton(t: time) -> str:
    return "h" if t.minute == 0 else "hm"


def format_time_of_day(value: time, tag: str) -> str:
    parts = _parts(tag)
    if parts:
        hours = str(parts.get("word") or "")
        return f"{_part_of(value, parts)} {_clock(value)} {hours}".strip()
    return plain(format_skeleton(_skeleton(value), value, locale=locale(tag)))


def _parts(tag: str) -> dict | None:
    """The parts of the day a language's lexicon writes times with (Tamil: காலை, மாலை …)."""
    from hotline.i18n.lexicon import LOCALES, lexicon

    return lexicon(str(LOCALES)).parts.get(tag.split("_")[0]) or None


def _part_of(t: time, parts: dict) -> str:
    hour = t.hour if t.hour >= 4 else t.hour + 24  # after midnight is still the night before
    for spec in parts.values():
        if isinstance(spec, dict) and int(spec.get("from", 0)) <= hour < int(spec.get("to", 0)):
            return str(spec.get("say", ""))
    return ""


def _clock(t: time) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d}" if t.minute else str(hour)


def format_window(start: time, end: time, tag: str) -> str:
    """'between 4 and 6 pm' as the locale writes it: '4-6 pm' (en_IN); in a language whose
    lexicon names the parts of the day, with them and no Latin am/pm: 'மாலை 4-6 மணி' (ta)."""
    parts = _parts(tag)
    if parts:
        first, last = _part_of(start, parts), _part_of(end if end.minute or end.hour else start, parts)
        hours = str(parts.get("word") or "")
        if first == last or end <= time(end.hour, 0) and _part_of(time((end.hour - 1) % 24), parts) == first:
            return f"{first} {_clock(start)}-{_clock(end)} {hours}".strip()
        return f"{first} {_clock(start)} - {last} {_clock(end)} {hours}".strip()
    skeleton = "hm" if start.minute or end.minute else "h"
    return plain(format_interval(start, end, skeleton, locale=locale(tag)))


def format_day(value: date, tag: str) -> str:
    return plain(format_date(value, "long", locale=locale(tag)))


def format_moment(value: datetime, tag: str) -> str:
    """A date and a time of day, joined as the locale joins them ('{1}, {0}')."""
    loc = locale(tag)
    day = format_date(value.date(), "medium", locale=loc)
    hour = format_skeleton(_skeleton(value.time()), value.time(), locale=loc)
    return plain(str(loc.datetime_formats["medium"]).replace("{1}", day).replace("{0}", hour))


def format_value(value, tag: str):
    """A value of the engine as the locale shows it; anything that is no time or date, as is."""
    if isinstance(value, datetime):
        return format_moment(value, tag)
    if isinstance(value, date):
        return format_day(value, tag)
    if isinstance(value, time):
        return format_time_of_day(value, tag)
    if not isinstance(value, str):
        return value
    if m := WINDOW.match(value):
        h1, m1, h2, m2 = map(int, m.groups())
        return format_window(time(h1, m1), time(h2, m2), tag)
    if m := TIME.match(value):
        return format_time_of_day(time(*map(int, m.groups())), tag)
    if m := DATE.match(value):
        try:
            return format_day(date(*map(int, m.groups())), tag)
        except ValueError:
            return value
    if m := DATETIME.match(value):
        try:
            return format_moment(datetime(*map(int, m.groups())), tag)
        except ValueError:
            return value
    return value


def format_params(params: dict, tag: str) -> dict:
    return {key: format_value(value, tag) for key, value in params.items()}


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name: in its own language by default (Locale.parse('ta').display_name is
    'தமிழ்'), or as another language calls it ('Tamil' in English)."""
    try:
        lang = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return code
    if in_language:
        try:
            return lang.get_display_name(Locale.parse(in_language)) or code
        except (UnknownLocaleError, ValueError):
            pass
    return lang.display_name or code

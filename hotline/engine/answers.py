"""Typed answers to a question: each parser takes the caller's words and returns a value or None.

Parsers are forgiving about form (`5pm`, `17:00`, `மாலை 5`) and strict about meaning: an answer
that cannot be read is None, and the node re-asks rather than guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

import phonenumbers

from .text import normalise, tokens

YES = {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "safe", "ஆம்", "ஆமா", "ஆமாம்", "சரி"}
NO = {"no", "n", "nope", "not", "unsafe", "இல்லை", "இல்ல", "வேண்டாம்", "முடியாது"}
MORNING = {"am", "morning", "காலை"}
EVENING = {"pm", "evening", "afternoon", "night", "மாலை", "மதியம்", "இரவு"}


def _digits(text: str) -> str:
    """Any script's decimal digits (Tamil ௧௨௩ too) as ASCII."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdecimal() else ch for ch in text)


def parse_text(text: str, **_) -> str | None:
    text = " ".join(text.split())
    return text[:500] or None


def parse_number(text: str, **_) -> int | None:
    match = re.fullmatch(r"\s*(\d{1,9})\s*", _digits(text))
    return int(match.group(1)) if match else None


def parse_yesno(text: str, **_) -> str | None:
    words = tokens(text)
    if not words:
        return None
    if words[0] in YES or words == ["1"]:
        return "yes"
    if words[0] in NO or words == ["2"]:
        return "no"
    return None


_TIME = re.compile(r"(?<!\d)(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")


def _hour(hour: int, minute: int, half: str | None) -> str | None:
    if half in MORNING and hour == 12:
        hour = 0
    elif half in EVENING and hour < 12:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _half_of_day(words: list[str]) -> str | None:
    for word in words:
        if word in MORNING or word in EVENING:
            return word
    return None


def parse_time(text: str, **_) -> str | None:
    """A time of day: '5pm', '17:00', '5.30 pm', 'மாலை 5' -> 'HH:MM'."""
    low = _digits(text.lower())
    match = _TIME.search(low)
    if not match:
        return None
    half = match.group(3) or _half_of_day(tokens(low))
    return _hour(int(match.group(1)), int(match.group(2) or 0), half)


_WINDOW = re.compile(
    r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*(?:-|–|to|and|til|till|until|முதல்|வரை)\s*"
    r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?"
)


def parse_time_window(text: str, **_) -> str | None:
    """A safe window: '4-6pm', '16:00-18:00', 'between 4 and 6 pm', 'மாலை 4 - 6' -> 'HH:MM-HH:MM'.

    A single time ('after 5pm', '5pm') means a two-hour window starting then.
    """
    low = _digits(text.lower())
    words = tokens(low)
    match = _WINDOW.search(low)
    if match:
        end_half = match.group(6) or _half_of_day(words)
        start_half = match.group(3) or end_half
        start = _hour(int(match.group(1)), int(match.group(2) or 0), start_half)
        end = _hour(int(match.group(4)), int(match.group(5) or 0), end_half)
        if start and end and start < end:
            return f"{start}-{end}"
        return None
    start = parse_time(text)
    if not start:
        return None
    hour, minute = map(int, start.split(":"))
    return f"{start}-{min(hour + 2, 23):02d}:{minute:02d}" if hour < 23 else None


def parse_phone(text: str, region: str = "IN", **_) -> str | None:
    try:
        number = phonenumbers.parse(_digits(text), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_district(text: str, districts: Mapping[str, list[str]] | None = None, **_) -> str | None:
    """One of the flow's districts, by its name or any of its other names (Tamil included)."""
    said = normalise(text)
    for name, others in (districts or {}).items():
        if said in {normalise(name), *(normalise(o) for o in others)}:
            return name
    return None


PARSERS: dict[str, Callable[..., object]] = {
    "text": parse_text,
    "number": parse_number,
    "yesno": parse_yesno,
    "time": parse_time,
    "time_window": parse_time_window,
    "phone": parse_phone,
    "district": parse_district,
}

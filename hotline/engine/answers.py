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
    words = tokens(_digits(text))
    if not words:
        return None
    if words[0] in YES or words == ["1"]:
        return "yes"
    if words[0] in NO or words == ["2"]:
        return "no"
    return None


# A clock time: hours, perhaps minutes, perhaps am/pm (a.m., p.m.). Digits next to more digits
# ('2024', a phone number) are no time.
_CLOCK = r"(?<!\d)(\d{1,2})(?:[:.](\d{2}))?(?!\d)\s*(am|pm|a\.m\.?|p\.m\.?)?"
_TIME = re.compile(_CLOCK)


def _half(word: str | None) -> str | None:
    return word.replace(".", "") if word else None


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
    half = _half(match.group(3)) or _half_of_day(tokens(low))
    return _hour(int(match.group(1)), int(match.group(2) or 0), half)


_WINDOW = re.compile(
    _CLOCK + r"\s*(?:-|–|—|to|and|til|till|until|முதல்|வரை)\s*" + _CLOCK
)


def parse_time_window(text: str, **_) -> str | None:
    """A safe window: '4-6pm', '16:00-18:00', 'between 4 and 6 pm', 'மாலை 4 - 6' -> 'HH:MM-HH:MM'.

    One am/pm serves both ends where only one has it: '4-6pm' and '4pm-6' are 16:00-18:00 (but
    '10am-12' is 10:00-12:00). A window that ends before it starts ('6-4', '6-4pm') is refused,
    not turned round or guessed at. A single time ('after 5pm', '5pm') means a two-hour window
    starting then.
    """
    low = _digits(text.lower())
    words = tokens(low)
    match = _WINDOW.search(low)
    if match:
        own_start, own_end = _half(match.group(3)), _half(match.group(6))
        said = _half_of_day(words)  # 'in the evening', 'மாலை': for both ends
        h1, m1 = int(match.group(1)), int(match.group(2) or 0)
        h2, m2 = int(match.group(4)), int(match.group(5) or 0)
        end = _hour(h2, m2, own_end or said or own_start)
        start = _hour(h1, m1, own_start or own_end or said)
        if start and end and start >= end and not own_end and not said and own_start:
            end = _hour(h2, m2, None)  # '10am-12': the am is the start's only
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

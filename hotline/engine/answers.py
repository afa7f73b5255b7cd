"""Typed answers to a question: each parser takes the caller's words and returns a value or None.

Parsers are forgiving about form (`5pm`, `17:00`, `மாலை 5`) and strict about meaning: an answer
that cannot be read is None, and the node re-asks rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta

import phonenumbers

from hotline.i18n.lexicon import LOCALES, Lexicon, keys, lexicon
from hotline.i18n.text import digits, normalise


class Answer(str):
    """A parser's value with what else it learnt: `more` (saved as <save>_<key>: the day of a
    window) and `unclear` (read, but a person would ask: '4-6' is morning or evening?)."""

    more: dict
    unclear: bool

    def __new__(cls, value: str, more: dict | None = None, unclear: bool = False):
        made = super().__new__(cls, value)
        made.more, made.unclear = dict(more or {}), unclear
        return made


def _words(given: Lexicon | None) -> Lexicon:
    return given if given is not None else lexicon(str(LOCALES))


_digits = digits


def parse_text(text: str, **_) -> str | None:
    text = " ".join(text.split())
    return text[:500] or None


def parse_number(text: str, **_) -> int | None:
    match = re.fullmatch(r"\s*(\d{1,9})\s*", normalise_keep(text))
    return int(match.group(1)) if match else None


def parse_yesno(text: str, lexicon: Lexicon | None = None, **_) -> str | None:
    """yes or no in any language's words; a no or a negated yes beats a yes ('safe illa' is no);
    1 is yes and 2 is no (the order the question lists them)."""
    said = normalise(text)
    if said in ("1", "2"):
        return "yes" if said == "1" else "no"
    return _words(lexicon).yesno(text)


# A clock time: hours, perhaps minutes, perhaps am/pm (a.m., p.m.). Digits next to more digits
# ('2024', a phone number) are no time.
_CLOCK = r"(?<!\d)(\d{1,2})(?:[:.](\d{2}))?(?!\d)\s*(am|pm|a\.m\.?|p\.m\.?)?"
_TIME = re.compile(_CLOCK)
PARTS = ("morning", "noon", "evening", "night")
ASK_HOURS = range(1, 10)  # 4-6 with no part of the day: morning or evening? ask, do not guess


def _low(text: str) -> str:
    return digits(normalise_keep(text).lower())


def normalise_keep(text: str) -> str:
    """Digits and keycaps as ASCII, punctuation kept (a time needs its : and -)."""
    return digits(text.replace("\ufe0f", "").replace("\u20e3", ""))


def _part(text: str, words: Lexicon) -> str | None:
    """The part of the day a message names: morning, noon, evening or night (its first)."""
    hits = words.hits(text, PARTS)
    return hits[0].category if hits else None


def _hour(hour: int, minute: int, half: str | None, part: str | None = None) -> str | None:
    """24-hour 'HH:MM' from a clock hour and its am/pm or part of the day (night 9 is 21:00,
    night 2 is 02:00, afternoon 3 is 15:00)."""
    if half == "am" and hour == 12:
        hour = 0
    elif half is None and part == "night":
        hour = 0 if hour == 12 else hour + 12 if 6 <= hour < 12 else hour
    elif half == "pm" or (half is None and part == "evening"):
        hour = hour + 12 if hour < 12 else hour
    elif half is None and part == "noon" and 1 <= hour <= 6:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _half(word: str | None) -> str | None:
    return word.replace(".", "") if word else None


def parse_time(text: str, lexicon: Lexicon | None = None, **_) -> str | None:
    """A time of day: '5pm', '17:00', '5.30 pm', 'மாலை 5', 'saayangaalam 5' -> 'HH:MM'."""
    low = _low(text)
    kept = _times(low, _words(lexicon))  # "10 mani illa, 11 mani ku": the time she did not take back
    if not kept:
        return None
    match = kept[0]
    return _hour(int(match.group(1)), int(match.group(2) or 0), _half(match.group(3)), _part(text, _words(lexicon)))


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_visit_time(text: str, lexicon: Lexicon | None = None, today: str | None = None,
                     said: str | None = None, **_) -> str | None:
    """A time on a day: 'tomorrow 10am', 'next monday 11am', 'நாளை காலை 10' -> 'HH:MM', with the
    day it falls on in `more` ({"date": "YYYY-MM-DD"}) when `today` (the local date) is known.
    A weekday is the next one after today ('monday' on a Monday is in a week)."""
    words = _words(lexicon)
    at = parse_time(text, words)
    if at is None and words.hits(text, ("today", "tomorrow", "day_after", *WEEKDAYS)):
        # "Monday morning": the start of that part of that day (a bare "noon" is asked again)
        window = _part_only(text, words, None, None)
        at = str(window).split("-")[0] if window is not None else None
    if at is None:
        return None
    if not today:
        return Answer(at)
    day = date.fromisoformat(today)
    hits = words.hits(text, WEEKDAYS)
    if hits:
        ahead = (WEEKDAYS.index(hits[0].category) - day.weekday()) % 7 or 7
        day += timedelta(days=ahead)
    elif words.shows(text, "day_after"):
        day += timedelta(days=2)
    elif said == "tomorrow" or words.shows(text, "tomorrow"):
        day += timedelta(days=1)
    return Answer(at, {"date": day.isoformat()})


_WINDOW = re.compile(_CLOCK + r"\s*(?:-|–|—|~|to|and|til|till|until|upto|up to|[^\d,;]{1,30}?)\s*" + _CLOCK)


def _day(text: str, words: Lexicon, end: str, now: str | None, said: str | None = None,
         today: str | None = None) -> dict:
    """Which day the window is: tomorrow when she says so (or names tomorrow's weekday), or when
    today's has already ended."""
    if said == "tomorrow" or words.shows(text, "tomorrow") or _ahead(text, words, today) == 1:
        return {"day": "tomorrow", "said": "tomorrow"}
    if now and end <= now:
        return {"day": "tomorrow"}
    return {"day": "today"} if now else {}


def _far(text: str, words: Lexicon, today: str | None) -> bool:
    """She names a day past tomorrow ("Friday" on a Wednesday, "day after tomorrow"): a call-back is
    booked for today or tomorrow only, and a call on a day she did not choose may find him home."""
    if words.shows(text, "day_after"):
        return True
    ahead = _ahead(text, words, today)
    return ahead is not None and ahead > 1


def _ahead(text: str, words: Lexicon, today: str | None) -> int | None:
    """Days from today to the weekday she names (0-6), None when she names none."""
    hits = words.hits(text, WEEKDAYS)
    if not hits or not today:
        return None
    return (WEEKDAYS.index(hits[0].category) - date.fromisoformat(today).weekday()) % 7


def _taken_back(rest: str, words: Lexicon) -> bool:
    """"10 mani illa, 11": the time before `rest` is taken back (a negation or a no right after
    it, the lexicons' fillers such as மணி or -kku between)."""
    fillers = words.words_of("filler")
    for tok in keys(rest)[:3]:
        if tok in fillers:
            continue
        return tok in words.words_of("negation") or tok in words.words_of("no")
    return False


def _times(low: str, words: Lexicon) -> list[re.Match]:
    """Her clock times, less those she takes back."""
    return [m for m in _TIME.finditer(low) if not _taken_back(low[m.end():], words)]


def parse_time_window(text: str, lexicon: Lexicon | None = None, now: str | None = None,
                      today: str | None = None, **_) -> str | None:
    """A safe window: '4-6pm', '16:00-18:00', 'between 4 and 6 pm', 'மாலை 4 - 6',
    'saayangaalam 4 la irundhu 6 varai' -> 'HH:MM-HH:MM'.

    One am/pm serves both ends where only one has it: '4-6pm' and '4pm-6' are 16:00-18:00 (but
    '10am-12' is 10:00-12:00). A part of the day (மாலை, raathiri, evening) serves both. A window
    that ends before it starts ('6-4') is refused, not turned round or guessed at. A single time
    ('after 5pm') means a two-hour window starting then. Hours 1-9 with no am/pm and no part of
    the day are read as morning but marked unclear: the flow asks "morning or evening?".
    With `now` (the local time, 'HH:MM'), the answer says its day: tomorrow when she said so or
    today's window has passed.
    """
    words = _words(lexicon)
    if _far(text, words, today):
        return None  # asked again: a day past tomorrow cannot be booked
    low = _low(text)
    part = _part(text, words)
    match = _WINDOW.search(low)
    if match and _taken_back(low[match.end(3) if match.group(3) else match.end(2) if match.group(2) else match.end(1):], words):
        match = None  # "10 kku illa 11 kku" is no window from 10 to 11: she took 10 back
    if match:
        own_start, own_end = _half(match.group(3)), _half(match.group(6))
        h1, m1 = int(match.group(1)), int(match.group(2) or 0)
        h2, m2 = int(match.group(4)), int(match.group(5) or 0)
        end = _hour(h2, m2, own_end or own_start, part)
        start = _hour(h1, m1, own_start or own_end, part)
        if start and end and start >= end and not own_end and not part and own_start:
            end = _hour(h2, m2, None)  # '10am-12': the am is the start's only
        if own_end == "am" and not own_start and h2 == 12 and h1 < 12:
            start, end = _hour(h1, m1, "am"), "12:00"  # '10-12am' (the prompt's own example): until noon
        if start and end and part == "night" and start >= end and h2 < h1 + 12:
            return None
        if not (start and end and start < end):
            return None
        unclear = not (own_start or own_end or part) and h1 in ASK_HOURS
        return Answer(f"{start}-{end}", _day(text, words, end, now, today=today), unclear)
    kept = _times(low, words)
    if not kept:
        return _part_only(text, words, now, today)
    match = kept[-1]  # "10 illa, 3 manikku": the one she kept, the last she gave
    h, m = int(match.group(1)), int(match.group(2) or 0)
    start = _hour(h, m, _half(match.group(3)), part)
    if not start:
        return None
    hour, minute = map(int, start.split(":"))
    if hour >= 23:
        return None
    end = f"{min(hour + 2, 23):02d}:{minute:02d}"
    unclear = not (match.group(3) or part) and h in ASK_HOURS
    return Answer(f"{start}-{end}", _day(text, words, end, now, today=today), unclear)


# A part of the day alone ("saayangaalam", "tomorrow evening") is its window. Only alone: "evening
# he comes home" names when he is there, not when to call.
PART_WINDOWS = {"morning": ("08:00", "12:00"), "noon": ("12:00", "16:00"), "evening": ("16:00", "19:00"),
                "night": ("19:00", "22:00")}


def _part_only(text: str, words: Lexicon, now: str | None, today: str | None) -> Answer | None:
    hits = [h for h in words.hits(text, (*PARTS, "today", "tomorrow", "day_after", *WEEKDAYS)) if not h.negated]
    parts = {h.category for h in hits if h.category in PARTS}
    if len(parts) != 1:
        return None
    covered = {i for h in hits for i in range(h.start, h.end)}
    toks, fillers = keys(text), words.words_of("filler")
    if any(i not in covered and tok not in fillers for i, tok in enumerate(toks)):
        return None
    start, end = PART_WINDOWS[parts.pop()]
    if now and start < now < end and not words.shows(text, "tomorrow"):
        if not words.shows(text, "today"):
            return None  # "morning" at 10:30: the rest of this one, or tomorrow's? asked again
        start = now  # "this morning", already under way: from now on
    return Answer(f"{start}-{end}", _day(text, words, end, now, today=today))


def parse_half_of_day(text: str, lexicon: Lexicon | None = None, current: str | None = None,
                      now: str | None = None, said: str | None = None, **_) -> str | None:
    """The answer to "morning or evening?" about a window read as morning ('04:00-06:00'):
    1 or a morning word keeps it, 2 or an evening or night word moves it to the afternoon
    or evening. A whole new window ('maalai 4-6') is read as a window."""
    words = _words(lexicon)
    said_now = normalise(text)
    if re.search(r"\d", said_now) and said_now not in ("1", "2"):
        window = parse_time_window(text, words, now)
        return window if window is not None and not window.unclear else None
    if not current or not re.fullmatch(r"\d\d:\d\d-\d\d:\d\d", current):
        return None
    part = {"1": "morning", "2": "evening"}.get(said_now) or _part(text, words)
    if part is None:
        half = {"am": "morning", "pm": "evening"}.get(said_now)
        part = half
    if part is None:
        return None
    (h1, m1), (h2, m2) = ((int(x) for x in t.split(":")) for t in current.split("-"))
    start, end = _hour(h1, m1, None, part), _hour(h2, m2, None, part)
    if not (start and end and start < end):
        return None
    return Answer(f"{start}-{end}", _day(text, words, end, now, said))


def parse_phone(text: str, region: str = "IN", **_) -> str | None:
    try:
        number = phonenumbers.parse(_digits(text), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_district(text: str, districts: Mapping[str, list[str]] | None = None,
                   lexicon: Lexicon | None = None, **_) -> str | None:
    """The one district a message names: the flow's districts and every lexicon's (all 38 of
    Tamil Nadu), with endings and in a sentence ('சென்னையில் இருக்கேன்', 'Madurai district')."""
    if not normalise(text):
        return None
    words = _words(lexicon)
    known = set(districts or {}) | set(words.districts)
    found = words.district(text, extra=districts)
    return found if found in known else None


PARSERS: dict[str, Callable[..., object]] = {
    "text": parse_text,
    "number": parse_number,
    "yesno": parse_yesno,
    "time": parse_time,
    "visit_time": parse_visit_time,
    "time_window": parse_time_window,
    "half_of_day": parse_half_of_day,
    "phone": parse_phone,
    "district": parse_district,
}

"""Small field checkers for the flow language: each returns what is wrong, or None."""

from __future__ import annotations

import re
from collections.abc import Callable

Check = Callable[[object], "str | None"]

IDENT = re.compile(r"[a-z][a-z0-9_]*")


def text(value: object) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be text"


def ident(value: object) -> str | None:
    if not isinstance(value, str) or not IDENT.fullmatch(value):
        return "must be a name of lower-case letters, digits and _ (starting with a letter)"
    return None


def integer(value: object) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be a whole number, 0 or more"


def boolean(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def ids(value: object) -> str | None:
    """One message id or a list of them."""
    items = value if isinstance(value, list) else [value]
    if not items or any(ident(item) for item in items):
        return "must be a message id or a list of message ids"
    return None


def words(value: object) -> str | None:
    """A list of keywords (numbers allowed: `1` is a keyword too)."""
    if not isinstance(value, list) or not value:
        return "must be a list of words"
    if any(not isinstance(w, (str, int)) or isinstance(w, bool) or not str(w).strip() for w in value):
        return "must be a list of words"
    return None


def mapping(value: object) -> str | None:
    return None if isinstance(value, dict) else "must be a mapping (key: value lines)"


def sequence(value: object) -> str | None:
    return None if isinstance(value, list) else "must be a list"


def one_of(*allowed: str) -> Check:
    def check(value: object) -> str | None:
        return None if value in allowed else "must be one of " + ", ".join(allowed)

    return check


DURATION = re.compile(r"^(\d+)\s*([smhd])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(value: object) -> int | None:
    """'30m', '2h', '1d', '90s' or a number of seconds; None when it is not a duration."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = DURATION.match(str(value).strip()) if isinstance(value, str) else None
    return int(match.group(1)) * UNITS[match.group(2)] if match else None


def duration(value: object) -> str | None:
    return None if seconds(value) else "must be a duration such as 30m, 2h or 1d"


HHMM = r"(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)"  # 24:00 ends a window at midnight; 24:30 is no time
WINDOW = re.compile(rf"{HHMM}-{HHMM}")


def window(value: object) -> str | None:
    ok = isinstance(value, str) and WINDOW.fullmatch(value)
    return None if ok else "must be a time window such as 09:00-17:00"

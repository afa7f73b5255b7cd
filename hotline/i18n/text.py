"""How the engine reads what a caller typed or said: normalising, keywords, scripts."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Joiners and emoji selectors vanish (a ZWNJ inside a Tamil word does not split it; 2️⃣ is 2).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufe0e\ufe0f\u20e3\u2060\ufeff"))


def digits(text: str) -> str:
    """Any script's decimal digits (Tamil ௧௨௩ too) as ASCII."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


@lru_cache(maxsize=256)  # a message is read many times in a step (keywords, each handler, the lexicon)
def normalise(text: str) -> str:
    """Case-folded, NFKC, punctuation turned to spaces, spaces collapsed: 'Help!!' -> 'help'.
    Digits of any script and keycap emoji are ASCII digits: '௨' and '2️⃣' are '2'."""
    text = digits(unicodedata.normalize("NFKC", text or "").translate(_INVISIBLE)).casefold()
    # Tamil vowel signs and viramas are marks (M*), not punctuation, so they survive.
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return " ".join(cleaned.split())


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def contains_phrase(message: str, phrase: str) -> bool:
    """True when the normalised phrase stands in the normalised message as whole words."""
    return f" {phrase} " in f" {message} " if phrase else False


def script_share(text: str, script: str) -> float:
    """The share of letters of `text` that belong to `script` (e.g. 'TAMIL'), by Unicode name."""
    letters = [ch for ch in text if unicodedata.category(ch)[0] in "LM"]
    if not letters:
        return 0.0
    prefix = script.upper() + " "
    return sum(unicodedata.name(ch, "").startswith(prefix) for ch in letters) / len(letters)


def written_in(text: str, script: str) -> bool:
    """Mostly written in `script`: a Tamil message with an English word or two still counts."""
    return script_share(text, script) >= 0.5

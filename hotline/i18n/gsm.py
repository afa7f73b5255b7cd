"""How many SMS segments a text costs: GSM-7 (160 a segment, 153 when split) when every character
is in the GSM 03.38 alphabet, else UCS-2 (70 a segment, 67 when split) - Tamil always."""

from __future__ import annotations

import math

# GSM 03.38: the basic alphabet (one septet each) and the extension table (escape + one: two).
BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = set("^{}\\[~]|€\f")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm7(text: str) -> bool:
    return all(ch in BASIC or ch in EXTENSION for ch in text)


def units(text: str) -> tuple[str, int]:
    """('gsm7', septets) or ('ucs2', UTF-16 code units)."""
    if is_gsm7(text):
        return "gsm7", sum(2 if ch in EXTENSION else 1 for ch in text)
    return "ucs2", len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    encoding, count = units(text)
    single, part = (GSM_SINGLE, GSM_PART) if encoding == "gsm7" else (UCS2_SINGLE, UCS2_PART)
    if count <= single:
        return 1
    return math.ceil(count / part)


def limit(text: str, parts: int = 2) -> int:
    """The most characters (units) a text of this encoding may have to fit in `parts` segments."""
    encoding, _ = units(text)
    single, part = (GSM_SINGLE, GSM_PART) if encoding == "gsm7" else (UCS2_SINGLE, UCS2_PART)
    return single if parts == 1 else part * parts

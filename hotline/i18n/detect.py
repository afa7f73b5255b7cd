"""Telling a caller's language from what she wrote: Tamil script, or a Tamil keyword."""

from __future__ import annotations

from ..engine.text import normalise, written_in

KEYWORDS = {"tamil": "ta", "தமிழ்": "ta", "english": "en"}


def detect(text: str | None) -> str | None:
    """'ta' for a message mostly in Tamil script or naming Tamil; None when nothing tells."""
    if not text:
        return None
    first = normalise(text).split(" ", 1)[0]
    if first in KEYWORDS:
        return KEYWORDS[first]
    return "ta" if written_in(text, "tamil") else None

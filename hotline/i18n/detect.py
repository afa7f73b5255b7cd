"""Telling a caller's language from what she wrote: a word naming a language (Tamil, தமிழ்),
or the script of a language that has a catalog (any Tamil letters, mostly)."""

from __future__ import annotations

from hotline.i18n.languages import LOCALES, languages


def detect(text: str | None, folder: str = str(LOCALES)) -> str | None:
    """'ta' for a message mostly in Tamil script or naming Tamil; None when nothing tells."""
    return languages(folder).detect(text)

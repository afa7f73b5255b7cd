"""The types of her media the console serves, and how (console/media.py serves them; the case
page, console/cases.py, links only what is served)."""

from __future__ import annotations

# What the console serves of her media: audio and pictures, played or shown in the page, and
# PDF, only downloaded. Nothing else: text/html, image/svg+xml or a script sent as "media" would
# otherwise run in the console's own origin, in the counsellor's session (#30).
SHOWN = ("audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/amr", "audio/wav", "audio/x-wav",
         "audio/webm", "image/jpeg", "image/png", "image/webp", "image/gif")
DOWNLOADED = ("application/pdf",)
# a served item is no page: scripts, forms, plugins and frames never run in it, whatever it is
SANDBOX = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"


def served_type(kind: str | None) -> str | None:
    """The type an item is served as (its parameters dropped), or None: not served at all."""
    base = (kind or "").split(";")[0].strip().lower()
    return base if base in SHOWN or base in DOWNLOADED else None

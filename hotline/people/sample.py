"""The sample staff file's numbers: made up, but real-looking (+91 98400 0000x). Someone with
one of them on a real line's staff list is nobody, and would be alerted to a woman's URGENT."""

from __future__ import annotations

from hotline.config.production import SAMPLE_STAFF
from hotline.people.staff import load_staff


def sample_numbers() -> set[str]:
    """The sample staff file's numbers, E.164."""
    return {person.phone for person in load_staff(str(SAMPLE_STAFF)).people}

"""Every CSV the hotline writes (the reports' export, `hotline audit export`) goes through
`writer`, whose cells pass through `cell`: a spreadsheet never runs one as a formula."""

from __future__ import annotations

import csv
from typing import IO, Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")  # what makes Excel, LibreOffice or Sheets compute


def cell(value: Any) -> Any:
    """A text cell that starts like a formula gets a leading apostrophe (OWASP's advice for
    CSV injection); numbers, and text that does not, are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


class _Writer:
    def __init__(self, out: IO[str]):
        self._csv = csv.writer(out)

    def writerow(self, row) -> None:
        self._csv.writerow([cell(value) for value in row])


def writer(out: IO[str]) -> _Writer:
    """csv.writer(out), with every cell through `cell`."""
    return _Writer(out)

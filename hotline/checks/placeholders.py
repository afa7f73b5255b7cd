"""The made-up ids shipped for the demo, which a production line must replace: whatsapp.yaml's
content SIDs and dlt.yaml's entity and template ids (`hotline flows check --production`, and
`hotline doctor`). A placeholder sent to Twilio or Exotel fails, and the woman gets nothing."""

from __future__ import annotations

import re
from pathlib import Path

from hotline.config.production import PLACEHOLDER_DLT, PLACEHOLDER_SID

_SID = re.compile(r"\bHX[0-9A-Fa-f]{32}\b")
_DLT = re.compile(r"""\b(entity|id):\s*["']?(\d+)""")


def placeholder_sids(path: str | Path) -> list[str]:
    """`file:line: …` for each placeholder content SID of a whatsapp.yaml."""
    return [f"{path}:{n}: {sid} is a placeholder: put the approved template's SID from Twilio's Content "
            "Template Builder here (README, WhatsApp)"
            for n, line in _lines(path) for sid in _SID.findall(line) if PLACEHOLDER_SID.match(sid)]


def placeholder_dlt_ids(path: str | Path) -> list[str]:
    """`file:line: …` for each made-up entity or template id of a dlt.yaml."""
    return [f"{path}:{n}: {'entity' if what == 'entity' else 'template'} id {value} is made up: register the template on the DLT portal and put "
            "the id it gives here (README, Running in India)"
            for n, line in _lines(path) for what, value in _DLT.findall(line) if PLACEHOLDER_DLT.search(value)]


def _lines(path: str | Path):
    file = Path(path)
    if not file.exists():
        return []
    return [(n, line.split("#", 1)[0]) for n, line in enumerate(file.read_text().splitlines(), 1)]

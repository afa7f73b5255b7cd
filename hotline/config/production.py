"""The embedded demo, or a line real people can reach, and what the second may not be.

`make run` with no settings is the demo (settings.outside_demo): nothing real can reach it, so
its webhooks are open to the simulator and it starts with the sample staff. Anything that lets the world in (a provider's
account, PUBLIC_URL, a PostgreSQL store) makes it a production line, where an unsigned webhook,
the simulator or the sample's made-up staff would let a stranger act as police, a counsellor or
her (issue 29). `hotline doctor` (hotline/cli/doctor.py) lists the same checks."""

from __future__ import annotations

import re
from pathlib import Path

from hotline.config.settings import DEMO_NUMBER, ROOT

SAMPLE_STAFF = ROOT / "examples" / "staff.yaml"
# the shipped whatsapp.yaml's SIDs (HX, then zeros and a small number) and the made-up DLT ids of
# dlt.yaml and `hotline flows dlt --sample-ids` (eleven zeros or more in a row): never a real one
PLACEHOLDER_SID = re.compile(r"^HX0{24,}[0-9a-fA-F]{0,8}$")
PLACEHOLDER_DLT = re.compile(r"0{11,}")


def is_sample_staff(path: str | Path) -> bool:
    try:
        return Path(path).resolve() == SAMPLE_STAFF.resolve()
    except OSError:
        return False


STAFF_FILE_MISSING = ("HOTLINE_STAFF is not set: outside the demo the sample staff (examples/staff.yaml) "
                      "is never read. Copy it, put your own people in, and set HOTLINE_STAFF to that file "
                      "(or load it with `hotline staff import FILE`) before the line starts")


def staff_file_problem(settings) -> str | None:
    """A store with no staff yet imports HOTLINE_STAFF; outside the demo, never the sample."""
    if settings.demo or not is_sample_staff(settings.staff_file):
        return None
    return STAFF_FILE_MISSING


def is_demo_number(number: str | None) -> bool:
    return (number or "").replace("whatsapp:", "").strip() == DEMO_NUMBER

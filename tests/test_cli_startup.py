"""`hotline --help` and each command's --help answer at once (#33: they took 4-8 s, loading the
database, Redis, Twilio and the PDF library to print a page of text): the command line loads
only what the command run uses. Checked by what is loaded, not by a stopwatch."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "redis", "rq", "twilio", "flask", "fpdf", "phonenumbers", "hotline.services",
         "hotline.engine")
HELPS = (["--help"], ["staff", "set-password", "--help"], ["staff", "import", "--help"], ["case", "dir", "--help"],
         ["flows", "check", "--help"], ["audit", "export", "--help"], ["chat", "--help"], ["serve", "--help"])

PROBE = """
import json, sys
from hotline.cli.main import hotline
loaded = {}
for args in json.loads(sys.argv[1]):
    hotline.main(args, prog_name="hotline", standalone_mode=False)
    loaded[" ".join(args)] = sorted({m for m in sys.modules for h in json.loads(sys.argv[2])
                                     if m == h or m.startswith(h + ".")})
print(json.dumps(loaded))
"""


def test_help_loads_no_database_queue_provider_or_pdf_library():
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HELPS), json.dumps(HEAVY)],
                          capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert loaded == {" ".join(args): [] for args in HELPS}

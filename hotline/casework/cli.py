"""What `hotline case dir` and `hotline outreach` do (the CLI only parses their arguments)."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import select

from ..store.models import DomesticIncidentReport
from . import incident_reports, outreach, pdf


def case_dir(svc, case_id: int, output: str, lang: str | None = None) -> int:
    """The case's DIR as a PDF: the latest final one (else the latest draft, marked DRAFT), in
    the language it was written in, or `lang`."""
    with svc.store.session() as s:
        rows = list(s.scalars(select(DomesticIncidentReport.id).where(DomesticIncidentReport.case_id == case_id)
                              .order_by(DomesticIncidentReport.id)))
        finals = list(s.scalars(select(DomesticIncidentReport.id).where(
            DomesticIncidentReport.case_id == case_id, DomesticIncidentReport.status == "final")
            .order_by(DomesticIncidentReport.id)))
    if not rows:
        print(f"case {case_id}: no Domestic Incident Report (write one in the console: Cases, case "
              f"#{case_id}, Legal casework)", file=sys.stderr)
        return 1
    report = incident_reports.get(svc, (finals or rows)[-1])
    if lang:
        report.lang = lang
    Path(output).write_bytes(pdf.dir_pdf(svc.catalog, report))
    svc.store.audit("dir.downloaded", None, case=case_id, dir=report.id, via="cli")
    state = "final" if report.status == "final" else "DRAFT"
    print(f"{output}: DIR {report.id} of case {case_id} ({state}, {report.lang})")
    return 0


def outreach_material(settings, catalog, output: str, press_release: str | None = None) -> int:
    Path(output).write_bytes(outreach.card_pdf(settings, catalog))
    print(f"{output}: the outreach card, English and Tamil (WhatsApp {outreach.whatsapp_link(settings)})")
    if press_release:
        Path(press_release).write_text(outreach.press_release(settings, catalog), encoding="utf-8")
        print(f"{press_release}: the press release, English and Tamil")
    return 0

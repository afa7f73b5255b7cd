"""`hotline case dir` (a case's Domestic Incident Report as a PDF) and `hotline outreach` (the
outreach card and press release): the legal casework's commands (hotline/casework/)."""

from __future__ import annotations

import sys

import click

from hotline.cli.common import services
from hotline.privacy.files import Refused, write_private


@click.group(help="a case's legal casework")
def case() -> None:
    pass


@case.command("dir", help="the case's Domestic Incident Report (PWDVA Form I) as a PDF")
@click.argument("case_id", type=int, metavar="CASE_ID")
@click.option("--lang", type=click.Choice(["en", "ta"]), default=None,
              help="default: the language it was written in")
@click.option("--output", required=True, metavar="FILE.pdf")
@click.option("--by", "by", default=None, metavar="NAME_OR_PHONE",
              help="the staff member taking it, for the audit (default: this computer's user)")
def case_dir(case_id: int, lang: str | None, output: str, by: str | None) -> int:
    return _case_dir(services(), case_id, output, lang, by)


@click.command("outreach", help="the outreach card (PDF) and press release, English and Tamil")
@click.option("--output", required=True, metavar="card.pdf")
@click.option("--press-release", default=None, metavar="FILE")
def outreach_command(output: str, press_release: str | None) -> int:
    from hotline.config.settings import Settings
    from hotline.i18n import Catalog

    settings = Settings.from_env()
    from hotline.casework.outreach import whatsapp_number
    from hotline.config.production import is_demo_number

    if not settings.demo and (is_demo_number(settings.hotline_number) or is_demo_number(whatsapp_number(settings))):
        # a card handed door to door with the demo's made-up number would send her nowhere
        click.echo("the card would show the demo's number (+91 44 0000 0000): set HOTLINE_NUMBER (and "
                   "HOTLINE_WHATSAPP_NUMBER) to the line's real numbers; nothing was written", err=True)
        return 1
    return _outreach(settings, Catalog(), output, press_release)


def _case_dir(svc, case_id: int, output: str, lang: str | None = None, by: str | None = None) -> int:
    """The case's DIR as a PDF: the latest final one (else the latest draft, marked DRAFT), in
    the language it was written in, or `lang`. The audit says who took it: the staff member
    `by` names, else the computer's user (a DIR holds her personal data)."""
    import getpass

    from sqlalchemy import select

    from hotline.casework import incident_reports
    from hotline.people.staff import Ambiguous, find_member
    from hotline.store.models import Case, DomesticIncidentReport

    with svc.store.session() as s:
        if s.get(Case, case_id) is None:
            print(f"no case {case_id} (the console's Cases page lists them)", file=sys.stderr)
            return 1
        try:
            member = find_member(s, by) if by else None
        except Ambiguous:
            member = None
        if by and member is None:
            print(f'--by "{by}": not one person on the staff list (hotline staff list shows who is); '
                  "nothing written", file=sys.stderr)
            return 1
        staff_id = member.id if member else None
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
    from hotline.casework import pdf  # here: fpdf2 takes seconds to load

    try:
        write_private(output, pdf.dir_pdf(svc.catalog, report))
    except Refused as exc:  # an existing link in its place: written nowhere
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:  # a folder that is not there, or not hers to write: say so, no traceback
        print(f"{output}: cannot write it ({exc.strerror or exc}); nothing written", file=sys.stderr)
        return 1
    svc.store.audit("dir.downloaded", None, staff_id=staff_id, case=case_id, dir=report.id, via="cli",
                    **({} if staff_id else {"user": getpass.getuser()}))
    state = "final" if report.status == "final" else "DRAFT"
    print(f"{output}: DIR {report.id} of case {case_id} ({state}, {report.lang})")
    return 0


def _outreach(settings, catalog, output: str, press_release: str | None = None) -> int:
    from hotline.casework import outreach  # here: fpdf2 takes seconds to load

    try:
        write_private(output, outreach.card_pdf(settings, catalog))
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{output}: the outreach card, English and Tamil (WhatsApp {outreach.whatsapp_link(settings)})")
    if press_release:
        try:
            write_private(press_release, outreach.press_release(settings, catalog).encode("utf-8"))
        except Refused as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"{press_release}: the press release, English and Tamil")
    return 0

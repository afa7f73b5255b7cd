"""Casework (#18): the DIR from draft to final, its PDF in Tamil (her words read back out of the
PDF as she said them) and from the CLI; orders with their follow-up before they lapse; the
police plan that shows no number and nothing she said; contacts outside the line; the outreach
card; and what DELETE keeps of a forwarded DIR, with the words she is told."""

from __future__ import annotations

import csv
import getpass
import io
import re
from datetime import UTC, date, datetime

import pypdf
import pytest
from sqlalchemy import select, text

from hotline import services
from hotline.casework import contacts, erasure, incident_reports, orders, outreach, plan
from hotline.privacy.phones import caller_key
from hotline.store.models import (
    Audit,
    Case,
    CourtOrder,
    DirForwarding,
    DomesticIncidentReport,
    FollowUp,
    OfflineContact,
)
from hotline.web.console import auth

from .cli import cli
from .helpers import text as sms

SURVIVOR = "+919876543210"
PASSWORD = "a long enough password"
HER_WORDS = "என் கணவர் வரதட்சணை கேட்டு அடித்தார்; மாமியார் கொடுமை செய்தார்"
COMPLETE = {"name": "லட்சுமி", "age": "28", "phone": SURVIVOR, "respondent_1_name": "ராஜேஷ்",
            "respondent_1_relation": "கணவர்", "incident_dowry": "yes", "incident_dowry_details": HER_WORDS,
            "order_s18": "yes", "help_shelter": "yes", "recorded_by": "Meena, Sakhi Trust", "recorded_on": "2026-12-14"}


def pdf_text(body: bytes) -> str:
    """The text of every page, as a reader copies it: the zero-width spaces that stand for the
    vowel signs drawn before their consonant dropped (pdf.Sheet.bytes), lines joined."""
    reader = pypdf.PdfReader(io.BytesIO(body))
    words = " ".join(page.extract_text() for page in reader.pages).replace("\u200b", "")
    return re.sub(r"\s+", " ", words)


@pytest.fixture
def app_svc(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url)
    svc = services.use(app.extensions["hotline"])
    for who in ("Priya", "Kavitha", "Anjali"):
        auth.set_password(svc.store, who, PASSWORD)
    return app, svc


def her_case(svc, lang: str = "ta", assigned: str | None = None) -> int:
    staff = {p.name: p.id for p in svc.staff.people}
    with svc.store.session() as s:
        case = Case(caller_key=caller_key(SURVIVOR, svc.settings.secret_key), contact=svc.store.seal(SURVIVOR),
                    lang=lang, channel="sms", status="open", assigned_to=staff.get(assigned))
        s.add(case)
        s.flush()
        return case.id


def login(app, name):
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"csrf_token": csrf, "name": name, "password": PASSWORD})
    return client, csrf


def post(client, path, data, follow=False):
    page = client.get("/console/cases").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=follow)


def test_a_new_dir_is_one_draft_however_often_it_is_sent(app_svc):
    """Finalise refused for what is missing, then Save draft, then Finalise again: one draft, at
    its own address, which the browser posts to from then on."""
    app, svc = app_svc
    case_id = her_case(svc, assigned="Kavitha")
    priya, _ = login(app, "Priya")
    path = f"/console/cases/{case_id}/dir"
    for action in ("finalise", "draft", "finalise"):
        page = post(priya, path, {"lang": "ta", "name": "லட்சுமி", "action": action}, follow=True)
        form = re.search(r'<form method="post"[^>]*?(?: action="([^"]*)")?[^>]*class="dir-form', page.get_data(as_text=True))
        path = form.group(1) or page.request.path  # where the page's form posts: its action, else its URL
    assert [r.id for r in incident_reports.of_case(svc, case_id)] == [1]
    assert path == f"/console/cases/{case_id}/dir/1"
    assert "Section 2" in page.get_data(as_text=True)  # still says what Finalise needs


def test_a_dir_goes_from_draft_to_final_and_its_tamil_pdf_reads_as_she_said_it(app_svc, tmp_path, capsys):
    app, svc = app_svc
    case_id = her_case(svc, assigned="Kavitha")
    priya, _ = login(app, "Priya")
    # a counsellor the case is not assigned to neither sees nor writes it (access.sees_words)
    anjali, _ = login(app, "Anjali")
    assert anjali.get(f"/console/cases/{case_id}/dir").status_code == 404
    draft = post(priya, f"/console/cases/{case_id}/dir", {"lang": "ta", "name": "லட்சுமி", "action": "draft"})
    assert draft.status_code == 302
    dir_id = int(draft.headers["Location"].rsplit("/", 1)[1])
    refused = post(priya, f"/console/cases/{case_id}/dir/{dir_id}", {"lang": "ta", "name": "லட்சுமி",
                                                                       "action": "finalise"}, follow=True)
    assert "Section 2" in refused.get_data(as_text=True)  # what is missing, and it stays a draft
    assert incident_reports.get(svc, dir_id).status == "draft"
    final = post(priya, f"/console/cases/{case_id}/dir/{dir_id}", {"lang": "ta", "action": "finalise", **COMPLETE})
    assert final.status_code == 302 and incident_reports.get(svc, dir_id).status == "final"
    # sealed at rest: none of her words in the table
    with svc.store.session() as s:
        raw = s.execute(text("SELECT content FROM dirs")).scalar()
    assert "லட்சுமி" not in raw and "Lakshmi" not in raw and SURVIVOR not in raw
    pdf = priya.get(f"/console/dir/{dir_id}.pdf")
    assert pdf.mimetype == "application/pdf"
    words = pdf_text(pdf.data)
    assert HER_WORDS in words  # shaped Tamil, read back exactly as typed
    assert "குடும்ப வன்முறை நிகழ்வு அறிக்கை" in words and "வரைவு" not in words  # Tamil labels, not a draft
    assert post(priya, f"/console/dir/{dir_id}/forward", {"to": "magistrate", "name": "JM Court I, Madurai",
                                                           "via": "hand", "sent_on": "2026-12-15"}).status_code == 302
    assert incident_reports.get(svc, dir_id).forwardings[0].to == "magistrate"
    # the same PDF from the command line, in English on request
    out = tmp_path / "dir.pdf"
    assert cli("case", "dir", str(case_id), "--lang", "en", "--output", str(out)).exit_code == 0
    words = pdf_text(out.read_bytes())
    assert "Domestic Incident Report" in words and HER_WORDS in words and "JM Court I, Madurai" in words
    assert cli("case", "dir", "999", "--output", str(out)).exit_code == 1


def test_an_order_in_force_gets_a_follow_up_before_it_lapses_and_the_plan_shows_the_police_no_more(app_svc):
    app, svc = app_svc
    svc.clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    case_id = her_case(svc, assigned="Kavitha")
    kavitha = next(p.id for p in svc.staff.people if p.name == "Kavitha")
    order_id = orders.add(svc, kavitha, case_id, "protection", "granted", "JM Court I, Madurai", "2026-09-01",
                          "2026-09-20", "2026-12-17", details="He came to her mother's house on 2 Sept")
    with svc.store.session() as s:
        row = s.get(CourtOrder, order_id)
        followup = s.get(FollowUp, row.followup_id)
        assert followup.status == "pending"
        assert followup.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 3, 4, 30, tzinfo=UTC)  # 14 days ahead, 10:00 IST
    assert [o.id for o in orders.lapsing(svc, date(2026, 12, 5))] == [order_id]
    assert orders.lapsing(svc, date(2027, 1, 5)) == []
    rows = plan.week(svc, plan.monday(date(2026, 12, 1)))
    assert [(r.case_id, r.due.date()) for r in rows] == [(case_id, date(2026, 12, 3))]
    csv_text = plan.as_csv(rows)
    assert "Protection order (s.18)" in csv_text and "2026-12-17" in csv_text
    for private in (SURVIVOR[-6:], "mother", "210"):
        assert private not in csv_text
    assert list(csv.reader(io.StringIO(csv_text)))[0] == plan.HEADER
    priya, _ = login(app, "Priya")
    page = priya.get("/console/plan?week=2026-11-30").get_data(as_text=True)
    assert f"#{case_id}" in page and "Orders lapsing in December 2026" in page and "mother" not in page
    assert priya.get("/console/plan.csv?week=2026-11-30").mimetype == "text/csv"
    anjali, _ = login(app, "Anjali")
    assert anjali.get("/console/plan").status_code == 403  # coordinators only
    # refused on appeal: the follow-up is cancelled
    orders.update(svc, kavitha, order_id, "refused")
    with svc.store.session() as s:
        assert s.get(FollowUp, s.get(CourtOrder, order_id).followup_id).status == "cancelled"
    svc.clock.set(None)


def test_a_walk_in_is_recorded_on_her_open_case_or_a_new_one(app_svc):
    app, svc = app_svc
    case_id = her_case(svc, assigned="Kavitha")  # one she may see (one she may not: tests/test_security_30.py)
    kavitha, _ = login(app, "Kavitha")
    reply = post(kavitha, "/console/contacts/new", {"kind": "walk_in", "happened_at": "2026-12-02T11:30",
                                                    "place": "NGO desk, Tallakulam", "number": "98765 43210",
                                                    "summary": "asked about a residence order", "lang": "ta"})
    assert reply.status_code == 302 and reply.headers["Location"].endswith(f"/cases/{case_id}/casework")
    reply = post(kavitha, "/console/contacts/new", {"kind": "own_phone", "happened_at": "2026-12-02T12:00"})
    new_case = int(reply.headers["Location"].split("/")[-2])
    assert new_case != case_id
    page = kavitha.get(f"/console/cases/{new_case}/casework")  # hers: assigned to the one who recorded it
    assert page.status_code == 200 and "Call to a counsellor&#39;s own phone" in page.get_data(as_text=True)
    assert post(kavitha, "/console/contacts/new", {"kind": "walk_in", "happened_at": "2026-12-02T12:00",
                                                   "number": "12"}).status_code == 400
    with svc.store.session() as s:
        raw = list(s.scalars(select(OfflineContact.summary)))
        assert all(r is None or "residence" not in r for r in raw)  # sealed
    assert [c.kind for c in contacts.of_case(svc, case_id)] == ["walk_in"]


def test_delete_keeps_a_forwarded_dir_reduced_and_tells_her_so(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = services.use(app.extensions["hotline"])
    client = app.test_client()
    case_id = her_case(svc)
    kept = incident_reports.save(svc, None, case_id, dict(COMPLETE), "ta")
    assert incident_reports.finalise(svc, None, kept) == []
    incident_reports.forward(svc, None, kept, "magistrate", "JM Court I", "hand", "2026-12-15")
    unsent = incident_reports.save(svc, None, case_id, dict(COMPLETE), "en")
    incident_reports.finalise(svc, None, unsent)
    incident_reports.save(svc, None, case_id, {"name": "x"}, "en")  # a draft
    orders.add(svc, None, case_id, "residence", "interim", "JM Court I", expires_on="2027-01-10")
    contacts.record(svc, None, case_id, "walk_in", datetime(2026, 12, 1, tzinfo=UTC), summary="her words")
    assert erasure.keeps_a_dir(svc, caller_key(SURVIVOR, svc.settings.secret_key))
    reply = sms(client, SURVIVOR, "DELETE")
    assert reply == [svc.catalog.own("erased_dir_kept", "en")]
    with svc.store.session() as s:
        assert [d.id for d in s.scalars(select(DomesticIncidentReport))] == [kept]
        report = s.get(DomesticIncidentReport, kept)
        assert report.reduced and report.status == "final"
        assert s.scalars(select(DirForwarding)).all() and not s.scalars(select(CourtOrder)).all()
        assert not s.scalars(select(OfflineContact)).all() and not s.scalars(select(FollowUp)).all()
        assert s.get(Case, case_id).caller_key == "erased"
    content = incident_reports.get(svc, kept).content
    assert "phone" not in content and content["incident_dowry_details"] == HER_WORDS
    # her second DELETE finds nothing of hers: the ordinary words
    assert sms(client, SURVIVOR, "DELETE") != [svc.catalog.own("erased_dir_kept", "en")]


def test_the_outreach_card_and_press_release_come_from_the_configuration(app_svc, tmp_path, monkeypatch):
    _, svc = app_svc
    monkeypatch.setenv("HOTLINE_WHATSAPP_NUMBER", "whatsapp:+91 98400 12345")
    card, release = tmp_path / "card.pdf", tmp_path / "press.txt"
    assert cli("outreach", "--output", str(card), "--press-release", str(release)).exit_code == 0
    words = pdf_text(card.read_bytes())
    assert "https://wa.me/919840012345" in words and "நல உதவி எண்" in words and "Wellbeing helpline" in words
    assert svc.settings.safe_word in words
    for alarming in ("violence", "abuse", "dowry", "வன்முறை"):
        assert alarming not in words.lower()
    press = release.read_text(encoding="utf-8")
    assert "https://wa.me/919840012345" in press and "உதவி எண்" in press and svc.settings.safe_word not in press
    assert outreach.whatsapp_link(svc.settings, {}) == "https://wa.me/" + svc.settings.hotline_number.lstrip("+")


def test_case_dir_says_plainly_what_is_wrong_and_the_audit_says_who_took_it(app_svc, tmp_path):
    _, svc = app_svc
    case_id = her_case(svc)
    incident_reports.save(svc, None, case_id, dict(COMPLETE), "ta")
    missing = cli("case", "dir", "99", "--output", str(tmp_path / "x.pdf"))
    assert missing.exit_code == 1 and missing.stderr.startswith("no case 99")
    unwritable = cli("case", "dir", str(case_id), "--output", str(tmp_path / "no such folder" / "dir.pdf"))
    assert unwritable.exit_code == 1 and "cannot write it" in unwritable.stderr  # not a traceback
    assert cli("case", "dir", str(case_id), "--output", str(tmp_path / "mine.pdf"), "--by", "Kavitha").exit_code == 0
    assert cli("case", "dir", str(case_id), "--output", str(tmp_path / "mine.pdf")).exit_code == 0
    with svc.store.read() as s:
        took = [(a.staff_id, a.detail.get("user")) for a in s.scalars(select(Audit).where(Audit.event == "dir.downloaded"))]
    kavitha = next(p.id for p in svc.staff.people if p.name == "Kavitha")
    assert took == [(kavitha, None), (None, getpass.getuser())]  # a staff member, else the computer's user


def test_the_dir_pdf_is_form_i_with_its_dates_columns_acts_and_countersignature_and_draft_on_every_page(app_svc):
    """Against the gazetted Form I (#33): dates as dd/mm/yyyy; each kind of violence with its
    date, place and time, the person who caused it and its list of acts; the child's sex; the
    Protection Officer's countersignature with name, address and seal; a draft says DRAFT on
    every page, not the first alone."""
    app, svc = app_svc
    case_id = her_case(svc, assigned="Kavitha")
    priya, _ = login(app, "Priya")
    written = {**COMPLETE, "lang": "en", "action": "draft", "incident_dowry_details": "He beat her. " * 400,
               "child_1_name": "Divya", "child_1_age": "6", "child_1_sex": "girl",
               "incident_physical_act_slapping": "yes", "incident_physical_on": "2026-12-07",
               "incident_physical_time": "21:30", "incident_physical_place": "the shared household",
               "incident_physical_by": "Rajesh, her husband", "incident_physical_details": "He slapped her.",
               "recorded_address": "Sakhi Trust, 12 North Street, Madurai"}
    saved = post(priya, f"/console/cases/{case_id}/dir", written)
    dir_id = int(saved.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    content = incident_reports.get(svc, dir_id).content
    assert content["incident_physical"] == "yes"  # an act ticked is its kind ticked
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in
             pypdf.PdfReader(io.BytesIO(priya.get(f"/console/dir/{dir_id}.pdf").data)).pages]
    assert len(pages) > 1 and all("DRAFT" in page for page in pages)
    words = " ".join(pages)
    assert "14/12/2026" in words and "2026-12-14" not in words  # the date Section 8 was given
    assert "Sex girl" in words
    assert "Date, place and time 07/12/2026, 21:30, the shared household" in words
    assert "Person who caused it Rajesh, her husband" in words
    assert "[x] Slapping" in words and "[ ] Kicking" in words and "[ ] Threats to commit suicide" not in words
    assert "Countersignature of the Protection Officer or service provider" in words
    assert "Sakhi Trust, 12 North Street, Madurai" in words and "Seal" in words

"""In Chromium (as tests/test_browser.py runs it): the phone simulator as an NGO coordinator
meets it first (#33). Every phone says what to try; the example code has five digits; the
police ask for an NGO representative and the NGO phone takes the request with ACK; the
counsellor's phone calls the hotline (the PIN bridge) with no curl."""

from __future__ import annotations

import re

from sqlalchemy import select

from hotline.store.models import Escalation

from .helpers import run_worker
from .test_browser import browser, pages, phone, send, served, shot  # noqa: F401 - fixtures


def test_a_new_user_finds_what_to_type_and_every_role_of_a_visit_on_its_phone(served, pages):  # noqa: F811
    from playwright.sync_api import expect

    server, svc = served
    sim = pages(server.url + "/simulator/", width=1240, height=860)
    for role in ("survivor", "whatsapp", "counsellor", "ngo", "police"):
        expect(phone(sim, role).locator(".log .hint")).to_be_visible()
    header = sim.locator("header").inner_text()
    assert "ACK 48213" in header and not re.search(r"ACK \d{1,4}\b", header)
    shot(sim, "simulator-first")

    # the police ask for an NGO representative now; the NGO's phone gets it and takes it
    for body in ("hi", "1", "madurai", "1", "FIR 12/2026", "1"):
        send(sim, "police", body)
    run_worker(svc, burst=True)
    ngo = phone(sim, "ngo")
    with svc.store.session() as s:
        code = s.scalars(select(Escalation.code)).one()
    expect(ngo.locator(".msg.them").first).to_contain_text(code)
    expect(ngo.locator(".log .hint")).to_have_count(0)  # tried: the hint has gone
    send(sim, "ngo", f"ACK {code}", answers=2)
    with svc.store.session() as s:
        assert s.scalars(select(Escalation.status)).one() == "acked"

    # the counsellor calls the hotline from her phone: the hotline asks for her PIN
    counsellor = phone(sim, "counsellor")
    counsellor.get_by_role("button", name="Call").click()
    expect(counsellor.locator(".msg.voice").first).to_contain_text("PIN")
    shot(sim, "simulator-roles")


def test_on_exotel_the_simulator_shows_the_safe_words_reply_and_the_delete_confirmation(make_app, sqlite_url,
                                                                                          live, pages):  # noqa: F811
    from playwright.sync_api import expect

    app = make_app(database_url=sqlite_url, sms_provider="exotel", voice_provider="exotel",
                   exotel_number="+918047000000")
    server = live(app)
    sim = pages(server.url + "/simulator/", width=1240, height=860)
    survivor = phone(sim, "survivor")

    def text(body: str) -> None:
        survivor.locator(".compose input").fill(body)
        with sim.expect_response(lambda r: r.url.endswith("/exotel/sms")):
            survivor.locator(".compose button[type=submit]").click()

    text("hi")
    expect(survivor.locator(".msg.them")).not_to_have_count(0)  # through the outbox, as Exotel sends it
    text("RECIPE")
    expect(survivor.locator(".msg.them", has_text="4821")).to_have_count(1)  # the ordinary-looking line
    text("hi")
    text("DELETE")
    expect(survivor.locator(".msg.them", has_text="has been erased")).to_have_count(1)
    shot(sim, "simulator-exotel-erased")

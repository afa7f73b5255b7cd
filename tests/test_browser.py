"""In a real browser (Playwright driving Debian's Chromium, headless), against the app served
over HTTP: one escalation from the survivor's first SMS in the simulator to DONE in the console,
the relay seen on the simulated phones, the time-to-acknowledge chart; and a call with the
keypad. The worker runs in-process between steps; the test waits on what the pages show, never
on the clock. A screenshot of each page goes to test-artifacts/screenshots/ for review.

Chromium: /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it where missing).
Without it, or without the playwright package, these tests skip and say why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.store.models import Escalation
from hotline.web.console import auth

from .helpers import run_worker

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
# `make screenshots` sets this: the README's pictures are taken by these same tests
README_SHOTS = os.environ.get("HOTLINE_README_SHOTS")
PHONE = {"width": 390, "height": 844}
PASSWORD = "a long enough password"
WAIT = 15_000  # ms: the longest any page may take to show what it should


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set HOTLINE_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def served(make_app, sqlite_url, live):
    app = make_app(database_url=sqlite_url)
    svc = app.extensions["hotline"]
    for who in ("Kavitha", "Priya"):
        auth.set_password(svc.store, who, PASSWORD)
    return live(app), svc


@pytest.fixture
def pages(browser):
    """New pages, each in a browser context of its own (its own cookies: one person each)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT)
    contexts = []

    def open_page(url: str, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name: str, readme: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if readme and README_SHOTS:
        Path(README_SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(README_SHOTS) / f"{name}.png"), full_page=False)


def in_reach(page) -> None:
    """Nothing scrolls sideways, and every button and button-like link on the page lies inside
    the viewport once scrolled to (vertically): a thumb reaches it."""
    page.wait_for_load_state("load")  # its stylesheet applied (under load a page can be measured first)
    width = page.viewport_size["width"]
    height = page.viewport_size["height"]
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > w)
                            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""", width)
    assert not wide, (page.url, wide)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    buttons = page.locator("button:visible, a.button:visible")
    assert buttons.count() > 0
    for i in range(buttons.count()):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        name = button.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (page.url, name, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, (page.url, name, box)
        assert box["height"] >= 32, (page.url, name, box)  # big enough for a thumb


def log_in(page, name: str) -> None:
    page.get_by_label("Name or phone number").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def phone(sim, role: str):
    return sim.locator(f'.phone[data-role="{role}"]')


def send(sim, role: str, body: str, answers: int | None = None) -> None:
    """Text from a simulated phone, and wait until the webhook has answered (so the worker run
    next finds what it queued); with `answers`, until that phone shows that many replies."""
    from playwright.sync_api import expect

    box = phone(sim, role)
    box.locator(".compose input").fill(body)
    with sim.expect_response(lambda r: r.url.endswith("/twilio/sms") and r.request.method == "POST") as answered:
        box.locator(".compose button[type=submit]").click()
    assert answered.value.status == 200
    if answers is not None:
        expect(box.locator(".msg.them")).to_have_count(answers)


def test_a_coordinator_follows_an_escalation_from_the_first_sms_to_done(served, pages):
    from playwright.sync_api import expect

    server, svc = served
    sim = pages(server.url + "/simulator/", width=1240, height=860)
    expect(sim.locator(".phone")).to_have_count(5)  # a survivor by SMS and on WhatsApp, a counsellor, the NGO, an officer
    survivor, counsellor = phone(sim, "survivor"), phone(sim, "counsellor")

    kavitha = pages(server.url + "/console/")
    expect(kavitha.get_by_role("heading", name="Log in")).to_be_visible()
    shot(kavitha, "console-login")
    log_in(kavitha, "Kavitha")
    expect(kavitha.get_by_text("Nobody is waiting.")).to_be_visible()

    # the survivor asks for a counsellor, by SMS from the simulator
    send(sim, "survivor", "hi", answers=1)
    expect(survivor.locator(".msg.them").last).to_contain_text("Choose a language")
    send(sim, "survivor", "1", answers=2)
    send(sim, "survivor", "1", answers=3)
    send(sim, "survivor", "1", answers=4)
    expect(survivor.locator(".msg.them").last).to_contain_text("A counsellor will text you")
    run_worker(svc, burst=True)  # the first step of the chain: Kavitha is alerted
    with svc.store.session() as s:
        code = s.scalars(select(Escalation.code)).one()
    expect(counsellor.locator(".msg.them").last).to_contain_text(f"ACK {code}")

    # the live view shows it without a reload, and she takes it from the page
    row = kavitha.locator(f'li.esc[data-code="{code}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Kavitha")  # who has been notified
    expect(row).to_contain_text("en")
    in_reach(kavitha)  # on a desktop too
    shot(kavitha, "console-live", readme=True)
    row.get_by_role("button", name="Acknowledge").click()
    expect(kavitha.locator(".flash")).to_contain_text(code)
    expect(kavitha.locator(f'li.esc[data-code="{code}"]')).to_contain_text("taken by Kavitha")
    run_worker(svc, burst=True)  # the survivor is told someone has her message
    expect(survivor.locator(".msg.them")).to_have_count(5)

    # Kavitha answers from her phone; the hotline relays it from its own number
    send(sim, "counsellor", "Are you safe where you are?")
    run_worker(svc, burst=True)
    expect(survivor.locator(".msg.them").last).to_contain_text("Are you safe where you are?")
    send(sim, "survivor", "He has gone out. I can talk now.")
    run_worker(svc, burst=True)
    expect(counsellor.locator(".msg.them").last).to_contain_text("He has gone out. I can talk now.")
    shot(sim, "simulator")

    # her case: the timeline with the relayed words, which only she sees
    kavitha.locator(f'li.esc[data-code="{code}"] a').first.click()
    expect(kavitha.locator("ol.timeline")).to_contain_text("He has gone out. I can talk now.")
    kavitha.get_by_label("Note").fill("Husband out until evening; call after 4.")
    kavitha.get_by_role("button", name="Add note").click()
    expect(kavitha.locator("ol.timeline")).to_contain_text("Husband out until evening")
    shot(kavitha, "console-case-counsellor")

    # the coordinator: sees it taken, cannot read the relay, closes it, and finds it in the chart
    priya = pages(server.url + "/console/")
    log_in(priya, "Priya")
    taken = priya.locator(f'li.esc[data-code="{code}"]')
    expect(taken).to_contain_text("taken by Kavitha")
    taken.locator("a").first.click()
    expect(priya.locator("ol.timeline")).to_contain_text("Relayed from the survivor")
    expect(priya.locator("ol.timeline")).not_to_contain_text("He has gone out")
    expect(priya.locator(".num").first).to_contain_text("•••")
    shot(priya, "console-case-coordinator", readme=True)
    priya.locator(".active-alert").get_by_role("button", name="Done").click()
    expect(priya.get_by_role("heading", name=f"Close alert {code}?")).to_be_visible()
    priya.get_by_role("button", name="Yes, close it").click()
    expect(priya.locator(".flash")).to_contain_text(code)
    with svc.store.session() as s:
        assert s.scalars(select(Escalation.status)).one() == "done"

    priya.get_by_role("link", name="Rota").click()
    expect(priya.locator("table.coverage")).to_contain_text("Kavitha")
    shot(priya, "console-rota", readme=True)
    priya.get_by_role("link", name="Reports").click()
    expect(priya.locator("svg.chart line.median")).to_have_count(1)
    expect(priya.locator("svg.chart circle.ack")).to_have_count(1)
    expect(priya.locator("#median")).not_to_contain_text("no acknowledgements")
    shot(priya, "console-reports")
    priya.get_by_role("link", name="Cases").click()
    expect(priya.locator("table")).to_contain_text("closed")
    shot(priya, "console-cases")


def test_on_a_phone_every_action_is_in_reach_from_the_alert_to_done(served, pages):
    """At 390×844: the live queue as cards, the header on every role, Cases and Rota without
    sideways scroll, the reply box on a taken case (through the relay), Done asked twice."""
    from playwright.sync_api import expect

    server, svc = served
    sim = pages(server.url + "/simulator/", width=1240, height=860)
    survivor = phone(sim, "survivor")
    kavitha = pages(server.url + "/console/", **PHONE)
    in_reach(kavitha)
    shot(kavitha, "phone-login", readme=True)
    log_in(kavitha, "Kavitha")
    expect(kavitha.get_by_text("Nobody is waiting.")).to_be_visible()
    for body, answers in (("hi", 1), ("1", 2), ("1", 3), ("1", 4)):
        send(sim, "survivor", body, answers=answers)
    run_worker(svc, burst=True)
    with svc.store.session() as s:
        code = s.scalars(select(Escalation.code)).one()

    card = kavitha.locator(f'li.esc[data-code="{code}"]')
    expect(card).to_be_visible()
    expect(card.get_by_role("button", name="Acknowledge")).to_be_visible()
    in_reach(kavitha)
    header, logout = kavitha.locator("header.top").bounding_box(), kavitha.get_by_role("button", name="Log out")
    box = logout.bounding_box()
    assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
    shot(kavitha, "phone-live", readme=True)
    card.get_by_role("button", name="Acknowledge").click()
    expect(kavitha.locator(f'li.esc[data-code="{code}"]')).to_contain_text("taken by Kavitha")
    expect(kavitha.locator(f'li.esc[data-code="{code}"] .waiting')).to_have_count(0)  # the clock stops
    in_reach(kavitha)
    run_worker(svc, burst=True)
    expect(survivor.locator(".msg.them")).to_have_count(5)

    # the reply box on her case: through the relay, under her first name
    kavitha.locator(f'li.esc[data-code="{code}"] a.code').click()
    expect(kavitha.get_by_role("heading", name="Write to her")).to_be_visible()
    kavitha.get_by_label("Message").fill("I am here. Are you safe to text?")
    kavitha.get_by_role("button", name="Send").click()
    expect(kavitha.locator(".flash")).to_contain_text(f"Sent to alert {code}")
    run_worker(svc, burst=True)
    expect(survivor.locator(".msg.them").last).to_have_text("Kavitha: I am here. Are you safe to text?")
    in_reach(kavitha)
    shot(kavitha, "phone-case", readme=True)

    # Done asks first
    kavitha.locator(".active-alert").get_by_role("button", name="Done").click()
    expect(kavitha.get_by_role("heading", name=f"Close alert {code}?")).to_be_visible()
    in_reach(kavitha)
    shot(kavitha, "phone-done", readme=True)
    kavitha.get_by_role("link", name="No, keep it open").click()
    with svc.store.session() as s:
        assert s.scalars(select(Escalation.status)).one() == "acked"
    kavitha.locator(".active-alert").get_by_role("button", name="Done").click()
    kavitha.get_by_role("button", name="Yes, close it").click()
    expect(kavitha.locator(".flash")).to_contain_text(code)
    with svc.store.session() as s:
        assert s.scalars(select(Escalation.status)).one() == "done"

    # the coordinator on her phone: the header holds four links and Log out; nothing scrolls sideways
    priya = pages(server.url + "/console/", **PHONE)
    log_in(priya, "Priya")
    for link, ready in (("Cases", "table.cases"), ("Rota", "table.week"), ("Reports", "svg.chart"),
                        ("Live", "h1")):
        priya.get_by_role("link", name=link, exact=True).click()
        expect(priya.locator(ready).first).to_be_visible()
        in_reach(priya)
        header, box = priya.locator("header.top").bounding_box(), priya.get_by_role("button", name="Log out").bounding_box()
        assert box["y"] + box["height"] <= header["y"] + header["height"] and box["x"] + box["width"] <= 390
        shot(priya, f"phone-{link.lower()}", readme=link in ("Cases", "Rota"))
    # a counsellor opening Rota meets a console page, not a bare "Forbidden"
    kavitha.goto(server.url + "/console/rota")
    expect(kavitha.get_by_role("heading", name="Not for your role")).to_be_visible()
    in_reach(kavitha)


def test_a_call_from_the_survivor_phone_speaks_and_takes_the_keypad(served, pages):
    from playwright.sync_api import expect

    server, svc = served
    sim = pages(server.url + "/simulator/", width=1240, height=860)
    survivor = phone(sim, "survivor")
    survivor.get_by_role("button", name="Call").click()
    voice = survivor.locator(".msg.voice")
    expect(voice.first).to_contain_text("Choose a language")
    expect(survivor.locator(".msg.voice .tag").first).to_contain_text("en-IN")
    expect(survivor.locator(".msg.voice", has_text="தமிழ்")).to_contain_text("2")
    expect(survivor.locator(".msg.voice .tag", has_text="ta-IN")).to_have_count(1)  # the Tamil choice, in Tamil
    survivor.locator('.key[data-key="1"]').click()  # English
    expect(voice.last).to_contain_text("press 2")
    expect(survivor.locator(".msg.voice", has_text="Is it safe for you to talk now?")).to_have_count(1)
    survivor.locator('.key[data-key="1"]').click()  # safe to talk
    expect(survivor.locator(".msg.voice", has_text="How can we help?")).to_have_count(1)
    shot(sim, "simulator-call")
    survivor.get_by_role("button", name="Hang up").click()
    expect(survivor.locator(".msg.sys").last).to_contain_text("call ended")


def test_an_emergency_rings_the_counsellor_phone_and_she_takes_it_with_the_keypad(served, pages):
    from playwright.sync_api import expect

    server, svc = served
    sim = pages(server.url + "/simulator/", width=1240, height=860)
    send(sim, "survivor", "URGENT", answers=1)
    expect(phone(sim, "survivor").locator(".msg.them").last).to_contain_text("112")
    run_worker(svc, burst=True)  # the whole team at once, by SMS and by a call
    counsellor = phone(sim, "counsellor")
    counsellor.get_by_role("button", name="Answer").click()
    expect(counsellor.locator(".msg.voice .tag").first).to_contain_text("ta-IN")  # her alert, in Tamil
    with svc.store.session() as s:
        code = s.scalars(select(Escalation.code)).one()
    expect(counsellor.locator(".msg.voice").first).to_contain_text(code)
    counsellor.locator('.key[data-key="1"]').click()  # 1: take it
    expect(counsellor.locator(".msg.sys").last).to_contain_text("call ended")
    with svc.store.session() as s:
        assert s.scalars(select(Escalation.status)).one() == "acked"
    shot(sim, "simulator-alert-call")

"""In Chromium (as tests/test_browser.py runs it), on a phone (390x844) and on a desktop: what
the console's pages look like to the person using them (#33). A tick box sits on the line of
the words it ticks. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.store.models import Case, Escalation

from .test_browser import PHONE, browser, log_in, pages, served, shot  # noqa: F401 - fixtures

SIZES = {"phone": PHONE, "desktop": {"width": 1280, "height": 900}}

# each tick box (checkbox or radio) of the page, against the first line of its label's words:
# their vertical extents overlap, and the box is left of the words
BESIDE = """() => [...document.querySelectorAll('label input[type=checkbox], label input[type=radio]')]
  .filter(box => box.offsetParent !== null).map(box => {
    const text = [...box.parentElement.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
    const range = document.createRange();
    range.selectNodeContents(text);
    const words = range.getClientRects()[0], b = box.getBoundingClientRect();
    return {label: text.textContent.trim().slice(0, 40),
            beside: b.top < words.bottom && b.bottom > words.top && b.right <= words.left + 1};
  })"""


def a_case_with_an_alert(svc) -> int:
    at = svc.now() - timedelta(minutes=5)
    with svc.store.session() as s:
        case = Case(caller_key="k" * 32, contact=svc.store.seal("+919876543210"), lang="en", channel="sms",
                    status="open")
        s.add(case)
        s.flush()
        s.add(Escalation(case_id=case.id, code="53900", lang="en", status="open", created_at=at, risk="elevated"))
        return case.id


@pytest.mark.parametrize("size", SIZES)
def test_each_tick_box_sits_beside_its_words(served, pages, size):  # noqa: F811
    server, svc = served
    case_id = a_case_with_an_alert(svc)
    page = pages(server.url + "/console/", **SIZES[size])
    log_in(page, "Priya")
    for path, name in ((f"/console/cases/{case_id}", "checklist"), (f"/console/cases/{case_id}/dir", "dir-form")):
        page.goto(server.url + path)
        boxes = page.evaluate(BESIDE)
        shot(page, f"console-{name}-{size}")
        assert len(boxes) > 5 and [b for b in boxes if not b["beside"]] == [], (path, size)


# what a reader sees cut off: a table whose cells run past its edge or the screen's (before,
# Reports' tables and the orders' "Expires" were scrolled out of sight with no hint)
CUT_TABLES = """() => [...document.querySelectorAll('table')].filter(t => t.offsetParent !== null)
  .filter(t => t.scrollWidth > t.clientWidth + 1 || t.getBoundingClientRect().right > innerWidth + 0.5)
  .map(t => t.className)"""
# a date field's room for its date ("12/07/2" before), the calendar button besides
DATE_ROOM = """sel => {
  const input = document.querySelector(sel), style = getComputedStyle(input), probe = document.createElement('span');
  probe.style.font = style.font; probe.style.position = 'absolute'; probe.textContent = '00/00/0000';
  document.body.appendChild(probe);
  const need = probe.getBoundingClientRect().width + 20;
  probe.remove();
  return input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - need;
}"""
# the chart's axis text as drawn, in CSS pixels
AXIS_PX = """() => { const svg = document.querySelector('svg.chart');
  return parseFloat(svg.getAttribute('font-size')) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; }"""


@pytest.mark.parametrize("size", SIZES)
def test_nothing_is_clipped_on_the_plan_reports_and_orders(served, pages, size):  # noqa: F811
    from playwright.sync_api import expect

    from hotline.casework import orders

    server, svc = served
    case_id = a_case_with_an_alert(svc)
    orders.add(svc, None, case_id, "residence", "interim", "Judicial Magistrate Court No. 1, Madurai",
               applied_on="2026-11-02", decided_on="2026-11-20", expires_on="2027-01-10")
    page = pages(server.url + "/console/", **SIZES[size])
    log_in(page, "Priya")
    page.goto(server.url + "/console/plan")
    shot(page, f"console-plan-{size}")
    assert page.evaluate(DATE_ROOM, "input[name=week]") >= 0  # "Week of" shows its whole date
    page.goto(server.url + "/console/reports")
    shot(page, f"console-reports-{size}")
    assert page.evaluate(CUT_TABLES) == []
    assert page.evaluate(AXIS_PX) >= 10  # the chart's axis is read, not guessed
    if size == "phone":  # wider than the screen there: it scrolls, and the page says so
        expect(page.get_by_text("swipe it sideways")).to_be_visible()
    page.goto(f"{server.url}/console/cases/{case_id}/casework")
    shot(page, f"console-orders-{size}")
    assert page.evaluate(CUT_TABLES) == []
    expect(page.locator("table.orders td", has_text="2027-01-10")).to_be_in_viewport()

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

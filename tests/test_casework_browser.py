"""In Chromium (as tests/test_browser.py runs it): the coordinator writes a case's DIR in Tamil,
finalises it, downloads the PDF and records it as forwarded; the PDF's text is her Tamil words,
shaped, exactly as typed."""

from __future__ import annotations

from pathlib import Path

from .test_browser import browser, log_in, pages, served, shot  # noqa: F401 - fixtures
from .test_casework import HER_WORDS, her_case, pdf_text


def test_a_coordinator_writes_a_tamil_dir_finalises_downloads_and_forwards_it(served, pages):  # noqa: F811
    from playwright.sync_api import expect

    server, svc = served
    case_id = her_case(svc)
    page = pages(server.url + "/console/")
    log_in(page, "Priya")
    expect(page.get_by_role("link", name="Plan")).to_be_visible()
    page.goto(f"{server.url}/console/cases/{case_id}")
    page.get_by_role("link", name="Legal casework").click()
    page.get_by_role("link", name="Write a new DIR").click()
    page.get_by_label("தமிழ் (Tamil)").check()
    aggrieved = page.locator("#aggrieved")
    aggrieved.get_by_label("Name").fill("லட்சுமி")
    respondents = page.locator("#respondents")
    respondents.get_by_label("Name (respondent 1)").fill("ராஜேஷ்")
    respondents.get_by_label("Relationship to her (respondent 1)").fill("கணவர்")
    page.get_by_label("Dowry-related harassment").check()
    page.locator("textarea[name=incident_dowry_details]").fill(HER_WORDS)
    page.get_by_label("Protection order (section 18)").check()
    page.get_by_label("Protection Officer or service provider (name, registration)").fill("Meena, Sakhi Trust")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("button", name="Finalise").click()
    expect(page.get_by_text("The DIR is final.")).to_be_visible()
    shot(page, "casework-dir-final")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    words = pdf_text(Path(download.value.path()).read_bytes())
    assert HER_WORDS in words and "லட்சுமி" in words
    page.get_by_label("Sent to").select_option("magistrate")
    page.get_by_label("Who (office or person)").fill("Judicial Magistrate Court I, Madurai")
    page.get_by_role("button", name="Record the forwarding").click()
    expect(page.get_by_text("Magistrate: Judicial Magistrate Court I, Madurai")).to_be_visible()

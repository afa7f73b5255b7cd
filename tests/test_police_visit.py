"""A police visit another day keeps its day, and the NGO's alert names the district (#21)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.engine.answers import parse_visit_time

from .helpers import latest, run_worker, sent, text

RAMESH, MEENA = "+919840000005", "+919840000003"


@pytest.fixture
def hotline(make_app, sqlite_url):
    app = make_app(database_url=sqlite_url)
    return app.test_client(), app.extensions["hotline"]


def test_the_day_of_a_visit_time():
    assert parse_visit_time("10am", today="2026-11-30") == "10:00"
    assert parse_visit_time("10am", today="2026-11-30").more == {"date": "2026-11-30"}
    assert parse_visit_time("tomorrow 10am", today="2026-11-30").more == {"date": "2026-12-01"}
    assert parse_visit_time("10am", today="2026-11-30", said="tomorrow").more == {"date": "2026-12-01"}
    assert parse_visit_time("next monday 11am", today="2026-11-30").more == {"date": "2026-12-07"}  # a Monday
    assert parse_visit_time("friday 3pm", today="2026-11-30") == "15:00"
    assert parse_visit_time("friday 3pm", today="2026-11-30").more == {"date": "2026-12-04"}
    assert parse_visit_time("நாளை காலை 10", today="2026-11-30").more == {"date": "2026-12-01"}
    assert parse_visit_time("வெள்ளிக்கிழமை மாலை 4", today="2026-11-30").more == {"date": "2026-12-04"}
    assert parse_visit_time("whenever", today="2026-11-30") is None


@pytest.mark.parametrize("steps, days", [(["tomorrow", "10am"], 1), (["2", "tomorrow 10am"], 1),
                                          (["tomorrow 10am", "10am"], 1), (["2", "next monday 11am"], None)])
def test_a_visit_another_day_is_booked_on_that_day_and_the_alert_names_the_district(hotline, steps, days):
    client, svc = hotline
    for body in ("hi", "1", "madurai", *steps, "FIR 77", "1"):
        text(client, RAMESH, body)
    e = latest(svc)
    today = svc.staff.local(svc.now()).date()
    if days is None:
        day = today + timedelta(days=(0 - today.weekday()) % 7 or 7)
        hour = "11:00"
    else:
        day, hour = today + timedelta(days=days), "10:00"
    assert e.details["when"] == f"{day:%d/%m/%Y} {hour}"
    assert e.details["area"] == "madurai"  # the key, for the areas staff cover
    run_worker(svc, burst=True)
    alerts = [body for to, body in sent(svc) if to == MEENA]
    # Meena reads Tamil first: the district in Tamil letters, not "Madurai" inside Tamil (#33)
    assert alerts and "மதுரை மாவட்டம்" in alerts[0] and f"{day:%d/%m/%Y}" in alerts[0]
    assert "adurai" not in alerts[0]


def test_a_visit_now_is_asked_for_in_the_readers_words(hotline):
    """The NGO's alert in Tamil says the district and "now" in Tamil; in English, in English (#33)."""
    client, svc = hotline
    for body in ("hi", "1", "madurai", "1", "FIR 77", "1"):
        text(client, RAMESH, body)
    assert latest(svc).details["when"] == "now"
    run_worker(svc, burst=True)
    [alert] = [body for to, body in sent(svc) if to == MEENA]
    assert "மதுரை மாவட்டம், இப்போதே" in alert and "now" not in alert and "Madurai" not in alert
    e = latest(svc)
    from hotline.response.chain import alert_params

    assert alert_params(svc, e, "en")["what"] == "ask for an NGO representative in Madurai, now"

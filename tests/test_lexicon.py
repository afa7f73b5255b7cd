"""The lexicons (locales/<lang>/lexicon.yaml) and the one matcher that reads them; whole replies
within two SMS segments."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline import engine
from hotline.checks.catalog import reply_problems
from hotline.i18n.lexicon import fold, join, read_lexicon

ROOT = Path(__file__).resolve().parents[1]
WORDS = read_lexicon(ROOT / "locales")


def test_the_lexicons_read_without_problems():
    assert WORDS.problems == []
    assert len(WORDS.districts) == 38  # every district of Tamil Nadu


@pytest.mark.parametrize(("base", "ending", "word"), [
    ("மதுரை", "இல்", "மதுரையில்"), ("கரூர்", "இல்", "கரூரில்"), ("சென்னை", "க்கு", "சென்னைக்கு"),
    ("அவசரம்", "ஆ", "அவசரமா"),
])
def test_tamil_endings_are_joined_as_tamil_writes_them(base, ending, word):
    assert join(base, ending) == word


def test_tanglish_spellings_meet():
    assert fold("adikkiraan") == fold("adikiran") == fold("adhikiran") == "adikiran"
    assert fold("kazhuthu") == fold("kaluthu")


@pytest.mark.parametrize("said", ["அவசர உதவி", "avasaram", "he is beating me", "SOS", "save me",
                                  "mannennai oothitanga", "கொல்லப் போறேன்னு சொல்றான்", "avan adichitan"])
def test_danger_in_any_form(said):
    assert WORDS.shows(said, "danger")


@pytest.mark.parametrize("said", ["not urgent", "avasaram illa", "அவசரம் இல்லை", "அடிக்கடி போன் பண்றான்",
                                  "I am fine", "kolam podanum"])
def test_no_danger(said):
    assert not WORDS.shows(said, "danger")


@pytest.mark.parametrize(("said", "meant"), [("safe illa", "no"), ("பாதுகாப்பு இல்லை", "no"), ("ok but not safe", "no"),
                                             ("யாரும் இல்லை", "yes"), ("no problem", "yes"), ("aama", "yes"),
                                             ("maybe", None)])
def test_negation_beats_the_word_it_negates(said, meant):
    assert WORDS.yesno(said) == meant


def test_en_is_no_language_and_tanglish_is_tamil():
    assert WORDS.language_of("en purushan adikiran") == "ta"
    assert WORDS.language_of("en") is None
    assert WORDS.language_of("hello I need help") is None


def test_the_safe_word_typed_in_tamil_letters():
    assert WORDS.spelled("ரெசிபி", "recipe") and WORDS.spelled("ரெசிப்பி", "RECIPE")
    assert not WORDS.spelled("ரசம்", "recipe") and not WORDS.spelled("ரெசிபி வேணும்", "recipe")


def test_a_lexicon_problem_is_named_at_its_file_and_line(tmp_path):
    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "lexicon.yaml").write_text("danger: [help]\ndangr: [oops]\n", encoding="utf-8")
    (problem,) = read_lexicon(tmp_path).problems
    assert problem.line == 2 and 'unknown category "dangr"' in problem.message


def test_every_reply_as_sent_fits_two_segments_in_every_language():
    flows, _ = engine.load(ROOT / "flows")
    assert reply_problems(flows.flows, ROOT / "locales") == []


def test_a_reply_too_long_as_sent_is_named(tmp_path):
    text = (ROOT / "flows" / "survivor.yaml").read_text(encoding="utf-8")
    longer = text.replace('more_help: "Reply 0 for the menu."', 'more_help: "' + "Reply 0 for the menu. " * 12 + '"')
    (tmp_path / "survivor.yaml").write_text(longer, encoding="utf-8")
    flow, _ = engine.load_one(longer, str(tmp_path / "survivor.yaml"))
    problems = reply_problems({"survivor": flow}, ROOT / "locales")
    assert any("en reply" in p.message and "more_help" in p.message for p in problems)


def test_tomorrow_books_tomorrows_window_even_when_todays_is_still_ahead():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from hotline.response.windows import bounds

    zone, now = ZoneInfo("Asia/Kolkata"), datetime(2026, 1, 1, 4, 30, tzinfo=UTC)  # 10:00 in Chennai
    today, _ = bounds("16:00-18:00", now, zone)
    tomorrow, _ = bounds("16:00-18:00", now, zone, tomorrow=True)
    assert (tomorrow - today).days == 1

"""The typed answers of `ask` nodes (hotline/engine/answers.py): forgiving about form, strict about
meaning. An answer that cannot be read is None, and the node asks again rather than guess."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.engine.answers import (
    PARSERS,
    parse_district,
    parse_number,
    parse_phone,
    parse_text,
    parse_time,
    parse_time_window,
    parse_yesno,
)

DISTRICTS = {  # as in flows/survivor.yaml
    "chennai": ["Chennai", "Madras", "சென்னை"],
    "madurai": ["Madurai", "மதுரை"],
    "coimbatore": ["Coimbatore", "Kovai", "கோயம்புத்தூர்", "கோவை"],
    "tiruchirappalli": ["Tiruchirappalli", "Trichy", "Tiruchi", "திருச்சி", "திருச்சிராப்பள்ளி"],
}


def test_every_answer_type_has_a_parser():
    assert set(PARSERS) == {"text", "number", "yesno", "time", "visit_time", "time_window", "half_of_day", "phone", "district"}


# --- times ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("said", "time"), [
    ("5pm", "17:00"),
    ("5 pm", "17:00"),
    ("5 PM", "17:00"),
    ("5 p.m.", "17:00"),
    ("5.30 pm", "17:30"),
    ("5:30pm", "17:30"),
    ("17:00", "17:00"),
    ("17.45", "17:45"),
    ("9am", "09:00"),
    ("12pm", "12:00"),
    ("12am", "00:00"),
    ("at 5 in the evening", "17:00"),
    ("tomorrow morning 9", "09:00"),
    ("மாலை 5", "17:00"),          # evening 5
    ("இரவு 9", "21:00"),          # night 9
    ("காலை 10", "10:00"),         # morning 10
    ("மதியம் 3", "15:00"),         # afternoon 3
    ("மாலை ௫", "17:00"),          # Tamil digit five
    ("௧௭:௩௦", "17:30"),           # all in Tamil digits
])
def test_times(said, time):
    assert parse_time(said) == time


@pytest.mark.parametrize("said", [
    "", "   ", "soon", "whenever", "later today",
    "25:00", "17:75", "99",
    "2024",              # a year, not 20:24 nor 20:00
    "9840000001",        # a phone number is no time
])
def test_times_that_are_not_read(said):
    assert parse_time(said) is None


# --- time windows -------------------------------------------------------------------------------

@pytest.mark.parametrize(("said", "window"), [
    ("4-6pm", "16:00-18:00"),
    ("4 - 6 pm", "16:00-18:00"),
    ("4–6pm", "16:00-18:00"),                 # en dash
    ("4pm-6", "16:00-18:00"),                 # one pm for both ends
    ("4pm to 6pm", "16:00-18:00"),
    ("between 4 and 6 pm", "16:00-18:00"),
    ("between 4 and 6 in the evening", "16:00-18:00"),
    ("16:00-18:00", "16:00-18:00"),
    ("16.30-18.00", "16:30-18:00"),
    ("10am-12pm", "10:00-12:00"),
    ("10am-12", "10:00-12:00"),
    ("9-11 p.m.", "21:00-23:00"),
    ("மாலை 4 - 6", "16:00-18:00"),            # evening 4 - 6
    ("மாலை 4 முதல் 6 வரை", "16:00-18:00"),    # evening from 4 to 6
    ("மாலை ௪-௬", "16:00-18:00"),              # Tamil digits
    ("after 5pm", "17:00-19:00"),             # one time: two hours from then
    ("5pm", "17:00-19:00"),
    ("10pm", "22:00-23:00"),                  # not past midnight
])
def test_time_windows(said, window):
    assert parse_time_window(said) == window


@pytest.mark.parametrize("said", [
    "6-4",             # reversed: refused, not turned round
    "6pm-4pm",
    "6-4pm",
    "18:00-16:00",
    "5-5",             # empty
    "11pm",            # no two hours left in the day
    "2024-2026",       # years
    "whenever", "", "soon",
    "4-27",
])
def test_time_windows_that_are_refused(said):
    assert parse_time_window(said) is None


# --- yes / no -----------------------------------------------------------------------------------

@pytest.mark.parametrize("said", ["yes", "Yes!", "YES", "y", "yeah", "ok", "okay", "sure", "safe",
                                  "yes it is", "1", "ஆம்", "ஆமாம்", "சரி", "ஆமா", "௧"])
def test_yes(said):
    assert parse_yesno(said) == "yes"


@pytest.mark.parametrize("said", ["no", "No.", "n", "nope", "not safe", "unsafe", "2",
                                  "இல்லை", "இல்ல", "வேண்டாம்", "முடியாது", "௨"])
def test_no(said):
    assert parse_yesno(said) == "no"


@pytest.mark.parametrize("said", ["", "  ", "maybe", "3", "12", "what?", "perhaps yes", "தெரியாது"])
def test_neither_yes_nor_no(said):
    assert parse_yesno(said) is None


# --- numbers ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("said", "number"), [
    ("5", 5), (" 42 ", 42), ("0", 0), ("007", 7), ("123456789", 123456789),
    ("௫", 5), ("௧௨", 12), ("௪௮௨", 482),   # Tamil digits
    ("४२", 42),                             # any script's digits
])
def test_numbers(said, number):
    assert parse_number(said) == number


@pytest.mark.parametrize("said", ["", "five", "-3", "1,000", "1.5", "12 13", "1234567890", "5th"])
def test_not_numbers(said):
    assert parse_number(said) is None


# --- phone numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("said", "e164"), [
    ("98400 00001", "+919840000001"),             # Indian mobile, national form
    ("9840000001", "+919840000001"),
    ("09840000001", "+919840000001"),             # with the trunk 0
    ("98400-00001", "+919840000001"),
    ("+91 98400 00001", "+919840000001"),         # international forms
    ("+919840000001", "+919840000001"),
    ("0091 98400 00001", "+919840000001"),
    ("044 2345 6789", "+914423456789"),           # a Chennai landline
    ("(044) 2345-6789", "+914423456789"),
    ("௯௮௪௦௦ ௦௦௦௦௧", "+919840000001"),             # Tamil digits
    ("+44 20 7946 0958", "+442079460958"),        # abroad
    ("+1 415 555 2671", "+14155552671"),
])
def test_phone_numbers(said, e164):
    assert parse_phone(said, region="IN") == e164


@pytest.mark.parametrize("said", ["", "call me", "12345", "98400", "+91 12", "+999 1234567",
                                  "98400 00001 98400 00001 98400", "+44 20 7946"])
def test_invalid_phone_numbers(said):
    assert parse_phone(said, region="IN") is None


def test_phone_numbers_use_the_flows_region():
    assert parse_phone("020 7946 0958", region="GB") == "+442079460958"
    assert parse_phone("020 7946 0958", region="IN") != "+442079460958"


# --- districts ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("said", "district"), [
    ("Chennai", "chennai"), ("chennai", "chennai"), ("CHENNAI!", "chennai"), ("Madras", "chennai"),
    ("சென்னை", "chennai"), ("மதுரை", "madurai"), ("கோவை", "coimbatore"), ("Kovai", "coimbatore"),
    ("கோயம்புத்தூர்", "coimbatore"), ("திருச்சி", "tiruchirappalli"), ("Trichy", "tiruchirappalli"),
])
def test_districts(said, district):
    assert parse_district(said, districts=DISTRICTS) == district


@pytest.mark.parametrize("said", ["", "Bangalore", "பெங்களூர்", "Chen", "1"])
def test_unknown_districts(said):
    assert parse_district(said, districts=DISTRICTS) is None


def test_districts_come_from_the_lexicons_too():
    assert parse_district("Chennai") == "chennai"  # locales/*/lexicon.yaml: all 38 districts
    assert parse_district("Erode", districts={}) == "erode"
    assert parse_district("Bangalore") is None


# --- text ---------------------------------------------------------------------------------------

def test_text_is_kept_as_said_with_spaces_tidied():
    assert parse_text("  FIR   123/2026 \n Madurai ") == "FIR 123/2026 Madurai"
    assert parse_text("   ") is None
    assert len(parse_text("x" * 2000)) == 500


# --- nothing a caller types makes a parser fail ---------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(text=st.text(), name=st.sampled_from(sorted(PARSERS)), region=st.sampled_from(["IN", "GB", "US", "ZZ"]))
def test_no_parser_ever_raises(text, name, region):
    PARSERS[name](text, region=region, districts=DISTRICTS)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789௦௧௨௩௪௫௬௭௮௯:.-– apmகாலைமாலை"), max_size=20))
def test_times_and_windows_are_well_formed_when_read(text):
    time = parse_time(text)
    if time is not None:
        hours, minutes = map(int, time.split(":"))
        assert 0 <= hours <= 23 and 0 <= minutes <= 59
    window = parse_time_window(text)
    if window is not None:
        start, end = window.split("-")
        assert start < end

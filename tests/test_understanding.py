"""Understanding her words (#27), as she notices it: no alarm on an everyday message with a
danger-looking word, one neutral question before the emergency numbers when the danger is
possible, clear danger at once, her language kept; and floors on the figures `make eval`
reports, so that a change that makes them worse fails the suite."""

from __future__ import annotations

import pytest

from bench import understanding as u
from hotline import engine
from hotline.i18n import detect

AT = 1_767_761_400.0
FACTS = dict(u.FACTS)


def first(text: str) -> engine.Step:
    return engine.step(u.flows(), None, engine.Event(text=text, at=AT, lang=detect(text), facts=FACTS))


def then(state: dict, text: str) -> engine.Step:
    return engine.step(u.flows(), state, engine.Event(text=text, at=AT + 30, facts=FACTS))


def said(result: engine.Step) -> list[str]:
    return [o.get("msg") for o in result.outputs]


def priorities(result: engine.Step) -> list[str]:
    return [e.priority for e in result.effects if e.name == "escalate"]


@pytest.mark.parametrize("text", [
    "Need a good kitchen knife for cutting vegetables, which shop?",
    "amma blood test report vandhuchu, sugar normal thaan",
    "BGM oda beats semma, trailer la thala bloods vera level",
    "TV serial la villain kitta knife irundhuchu, semma scene",
    "Deepavali crackers vedikka pasanga ready, petrol bunk pakkam vendaam",
])
def test_an_everyday_message_with_a_danger_looking_word_raises_no_alarm(text):
    result = first(text)
    assert priorities(result) == []
    assert "emergency_raised" not in said(result)


def test_possible_danger_asks_first_and_alerts_high_then_emergency_on_a_no():
    result = first("avan kitta knife irukku")  # he has a knife: for the kitchen, or a threat
    assert priorities(result) == ["high"]
    assert said(result) == ["safe_right_now"]  # no emergency numbers on her screen yet
    after = then(result.state, "2")
    assert priorities(after) == ["emergency"]
    assert "emergency_raised" in said(after)


def test_possible_danger_and_safe_now_goes_on_without_the_numbers():
    result = first("he left blood on the floor")
    assert priorities(result) == ["high"]
    after = then(result.state, "yes")
    assert priorities(after) == [] and "emergency_raised" not in said(after)


@pytest.mark.parametrize("text", ["kayiru katti vechiten, thookku maatika poren",
                                  "poochi marundhu kudikka poren, yaarum thedaadheenga",
                                  "vettiruven nu solraan, veliya nikkiraan"])
def test_clear_danger_escalates_at_once_with_the_numbers(text):
    result = first(text)
    assert priorities(result) == ["emergency"]
    assert "emergency_raised" in said(result)


def test_a_possible_danger_word_with_nobody_named_asks_without_paging_anyone():
    result = first("smell of petrol all over the house")  # whose doing? she is asked
    assert priorities(result) == [] and said(result) == ["safe_right_now"]
    after = then(result.state, "illa")
    assert priorities(after) == ["emergency"] and "emergency_raised" in said(after)


def test_an_english_first_message_with_words_tanglish_borrows_is_answered_in_english():
    # "post" and "photos" are in Tamil phrases of the lexicon too; the letters say English
    result = first("He threatened to post my private photos online if I file for divorce")
    assert result.lang == "en"


def test_an_english_speaker_who_writes_husband_and_want_is_answered_in_english():
    chosen = first("hi")
    chosen = then(chosen.state, "1")  # English
    result = then(chosen.state, "my husband beats me, i want to talk to someone")
    assert result.lang == "en"
    assert priorities(result) == ["emergency"]


# -- floors on the REPORT figures (docs/understanding.md): raise them as the line gets better -----

@pytest.fixture(scope="module")
def danger():
    return u.danger_figures(u.first_contact("report"))


def test_floor_danger_on_the_report_part(danger):
    assert danger.escalated_recall >= 0.57  # at docs/understanding.md's date: 57.8%
    assert danger.reached_recall >= 0.66  # an escalation, or the question "are you safe?": 66.7%
    assert danger.escalated_precision >= 0.88  # 90.0%
    assert danger.false_escalation <= 0.05  # 4.8%
    assert danger.numbers_on_none <= 0.03  # 2.4%


def test_floor_real_comments_rarely_escalate():
    figures = u.codemix_figures(u.codemix("report"))
    assert figures.escalated <= 3 and figures.total == 492  # 3 of 492 (the full dev file: 15 of 4,398)
    assert figures.emergencies <= 3  # 3 today


@pytest.mark.parametrize("text", ["counsellor venum", "enaku help venum", "ஆலோசகர் வேணும்"])
def test_asking_for_a_counsellor_in_her_own_words_at_the_menu_brings_one(text):
    at_menu = then(then(first("hi").state, "1").state, "1").state  # English, safe to talk: the menu
    assert at_menu["node"] == "main_menu"
    assert "counsellor_coming" in said(then(at_menu, text))


def at_safe_to_talk() -> dict:
    state = then(first("hi").state, "1").state  # English chosen: "Is it safe for you to talk now?"
    assert state["node"] == "safe_to_talk"
    return state


@pytest.mark.parametrize("text", ["avanga amma inga dhaan irukkaanga", "illeenga", "இல்லீங்க", "👎"])
def test_not_safe_to_talk_in_her_words_is_never_taken_for_yes(text):
    # "amma" (his mother is here) folds like "aama" (yes): it took her to the menu
    result = then(at_safe_to_talk(), text)
    assert result.node != "main_menu"
    if text != "avanga amma inga dhaan irukkaanga":
        assert "unsafe_tips" in said(result)


@pytest.mark.parametrize("text", ["👍", "haan", "free ah irukken"])
def test_a_short_yes_is_heard(text):
    assert then(at_safe_to_talk(), text).node == "main_menu"


@pytest.mark.parametrize("text, district", [
    ("Madurai illa, Dindigul", "dindigul"),  # a district she says she is not in is not hers
    ("Chennai la irundhen, ippo Madurai la", "madurai"),  # of two, where she is now
    ("Ambur la irukken", "tirupathur"),  # a town, in its district since the 2019 split
    ("வேளச்சேரில இருக்கேன்", "chennai"),
    ("theni kadichiduchu", None),  # a bee stung her: no district
    ("nagai ellam avan eduthuttan", None),  # he took all the jewellery
])
def test_her_district_in_her_words(text, district):
    from hotline.engine.answers import parse_district

    assert parse_district(text) == district


def at_ask_window() -> dict:
    state = then(then(then(first("hi").state, "1").state, "1").state, "3").state  # the menu's call-back
    assert state["node"] == "ask_window_sms"
    return state


def test_a_call_back_on_a_day_past_tomorrow_is_not_booked_for_today():
    # it is Wednesday (FACTS): "Friday 4pm" booked for today 16:00 would ring while he may be home
    result = then(at_ask_window(), "Friday 4pm")
    assert not [m for m in said(result) if m and m.startswith("callback_booked")]
    assert not [e for e in result.effects if e.name == "schedule_callback"]


@pytest.mark.parametrize("text", ["tomorrow 10-12am", "Thursday 5pm"])
def test_a_call_back_for_tomorrow_in_her_words_is_booked_for_tomorrow(text):
    # "tomorrow 10-12am" is the question's own example; Thursday is tomorrow on a Wednesday
    result = then(at_ask_window(), text)
    assert "callback_booked_tomorrow" in said(result)


def test_floor_no_call_back_is_booked_for_a_day_she_did_not_give():
    assert u.answer_figures(u.answers("report")).wrong_day == 0


def test_an_english_no_negates_what_follows_it():
    # the lexicon's bare `no` was read by YAML as False: "no danger" raised an emergency
    result = first("no danger, just want some information")
    assert priorities(result) != ["emergency"] and "emergency_raised" not in said(result)


def test_floor_her_language_and_her_answers_on_the_report_part(danger):
    tanglish = [got == lang for script, lang, got in danger.lang_pairs if script == "latin" and lang == "ta"]
    english = [got == lang for _, lang, got in danger.lang_pairs if lang == "en"]
    assert sum(tanglish) / len(tanglish) >= 0.95  # 99.0% (77.5% before #27)
    assert sum(english) / len(english) >= 0.92  # 96.2% (84.6%)
    figures = u.answer_figures(u.answers("report"))
    right, of = figures.right["safe_to_talk"]
    assert right / of >= 0.73  # 73.6% (67.9%)
    right, of = figures.right["district"]
    assert right / of >= 0.82  # 82.4% (61.8%)
    right, of = figures.right["callback_time"]
    assert right / of >= 0.38  # 38.1% (33.3%)
    right, of = figures.right["police_visit_when"]
    assert right / of >= 0.72  # 72.2% (61.1%)
    right, of, _ = u.menu_figures(u.answers("report"))
    assert right / of >= 0.41  # 41.4% (27.6%)


def test_a_part_of_the_day_alone_is_its_window_but_not_when_it_names_when_he_is_home():
    assert "callback_booked" in said(then(at_ask_window(), "saayangalam"))  # evening, today (it is 10:30)
    assert not [m for m in said(then(at_ask_window(), "saayangalam avar veetuku varuvaar"))
                if m and m.startswith("callback_booked")]  # "in the evening he comes home"


@pytest.mark.parametrize("text, at, day", [
    ("naalai illa, naalanniki kaalai 10", "10:00", "2026-01-09"),  # not tomorrow: the day after
    ("10 mani illa, 11 mani ku vaanga", "11:00", "2026-01-07"),  # not 10: 11
    ("Monday morning", "08:00", "2026-01-12"),
])
def test_the_officer_s_visit_time_in_his_words(text, at, day):
    from hotline.engine.answers import parse_visit_time

    got = parse_visit_time(text, today="2026-01-07")
    assert (got, got.more["date"]) == (at, day)


def test_on_a_call_possible_danger_asks_and_a_no_puts_her_through():
    facts = {**FACTS, "channel": "voice"}
    result = engine.step(u.flows(), None, engine.Event(text="he is drunk, there is blood", at=AT, facts=facts))
    assert priorities(result) == ["high"] and "safe_right_now" in said(result)
    after = engine.step(u.flows(), result.state, engine.Event(text="2", at=AT + 30, facts=facts))
    assert priorities(after) == ["emergency"]
    assert "voice_emergency_connecting" in said(after)  # a counsellor is on shift: put through


@pytest.mark.parametrize("text", ["recipie", "Receipe", "resipi"])
def test_the_safe_word_misspelt_in_haste_still_ends_everything(text):
    result = then(at_safe_to_talk(), text)  # FACTS: the safe word is "recipe"
    assert result.forgotten and said(result) == ["innocuous"]

"""Languages the gettext way: the flows extractor, the catalogs, detection, locale formatting,
voices, and the catalog lint of `hotline flows check`."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from babel import Locale
from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from hotline import engine
from hotline.channels import sms as sms_channel
from hotline.channels import voice as voice_channel
from hotline.checks import catalog as lint
from hotline.i18n import Catalog, detect, gsm
from hotline.i18n.catalog import OWN
from hotline.i18n.extract import extract_flows
from hotline.i18n.formatting import format_value, language_name
from hotline.i18n.languages import Languages
from hotline.privacy.phones import caller_key

from .cli import cli
from .helpers import messages, sms_form

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
SURVIVOR = "+919876543210"
CALL = "CA" + "7" * 32


def tool(name: str) -> list[str]:
    script = Path(sys.executable).with_name(name)
    return [str(script)] if script.exists() else [sys.executable, "-m", f"hotline.{name}"]


def pybabel(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("pybabel")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "babel.messages.frontend"]
    return subprocess.run(command + list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


def hotline(monkeypatch, *args: str):
    """`hotline ARGS…` in this process (click's CliRunner), from the repository's root as a person
    runs it (paths below it are shown relative). tests/test_flow_checks.py runs the real console
    script on the shipped flows and on a broken one: its exit status and streams."""
    monkeypatch.chdir(ROOT)
    return cli(*args)


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# -- the extractor ----------------------------------------------------------------------------

def test_pybabel_extract_collects_the_flows_with_lines_and_translator_comments(tmp_path):
    pot = tmp_path / "messages.pot"
    done = pybabel("extract", "-F", "babel.cfg", "-o", str(pot), "--no-wrap", ".", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    catalog = read_po(io.BytesIO(pot.read_bytes()))
    survivor = ROOT / "flows" / "survivor.yaml"

    main_menu = catalog.get("How can we help?", "survivor.main_menu")
    assert main_menu is not None
    assert ("flows/survivor.yaml", line_of(survivor, "  main_menu: ")) in main_menu.locations

    booked = next(m for m in catalog if m.context == "survivor.callback_booked")
    assert booked.locations == [("flows/survivor.yaml", line_of(survivor, "  callback_booked: "))]
    assert any("{window} is a time of day" in c for c in booked.auto_comments)  # the YAML comment above it

    # the same English in two flows stays two messages: the context tells them apart
    assert catalog.get("Sorry, we did not understand.", "police.not_understood")
    assert catalog.get("Sorry, we did not understand.", "survivor.not_understood")
    # the hotline's own texts, a plural among them, the escalation's texts too
    assert catalog.get("{key} - {label}", "hotline.sms_choice")
    reminder = next(m for m in catalog if m.context == "hotline.alert_reminder")
    assert isinstance(reminder.id, tuple) and reminder.id[1].endswith("{count} minutes. Reply ACK {code} to take it.")
    texts = ROOT / "hotline" / "i18n" / "texts.yaml"
    assert reminder.locations == [("hotline/i18n/texts.yaml", line_of(texts, "  alert_reminder:"))]
    assert catalog.get("asks for a counsellor", "hotline.esc_what_counsellor")
    # nothing from the transcripts: they are tests, not things the hotline says
    assert not any(loc[0].startswith("flows/tests/") for m in catalog for loc in m.locations)


FLOW = """\
flow: tiny
spec: 1
start: ask
messages:
  # Said first.
  # Keep it short.
  hello: "Hello, {name}."

  bye: "Goodbye."
nodes:
  ask:
    kind: end
    say: [hello, bye]
"""


def test_the_extractor_through_the_babel_api(tmp_path):
    found = list(extract("flows", io.BytesIO(FLOW.encode()), comment_tags=()))
    assert found == [(7, "Hello, {name}.", ["Said first. Keep it short."], "tiny.hello"),
                     (9, "Goodbye.", [], "tiny.bye")]
    assert list(extract_flows(io.BytesIO(b"flow: [unclosed"), (), (), {})) == []  # broken YAML: nothing

    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "tiny.yaml").write_text(FLOW, encoding="utf-8")
    from_dir = list(extract_from_dir(str(tmp_path), method_map=[("flows/*.yaml", "flows")]))
    assert [(f, line, msg, ctx) for f, line, msg, _, ctx in from_dir] == [
        ("flows/tiny.yaml", 7, "Hello, {name}.", "tiny.hello"), ("flows/tiny.yaml", 9, "Goodbye.", "tiny.bye")]


# -- the catalogs -----------------------------------------------------------------------------

def shipped_messages() -> list[lint.Message]:
    flows, problems = engine.load(ROOT / "flows")
    assert not problems
    return lint.flow_messages(flows.flows) + lint.own_messages(ROOT)


def test_english_and_tamil_are_complete_and_the_lint_is_clean():
    flows, _ = engine.load(ROOT / "flows")
    assert lint.lint(flows.flows, LOCALES) == []
    ta = read_po(io.BytesIO((LOCALES / "ta" / "LC_MESSAGES" / "messages.po").read_bytes()), locale="ta")
    for message in shipped_messages():
        held = ta.get(message.forms[0], message.context)
        assert held is not None and all(held.string if isinstance(held.string, tuple) else [held.string]), message
        assert not held.fuzzy


@pytest.mark.parametrize("lang", ["en", "ta"])
def test_each_committed_mo_is_its_po_compiled(lang):
    """The .mo files are committed: one that lags behind its .po (fuzzy entries aside, which no
    .mo holds) fails here. Fix: pybabel compile -d locales."""
    po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(po.read_bytes()), locale=lang)
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    committed = read_mo(io.BytesIO(po.with_suffix(".mo").read_bytes()))
    compiled = read_mo(fresh)

    def held(cat):
        return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)): m.string for m in cat if m.id}

    assert held(committed) == held(compiled)
    assert lint.mo_problem(po, lang) is None


def test_every_translation_keeps_the_placeholders_of_its_english():
    ta = read_po(io.BytesIO((LOCALES / "ta" / "LC_MESSAGES" / "messages.po").read_bytes()), locale="ta")
    names = re.compile(r"{(\w+)}")
    for message in ta:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(names.findall(string)) == set().union(*(names.findall(i) for i in ids)), message.context


def test_every_tamil_sms_text_fits_in_two_segments():
    ta = read_po(io.BytesIO((LOCALES / "ta" / "LC_MESSAGES" / "messages.po").read_bytes()), locale="ta")
    for message in ta:
        # casework.*: printed (the DIR, the outreach card) or shown in the console, never an SMS;
        # whatsapp_*: sent on WhatsApp alone, where there are no segments
        if message.id and not (message.context or "").startswith(("hotline.voice_", "hotline.esc_voice",
                                                                  "casework.")) \
                and not (message.context or "").partition(".")[2].startswith("whatsapp_"):
            for string in message.string if isinstance(message.string, tuple) else (message.string,):
                assert gsm.units(string)[0] == "ucs2" or string.isascii()
                assert gsm.segments(string) <= 2, (message.context, len(string))


def test_tamil_texts_come_from_the_catalog_and_placeholders_are_filled():
    catalog = Catalog()
    assert catalog.own("error_reply", "ta").startswith("மன்னிக்கவும்")
    assert catalog.own("error_reply", "en").startswith("Sorry")
    assert catalog.own("error_reply", "xx") == catalog.own("error_reply", "en")  # no catalog: English
    flows, _ = engine.load(ROOT / "flows")
    tips = {"type": "say", "flow": "survivor", "msg": "whatsapp_tips",
            "default": flows.get("survivor").message("whatsapp_tips"), "params": {}}
    assert "RECIPE என்று அனுப்பினால்" in catalog.output(tips, "ta", {"safe_word": "RECIPE"})
    assert "48213" in catalog.own("done_none_left", "ta", code=48213) and catalog.own(
        "done_none_left", "ta", code=48213) != catalog.own("done_none_left", "en", code=48213)


def test_plural_forms_follow_babels_rule_for_tamil():
    translations = Translations.load(str(LOCALES), ["ta"], domain="messages")
    assert translations.plural(1) == 0 and translations.plural(5) == 1 and translations.plural(0) == 1
    catalog = Catalog()
    one = catalog.own("alert_reminder", "ta", count=1, code=482)
    many = catalog.own("alert_reminder", "ta", count=5, code=482)
    assert "1 நிமிடமாக" in one and "5 நிமிடங்களாக" in many
    assert catalog.own("alert_reminder", "en", count=1, code=7).startswith("Reminder: alert 7 () has waited 1 minute.")
    urgent = catalog.own("alert_reminder", "en", count=3, code=7, urgent=catalog.own("esc_urgent", "en"),
                         what=catalog.own("esc_what_emergency", "en"))
    assert urgent.startswith("URGENT! Reminder: alert 7 (needs help now)")  # the priority first
    assert "has waited 2 minutes" in catalog.own("alert_reminder", "en", count=2, code=7)


# -- choosing the language --------------------------------------------------------------------

def test_detection_by_script_and_by_keyword():
    assert detect("வணக்கம், எனக்கு உதவி வேண்டும்") == "ta"
    assert detect("தமிழ்") == "ta"
    assert detect("Tamil please") == "ta"
    assert detect("TAMIL") == "ta"
    assert detect("english") == "en"
    assert detect("hello") is None and detect("") is None and detect(None) is None
    assert detect("ok ok அவசரம்") == "ta"  # mostly Tamil letters


def test_a_first_sms_in_tamil_is_answered_in_tamil_and_remembered_for_the_number(make_app, redis_client):
    client = make_app().test_client()

    def say(body):
        (text,) = messages(client.post("/twilio/sms", data=sms_form(SURVIVOR, body)).get_data(as_text=True))
        return text

    first = say("வணக்கம், எனக்கு உதவி வேண்டும்")
    assert first.startswith("இப்போது நீங்கள் பேசுவது பாதுகாப்பானதா?")
    assert "1 - ஆம்" in first and "2 - இல்லை" in first
    assert say("ஆம்").startswith("எப்படி உதவலாம்?")
    assert say("5").startswith("பத்திரமாக இருங்கள்")  # the end: goodbye in Tamil ("take care")

    key = caller_key(SURVIVOR, "test-secret")
    assert redis_client.get(f"hotline:lang:{key}") == b"ta"  # under the keyed hash, never the number
    assert not any(b"9876543210" in k for k in redis_client.keys("*"))
    again = say("hello")  # the next conversation: her language is remembered
    assert again.startswith("வணக்கம்") and "2 - தமிழ்" in again and "1 - English" in again


def test_a_tamil_keyword_as_a_first_sms_picks_tamil(make_app):
    client = make_app().test_client()
    (text,) = messages(client.post("/twilio/sms", data=sms_form(SURVIVOR, "tamil")).get_data(as_text=True))
    assert text.startswith("இப்போது நீங்கள் பேசுவது பாதுகாப்பானதா?")
    (text,) = messages(client.post("/twilio/sms", data=sms_form(SURVIVOR, "english")).get_data(as_text=True))
    assert text.startswith("Is it safe for you to talk now?")  # and she can switch at any time


def voice(client, path, **form):
    reply = client.post(path, data={"From": SURVIVOR, "To": "+914400000000", "CallSid": CALL, **form})
    assert reply.status_code == 200
    return ElementTree.fromstring(reply.get_data(as_text=True))


def test_the_voice_language_menu_speaks_each_option_in_its_own_language(make_app):
    client = make_app().test_client()
    menu = voice(client, "/twilio/voice")
    says = {s.text: s.attrib for s in menu.iter("Say")}
    assert says["For English, press 1."]["voice"] == "Google.en-IN-Standard-A"
    tamil = next(text for text in says if "தமிழ்" in text)
    assert says[tamil]["voice"] == "Google.ta-IN-Standard-A" and says[tamil]["language"] == "ta-IN"
    assert "2" in tamil
    assert menu.find("Gather").get("numDigits") == "1"  # a keypad menu

    safe = voice(client, "/twilio/voice/gather?n=1", Digits="2")
    gather = safe.find("Gather")
    assert gather.get("language") == "ta-IN" and gather.get("input") == "dtmf speech"
    texts = [s.text for s in gather.iter("Say")]
    assert texts[0] == "இப்போது நீங்கள் பேசுவது பாதுகாப்பானதா?"
    assert all(s.get("voice") == "Google.ta-IN-Standard-A" for s in gather.iter("Say"))


def test_a_language_without_speech_recognition_or_voice_falls_back_to_keypad_and_recordings(tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    (locales / "languages.yaml").write_text(
        "region: IN\nsource: en\nlanguages:\n"
        "  en: {say: {voice: Google.en-IN-Standard-A, language: en-IN}, speech: en-IN}\n"
        "  ta: {say: {voice: Google.ta-IN-Standard-A, language: ta-IN}}\n"   # no speech recognition
        "  hi: {audio_url: 'https://audio.example.org/hi/'}\n", encoding="utf-8")  # no voice at all
    shutil.copytree(locales / "en", locales / "hi")
    flows, _ = engine.load(ROOT / "flows")
    catalog = Catalog(locales)

    def prompt(lang):
        result = engine.step(flows, None, engine.Event(text=None, lang=lang, facts={"channel": "voice"}))
        result = engine.step(flows, result.state, engine.Event(text="2" if lang == "ta" else "1", facts={}))
        plan = voice_channel.plan(result.outputs, lang, catalog, {})
        return ElementTree.fromstring(voice_channel.twiml(plan, "/next"))

    keypad = prompt("ta").find("Gather")
    assert keypad.get("input") == "dtmf" and keypad.find("Say").get("voice") == "Google.ta-IN-Standard-A"

    plan = voice_channel.plan([{"type": "prompt", "flow": "survivor", "msg": "safe_to_talk", "default": "Is it safe?",
                                "params": {}, "answer": "menu", "choices": []}], "hi", catalog, {})
    played = ElementTree.fromstring(voice_channel.twiml(plan, "/next"))
    assert [p.text for p in played.iter("Play")] == ["https://audio.example.org/hi/survivor.safe_to_talk.mp3"]
    assert played.find("Gather").get("input") == "dtmf"

    # the lint names the recordings a call in Hindi would miss, at the line of each message
    (tmp_path / "flows").mkdir()
    for flow in (ROOT / "flows").glob("*.yaml"):
        shutil.copy(flow, tmp_path / "flows" / flow.name)
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    problems = [str(p) for p in lint.lint(flows.flows, locales, root=ROOT)]
    survivor = ROOT / "flows" / "survivor.yaml"
    line = line_of(survivor, "  safe_to_talk: ")
    assert any(p.startswith(f"{lint.shown(survivor)}:{line}: no recording of \"survivor.safe_to_talk\" for hi")
               for p in problems), problems
    (locales / "hi" / "audio").mkdir()
    (locales / "hi" / "audio" / "survivor.safe_to_talk.mp3").write_bytes(b"ID3")
    assert not any("survivor.safe_to_talk\" for hi" in str(p) for p in lint.lint(flows.flows, locales, root=ROOT))


def test_a_third_language_needs_only_a_catalog(tmp_path):
    locales = tmp_path / "locales"
    (locales / "hi" / "LC_MESSAGES").mkdir(parents=True)
    (locales / "languages.yaml").write_text("languages: {}\n", encoding="utf-8")
    po = locales / "hi" / "LC_MESSAGES" / "messages.po"
    from babel.messages.catalog import Catalog as POCatalog

    hindi = POCatalog(locale="hi")
    hindi.add("Is it safe for you to talk now?", "क्या अभी बात करना सुरक्षित है?", context="survivor.safe_to_talk")
    with open(po, "wb") as fh:
        write_po(fh, hindi)
    with open(po.with_suffix(".mo"), "wb") as fh:
        write_mo(fh, hindi)

    langs = Languages(locales)
    assert langs.codes == ["en", "hi"]
    assert langs.get("hi").name == "हिन्दी" and langs.get("hi").script == "DEVANAGARI"
    assert langs.detect("मुझे मदद चाहिए") == "hi" and langs.detect("hindi") == "hi"
    assert langs.detect("hi there") is None  # the code itself is no keyword: "hi" is a greeting
    catalog = Catalog(locales)
    assert catalog.text("survivor.safe_to_talk", "Is it safe for you to talk now?", "hi") == "क्या अभी बात करना सुरक्षित है?"
    # a language choice labelled in its own language by Babel when its catalog has no label
    menu = {"type": "prompt", "flow": "survivor", "msg": "choose_language", "default": "Choose a language.",
            "params": {}, "answer": "menu",
            "choices": [{"key": "1", "msg": "lang_en", "default": "English", "lang": "en"},
                        {"key": "3", "msg": "lang_hi", "default": "Hindi", "lang": "hi"}]}
    assert sms_channel.render([menu], "en", catalog).splitlines() == ["Choose a language.", "1 - English", "3 - हिन्दी"]


# -- locale formatting ------------------------------------------------------------------------

def test_a_callback_window_is_written_as_the_callers_locale_writes_it():
    """CLDR decides how a locale writes a time (its releases move "pm" to "PM" and back), so
    this asserts what she must be able to read: her hours, the locale's own am/pm word, the
    date's parts, and plain GSM-7 characters — never one release's exact string."""
    def meridiem(tag: str, which: str) -> str:
        return Locale.parse(tag).day_periods["format"]["abbreviated"][which]

    catalog = Catalog()
    flows, _ = engine.load(ROOT / "flows")
    booked = {"type": "say", "flow": "survivor", "msg": "callback_booked",
              "default": flows.get("survivor").message("callback_booked"), "params": {"window": "16:00-18:00"}}
    english = catalog.output(booked, "en")
    assert english.startswith(f"A counsellor will call you today, 4-6 {meridiem('en', 'pm')}.")
    assert gsm.is_gsm7(english)  # Babel's thin spaces and en dash would make it UCS-2
    tamil = catalog.output(booked, "ta")
    # Tamil names the part of the day in Tamil (the lexicon's parts_of_day), no Latin PM
    assert tamil.startswith("இன்று மாலை 4-6 மணிக்குள் ஒரு ஆலோசகர் அழைப்பார்.")
    assert meridiem("ta_IN", "pm") not in tamil
    window = catalog.own("esc_what_callback", "en", code=12, language="Tamil", window="09:30-11:00")
    assert window.endswith(f"between 9:30 - 11:00 {meridiem('en', 'am')}")

    pm, am = meridiem("en_IN", "pm"), meridiem("en_IN", "am")
    assert format_value("15:30", "en_IN") == f"3:30 {pm}"
    assert format_value("10:00-12:00", "en_IN") == f"10 {am} - 12 {pm}"
    assert format_value("2026-03-05", "ta_IN").startswith("5 மார்ச்") and "2026" in format_value("2026-03-05", "ta_IN")
    assert format_value("2026-03-05", "en_IN") == "5 March 2026"
    assert format_value(date(2026, 3, 5), "en") == "March 5, 2026"
    moment = format_value(datetime(2026, 3, 5, 15, 30), "en_IN")
    assert moment.startswith("5 Mar 2026") and moment.endswith(f"3:30 {pm}")
    assert format_value(time(9), "ta_IN") == "காலை 9 மணி"
    assert format_value("21:00-23:00", "ta_IN") == "இரவு 9-11 மணி"
    assert format_value("11:00-13:00", "ta_IN") == "காலை 11 - மதியம் 1 மணி"
    for value in ("15:30", "10:00-12:00", "16:00-18:00", datetime(2026, 3, 5, 15, 30)):
        assert gsm.is_gsm7(format_value(value, "en_IN"))
    assert format_value("chennai", "ta_IN") == "chennai" and format_value(482, "ta_IN") == 482


def test_language_names_come_from_babel_in_their_own_language():
    assert language_name("ta") == "தமிழ்"
    assert language_name("en") == "English"
    assert language_name("ta", "en") == "Tamil"
    assert language_name("en", "ta") == "ஆங்கிலம்"
    assert Catalog().language_name("ta") == "தமிழ்"


# -- SMS segments -----------------------------------------------------------------------------

def test_sms_segments_gsm7_and_ucs2():
    assert gsm.segments("a" * 160) == 1 and gsm.segments("a" * 161) == 2
    assert gsm.segments("a" * 306) == 2 and gsm.segments("a" * 307) == 3
    assert gsm.segments("€" * 80) == 1 and gsm.segments("€" * 81) == 2  # extension characters: two septets
    assert gsm.segments("த" * 70) == 1 and gsm.segments("த" * 71) == 2
    assert gsm.segments("த" * 134) == 2 and gsm.segments("த" * 135) == 3
    assert gsm.segments("a" * 100 + "–") == 2  # one en dash: the whole text is UCS-2
    assert gsm.limit("hello") == 306 and gsm.limit("வணக்கம்") == 134


# -- the lint ---------------------------------------------------------------------------------

LINT_FLOW = """\
flow: tiny
spec: 1
start: ask
languages: [en, ta]
messages:
  hello: "Hello, {name}. Your code is {code}."
  long: "{long}"
  missing: "Nobody translated this."
  changed: "The new English."
  fuzzy: "Not sure yet."
  ok: "Fine."
nodes:
  ask:
    kind: end
    say: [hello, long, missing, changed, fuzzy, ok]
""".replace('"{long}"', '"' + "Help is near. " * 25 + '"')

LINT_PO = """\
msgid ""
msgstr ""
"Language: ta\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgctxt "tiny.hello"
msgid "Hello, {name}. Your code is {code}."
msgstr "வணக்கம் {nam}. உங்கள் எண் {code}."

msgctxt "tiny.long"
msgid "LONG"
msgstr "TAMIL_LONG"

msgctxt "tiny.changed"
msgid "The old English."
msgstr "பழைய மொழிபெயர்ப்பு."

#, fuzzy
msgctxt "tiny.fuzzy"
msgid "Not sure yet."
msgstr "இன்னும் தெரியவில்லை."

msgctxt "tiny.ok"
msgid "Fine."
msgstr "சரி."
""".replace("TAMIL_LONG", "உதவி அருகில் உள்ளது. " * 8).replace("LONG", "Help is near. " * 25)


def lint_project(tmp_path: Path) -> tuple[Path, Path, Path]:
    flows = tmp_path / "flows"
    flows.mkdir()
    flow = flows / "tiny.yaml"
    flow.write_text(LINT_FLOW, encoding="utf-8")
    (tmp_path / "babel.cfg").write_text("[flows: flows/*.yaml]\n", encoding="utf-8")
    po = tmp_path / "locales" / "ta" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(LINT_PO, encoding="utf-8")
    (tmp_path / "locales" / "languages.yaml").write_text(
        "languages:\n  ta: {say: {voice: Google.ta-IN-Standard-A, language: ta-IN}, speech: ta-IN}\n", encoding="utf-8")
    old = read_po(io.BytesIO(LINT_PO.replace("சரி.", "பரவாயில்லை.").encode()), locale="ta")
    with open(po.with_suffix(".mo"), "wb") as fh:
        write_mo(fh, old)  # compiled before the last edit of the .po
    return flow, po, po.with_suffix(".mo")


def test_the_lint_names_each_catalog_problem_with_its_file_and_line(tmp_path, monkeypatch):
    flow, po, mo = lint_project(tmp_path)
    done = hotline(monkeypatch, "flows", "check", str(tmp_path / "flows"))
    output = done.stdout
    assert done.exit_code == 1, output + done.stderr
    lines = output.splitlines()

    def has(prefix: str, *words: str) -> None:
        assert any(line.startswith(prefix) and all(w in line for w in words) for line in lines), (prefix, words, output)

    # a catalog's problem is named at the msgid line of its entry (the line after msgctxt)
    po_line = {ctx: n + 1 for n, text in enumerate(LINT_PO.splitlines(), 1)
               for ctx in [m.group(1) for m in [re.match(r'msgctxt "(.+)"', text)] if m]}
    flow_line = {name: line_of(flow, f"  {name}: ") for name in ("hello", "long", "missing", "changed")}

    has(f"{flow}:{flow_line['missing']}:", '"tiny.missing"', "missing from", str(po))
    has(f"{flow}:{flow_line['changed']}:", '"tiny.changed"', "changed", "pybabel update")
    has(f"{po}:{po_line['tiny.fuzzy']}:", "fuzzy")
    has(f"{po}:{po_line['tiny.hello']}:", '"tiny.hello"', "lacks {name}", "has {nam}")
    has(f"{flow}:{flow_line['long']}:", "English", "GSM-7", "3 SMS segments", "at most 306")
    has(f"{po}:{po_line['tiny.long']}:", "ta text", "UCS-2", "at most 134")
    has(f"{mo}:1:", "differs from messages.po", "pybabel compile")
    assert not any('"tiny.ok"' in line for line in lines)

    # compiled again, the .mo is fine; the other problems stay
    catalog = read_po(io.BytesIO(po.read_bytes()), locale="ta")
    with open(mo, "wb") as fh:
        write_mo(fh, catalog)
    assert not any("messages.mo" in str(p) for p in lint.check(tmp_path / "flows", engine.load(tmp_path / "flows")[0].flows))


def test_flows_without_catalogs_beside_them_are_checked_for_english_length_and_the_missing_catalogs(tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "tiny.yaml").write_text(LINT_FLOW, encoding="utf-8")
    problems = [str(p) for p in lint.check(flows, engine.load(flows)[0].flows)]
    assert len(problems) == 2 and all(p.startswith(f"{flows / 'tiny.yaml'}:") for p in problems)
    assert "GSM-7" in problems[1]
    assert 'flow "tiny" speaks ta but there is no' in problems[0] and "locales" in problems[0]  # not "fine"
    english = LINT_FLOW.replace("languages: [en, ta]", "languages: [en]")
    (flows / "tiny.yaml").write_text(english, encoding="utf-8")
    assert [str(p) for p in lint.check(flows, engine.load(flows)[0].flows)] == [problems[1]]  # English needs none


def test_the_shipped_flows_pass_hotline_flows_check(monkeypatch):
    done = hotline(monkeypatch, "flows", "check", "flows/")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "all flows are fine" in done.stdout


def test_own_texts_are_read_from_the_yaml_file():
    assert OWN["sms_choice"] == "{key} - {label}"
    assert set(OWN["alert_reminder"]) == {"one", "other"}
    assert json.dumps(sorted(OWN))  # plain ids

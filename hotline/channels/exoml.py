"""An engine step as ExoML, Exotel's call language, from the same voice plan as TwiML
(channels/voice.py): <Say>, <Play>, <Gather>, <Dial>, <Record>, <Hangup>.

Where it differs from TwiML (README, "Running in India"):
- <Gather> takes the keypad only (no speech); the digits come back as DigitsPressed.
- A language speaks with Exotel's own text-to-speech where locales/languages.yaml gives it one
  (`exotel: {say: ta}`); otherwise each message plays its recording (<Play>, the same audio
  files a voiceless language plays on Twilio: audio_url + "<context>.mp3").
- There is no <Redirect> (none is documented): a prompt nobody answers is asked once more, then
  the call ends.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from hotline.channels.voice import GATHER_TIMEOUT, Line, Plan
from hotline.i18n.languages import Languages

VOICE = "woman"
DIAL_TIMEOUT = 25


def _line(item, p: Plan) -> Line:
    return item if isinstance(item, Line) else Line(str(item), p.lang)


def speak(target: Element, line: Line, langs: Languages) -> None:
    """<Say> in Exotel's voice for the line's language; <Play> its recording where it has none."""
    language = langs.get(line.lang)
    if language.exotel_say:
        say = SubElement(target, "Say", voice=VOICE, language=language.exotel_say)
        say.text = line.text
    elif language.audio_url and line.audio:
        SubElement(target, "Play").text = f"{language.audio_url.rstrip('/')}/{line.audio}.mp3"
    else:
        SubElement(target, "Say", voice=VOICE).text = line.text  # nothing better: Exotel's default


def xml(response: Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>' + tostring(response, encoding="unicode")


def gather(response: Element, lines: list[Line], langs: Languages, action: str, *, num_digits: int | None = None,
           finish_on_key: str | None = "#", timeout: int = GATHER_TIMEOUT) -> None:
    """A keypad question, asked twice when nothing is pressed the first time."""
    for _ in range(2):
        attrs = {"action": action, "method": "POST", "timeout": str(timeout)}
        if num_digits:
            attrs["numDigits"] = str(num_digits)
        attrs["finishOnKey"] = finish_on_key or ""
        g = SubElement(response, "Gather", **attrs)
        for line in lines:
            speak(g, line, langs)


def render(p: Plan, action: str, dial: str | None = None, caller_id: str | None = None,
           record: str | None = None) -> str:
    """ExoML for one step: `action` is where a <Gather> posts the digits; `dial` connects the call
    (the ExoPhone as `caller_id`); `record` leaves a voicemail."""
    response = Element("Response")
    lines = [_line(item, p) for item in p.says]
    if p.gather:
        menu = p.gather == "menu" and all(len(k) == 1 for k, _ in p.choices)
        gather(response, lines + [c for _, c in p.choices], p.languages, action,
               num_digits=1 if menu else None, finish_on_key=None if p.gather == "menu" else "#")
        SubElement(response, "Hangup")
        return xml(response)
    for line in lines:
        speak(response, line, p.languages)
    if dial:
        attrs = {"timeout": str(DIAL_TIMEOUT), "method": "POST"}
        if caller_id:
            attrs["callerId"] = caller_id
        if record:
            attrs["action"] = record
        SubElement(response, "Dial", **attrs).text = dial
    elif record:
        SubElement(response, "Record", action=record, method="POST", maxLength="120", playBeep="true")
    else:
        SubElement(response, "Hangup")
    return xml(response)


def says(lines: list[Line], langs: Languages, *, record: str | None = None) -> str:
    """Lines said, then a voicemail recorded (`record`) or the call ended."""
    response = Element("Response")
    for line in lines:
        speak(response, line, langs)
    if record:
        SubElement(response, "Record", action=record, method="POST", maxLength="120", playBeep="true")
    else:
        SubElement(response, "Hangup")
    return xml(response)


def ask(lines: list[Line], langs: Languages, action: str, *, num_digits: int | None = None,
        timeout: int = 10) -> str:
    """A keypad question (a PIN, an alert's 1 or 2), then the call ends if nothing is pressed."""
    response = Element("Response")
    gather(response, lines, langs, action, num_digits=num_digits, finish_on_key=None if num_digits else "#",
           timeout=timeout)
    SubElement(response, "Hangup")
    return xml(response)


def connect(lines: list[Line], langs: Languages, number: str, caller_id: str | None, action: str | None = None) -> str:
    """Lines said, then the call put through to `number` with the ExoPhone as caller ID."""
    response = Element("Response")
    for line in lines:
        speak(response, line, langs)
    attrs = {"timeout": "30", "method": "POST"}
    if caller_id:
        attrs["callerId"] = caller_id
    if action:
        attrs["action"] = action
    SubElement(response, "Dial", **attrs).text = number
    return xml(response)

"""An engine step as a voice call: <Say> the messages, <Gather> keypad (and speech) for a prompt.

The same plan renders as TwiML for Twilio and as text for `hotline chat --voice`.

Each language sounds as locales/languages.yaml says (see hotline/i18n/languages.py):
- a language with a voice is spoken with <Say voice=… language=…> (Twilio's Google voices are
  named like Google.ta-IN-Standard-A);
- a language without one plays the recorded audio of each message (<Play>), one file per
  message id, from its audio_url ("…/survivor.main_menu.mp3");
- a language without speech recognition takes the keypad only.
A choice that picks a language ("தமிழ்: எண் 2-ஐ அழுத்துங்கள்") is spoken in that language, with
its voice, whatever the caller's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twilio.twiml.voice_response import Gather, VoiceResponse

from hotline.i18n import Catalog
from hotline.i18n.catalog import OWN
from hotline.i18n.languages import Language, Languages, languages

GATHER_TIMEOUT = 6  # seconds of silence before a prompt counts as no input


def voice_settings(language: Language) -> dict:
    """What <Say> and <Gather> need of a language: voice, language, speech (bool), speech_language."""
    return {"voice": language.say_voice, "language": language.say_language or language.speech,
            "speech": bool(language.speech), "speech_language": language.speech,
            "audio_url": language.audio_url}


def _voices(langs: Languages) -> dict[str, dict]:
    return {language.code: voice_settings(language) for language in langs}


# Per-locale speech settings of the shipped locales/ (the webhooks read VOICES[lang]["voice"],
# ["language"] for the <Say> of their own replies).
VOICES = _voices(languages())


@dataclass
class Line:
    """One thing said: its text, its language, and its catalog context (the recorded audio's
    name where the language has no voice)."""

    text: str
    lang: str
    audio: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass
class Plan:
    says: list  # Line (or plain text in the plan's language), before/inside the gather
    choices: list[tuple[str, Line]]  # (key, the spoken choice)
    gather: str | None  # the answer type awaited, None when nothing is awaited
    lang: str
    languages: Languages = field(default_factory=languages)


def plan(outputs: list[dict], lang: str, catalog: Catalog, params: dict | None = None) -> Plan:
    says, choices, gather = [], [], None
    for output in outputs:
        says.append(Line(catalog.output(output, lang, params), lang, f"{output['flow']}.{output['msg']}"))
        if output["type"] == "prompt":
            gather = output.get("answer", "text")
            for choice in output.get("choices", []):
                own = choice.get("lang") or lang  # a language choice speaks its own language
                label = catalog.choice(output, choice, own)
                text = catalog.own("voice_choice", own, key=choice["key"], label=label)
                audio = f"{output['flow']}.{choice['msg']}" if choice.get("lang") else None
                choices.append((choice["key"], Line(text, own, audio)))
    return Plan(says, choices, gather, lang, catalog.languages)


@dataclass
class Answer:
    """What a call hears next, whichever provider renders it (TwiML here, ExoML in exoml.py): the
    plan, and then whom to put her through to, or whether to record her message."""
    plan: Plan
    dial: str | None = None
    record: bool = False


def answer(handled, catalog: Catalog, params: dict) -> Answer:
    """A handled step (conversation/inbound.Handled) as a call's answer. A text said instead of the
    flow's words (a control refused on a call) comes first, and the flow's question stays; the
    carried-out effects (conversation/effects.py) say whom to dial or whether to record."""
    outputs = handled.step.outputs
    if handled.text:
        outputs = [o for o in outputs if o["type"] == "prompt"]
    spoken = plan(outputs, handled.step.lang, catalog, params)
    if handled.text:
        spoken.says.insert(0, handled.text)
    done = handled.done
    if done and done.dial:
        return Answer(spoken, dial=done.dial)
    if done and done.then_say:
        spoken.says.append(done.then_say)
    return Answer(spoken, record=bool(done and done.record))


def _line(item, p: Plan) -> Line:
    return item if isinstance(item, Line) else Line(str(item), p.lang)


def _speak(target, line: Line, p: Plan) -> None:
    """<Say> in the line's voice; <Play> its recording where its language has no voice."""
    language = p.languages.get(line.lang)
    if language.has_voice:
        target.say(line.text, voice=language.say_voice, language=language.say_language)
    elif language.audio_url and line.audio:
        target.play(f"{language.audio_url.rstrip('/')}/{line.audio}.mp3")
    else:
        target.say(line.text)  # nothing better: Twilio's default voice


def twiml(p: Plan, action: str, dial: str | None = None, caller_id: str | None = None,
          no_input: str | None = None, record: str | None = None) -> str:
    """TwiML for one step: `action` is where a <Gather> posts the answer; `no_input` is where a
    silent gather is redirected; `dial` connects the call; `record` leaves a voicemail."""
    language = p.languages.get(p.lang)
    response = VoiceResponse()
    lines = [_line(item, p) for item in p.says]
    if p.gather:
        # keypad always; speech too where the caller's language has recognition (on the language
        # menu an en-IN recogniser still hears "Tamil", which the flow's keyword handler takes)
        speech = bool(language.speech)
        gather = Gather(input="dtmf speech" if speech else "dtmf", action=action, method="POST",
                        timeout=GATHER_TIMEOUT, language=language.speech or language.say_language,
                        action_on_empty_result=False,
                        num_digits=1 if p.gather == "menu" and all(len(k) == 1 for k, _ in p.choices) else None)
        if p.gather != "menu":
            gather.finish_on_key = "#"
        for line in lines + [c for _, c in p.choices]:
            _speak(gather, line, p)
        response.append(gather)
        response.redirect(no_input or action, method="POST")
        return str(response)
    for line in lines:
        _speak(response, line, p)
    if dial:
        d = response.dial(caller_id=caller_id, timeout=25, action=record, method="POST")
        d.number(dial)
    elif record:
        response.record(action=record, method="POST", max_length=120, play_beep=True)
    else:
        response.hangup()
    return str(response)


def own_line(catalog: Catalog, msg_id: str, lang: str, **params) -> Line:
    """One of the hotline's own texts as a line of a call (with its recording's name)."""
    assert msg_id in OWN, msg_id
    return Line(catalog.own(msg_id, lang, **params), lang, f"hotline.{msg_id}")


def as_text(p: Plan) -> str:
    lines = [f"[say {line.lang}] {line.text}" for line in (_line(item, p) for item in p.says)]
    lines += [f"[press {key}] {line.text}" + (f" [{line.lang}]" if line.lang != p.lang else "")
              for key, line in p.choices]
    if p.gather and p.gather != "menu":
        lines.append(f"[speak or type: {p.gather}]")
    return "\n".join(lines)

"""An engine step as a voice call: <Say> the messages, <Gather> keypad (and speech) for a prompt.

The same plan renders as TwiML for Twilio and as text for `hotline chat --voice`.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from ..i18n import Catalog

# Per-locale speech settings. Twilio's <Say> takes Google voices named like
# Google.ta-IN-Standard-A; <Gather> speech recognition takes a BCP-47 language.
VOICES = {
    "en": {"language": "en-IN", "voice": "Google.en-IN-Standard-A", "speech": True},
    "ta": {"language": "ta-IN", "voice": "Google.ta-IN-Standard-A", "speech": True},
}
GATHER_TIMEOUT = 6  # seconds of silence before a prompt counts as no input


@dataclass
class Plan:
    says: list[str]  # spoken before (and, for a prompt, inside) the gather
    choices: list[tuple[str, str]]  # (key, spoken choice)
    gather: str | None  # the answer type awaited, None when nothing is awaited
    lang: str


def plan(outputs: list[dict], lang: str, catalog: Catalog, params: dict | None = None) -> Plan:
    says, choices, gather = [], [], None
    for output in outputs:
        says.append(catalog.output(output, lang, params))
        if output["type"] == "prompt":
            gather = output.get("answer", "text")
            for choice in output.get("choices", []):
                label = catalog.choice(output, choice, lang)
                choices.append((choice["key"], catalog.own("voice_choice", lang, key=choice["key"], label=label)))
    return Plan(says, choices, gather, lang)


def twiml(p: Plan, action: str, dial: str | None = None, caller_id: str | None = None,
          no_input: str | None = None, record: str | None = None) -> str:
    """TwiML for one step: `action` is where a <Gather> posts the answer; `no_input` is where a
    silent gather is redirected; `dial` connects the call; `record` leaves a voicemail."""
    cfg = VOICES.get(p.lang, VOICES["en"])
    say = {"voice": cfg["voice"], "language": cfg["language"]}
    response = VoiceResponse()
    if p.gather:
        # menus take keypad presses; free answers take speech too where the language has it
        input_kinds = "dtmf speech" if cfg["speech"] else "dtmf"
        gather = Gather(input=input_kinds, action=action, method="POST", timeout=GATHER_TIMEOUT,
                        language=cfg["language"], action_on_empty_result=False,
                        num_digits=1 if p.gather == "menu" and all(len(k) == 1 for k, _ in p.choices) else None)
        if p.gather != "menu":
            gather.finish_on_key = "#"
        for text in p.says + [c for _, c in p.choices]:
            gather.say(text, **say)
        response.append(gather)
        response.redirect(no_input or action, method="POST")
        return str(response)
    for text in p.says:
        response.say(text, **say)
    if dial:
        d = response.dial(caller_id=caller_id, timeout=25, action=record, method="POST")
        d.number(dial)
    elif record:
        response.record(action=record, method="POST", max_length=120, play_beep=True)
    else:
        response.hangup()
    return str(response)


def as_text(p: Plan) -> str:
    lines = [f"[say {p.lang}] {text}" for text in p.says]
    lines += [f"[press {key}] {text}" for key, text in p.choices]
    if p.gather and p.gather != "menu":
        lines.append(f"[speak or type: {p.gather}]")
    return "\n".join(lines)

"""An engine step as the JSON of Exotel's dynamic applets (App Bazaar), from the same voice plan
as TwiML (channels/voice.py). Exotel documents these answers:

- Gather applet, "configure parameters dynamically by providing a URL": `gather_prompt` ({"text"}
  or {"audio_url"}), `max_input_digits`, `finish_on_key`, `input_timeout`, `repeat_menu`,
  `repeat_gather_prompt` (https://support.exotel.com/support/solutions/articles/3000084635).
- Connect applet, "Programmable Connect (Dynamic URL)": `fetch_after_attempt`,
  `destination: {numbers: [...]}`, `outgoing_phone_number`, `record`, `max_ringing_duration`,
  `max_conversation_duration`, `music_on_hold`, `start_call_playback`
  (https://support.exotel.com/support/solutions/articles/3000096873).

A Gather prompt is one text (or one audio file), so a step's lines are joined; its keys are the
keypad's only (Exotel's Gather takes no speech).
"""

from __future__ import annotations

from hotline.channels.voice import GATHER_TIMEOUT, Line, Plan

DIAL_TIMEOUT = 25  # seconds the counsellor's phone rings, as on Twilio
TALK_LIMIT = 3600  # seconds: one hour, then Exotel ends the call (its own limit is 4 hours)
ANSWER_DIGITS = 20  # a PIN, a code, a number: ended by # long before this
NO_INPUT = 1  # seconds a prompt that asks nothing waits before the flow moves on


def lines(p: Plan) -> list[Line]:
    said = [item if isinstance(item, Line) else Line(str(item), p.lang) for item in p.says]
    return said + [line for _, line in p.choices]


def asks(p: Plan) -> str | None:
    """What a plan's question takes: "key" (one key of a menu), "digits" (ended by #) or None."""
    if not p.gather:
        return None
    return "key" if p.gather == "menu" and all(len(k) == 1 for k, _ in p.choices) else "digits"


def prompt(texts: list[Line], ask: str | None = None) -> dict:
    """The Gather applet's answer: what she hears, and how her keys end it (`ask`: "key",
    "digits" or None). A step that asks nothing (goodbye, "putting you through") waits a second
    and moves on."""
    text = " ".join(line.text for line in texts if line.text)
    answer = {"gather_prompt": {"text": text or "."}, "input_timeout": GATHER_TIMEOUT}
    if ask is None:
        answer.update(max_input_digits=1, input_timeout=NO_INPUT)
    elif ask == "key":
        answer["max_input_digits"] = 1  # one key: no # to press
    else:
        answer.update(max_input_digits=ANSWER_DIGITS, finish_on_key="#")
    return answer


def connect(number: str | None, caller_id: str | None) -> dict:
    """The Connect applet's answer: the counsellor on shift, the ExoPhone as caller ID (her number
    never shows), the ring and talk limits. No number: nobody to dial, the applet's "not
    answered" branch follows."""
    answer = {"fetch_after_attempt": False, "destination": {"numbers": [number] if number else []},
              "record": False, "max_ringing_duration": DIAL_TIMEOUT, "max_conversation_duration": TALK_LIMIT}
    if caller_id:
        answer["outgoing_phone_number"] = caller_id
    return answer

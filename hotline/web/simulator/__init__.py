"""The phone simulator: try the hotline in a browser with no Twilio account.

Five phones — a survivor by SMS and on WhatsApp, and a counsellor, an NGO representative and a
police officer from the staff list, each with a line on what to try first. Each posts to
/twilio/sms exactly as Twilio would, and shows the TwiML reply and what the hotline sent to that
number through the local outbox. The survivor's and the counsellor's phones can also call (the
counsellor's through her PIN, as the README's PIN bridge says): the simulator posts
to /twilio/voice (or /exotel/voice and /exotel/sms, where HOTLINE_VOICE_PROVIDER or
HOTLINE_SMS_PROVIDER is exotel: the embedded demo only) and its Gather actions as the carrier would, shows each <Say> with its language,
and answers with a keypad. A staff phone answers the alert calls the outbox holds for it.

It is here in the demo (no Twilio token: nothing is signed or checked), or, with a token but no
account, only when HOTLINE_SIMULATOR=1 — never with a Twilio account (its phones would send real
SMS). With a token every webhook request must be signed, and the simulator is then a signing
service: it is for a coordinator logged in to the console alone, shows one survivor's phone with
a number it made up (+91 50…, a range no Indian phone uses) and signs only requests from the
numbers it made up in her session (never a staff member's or a real survivor's); its outbox
shows only theirs. /simulator/sign signs for the URL the webhook will check (PUBLIC_URL + path
where set, else this server's own URL)."""

from __future__ import annotations

import secrets
import uuid

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from hotline.privacy.phones import e164
from hotline.services import current
from hotline.store.models import Outbox

bp = Blueprint("simulator", __name__, url_prefix="/simulator", template_folder="templates",
               static_folder="static", static_url_path="/static")

SURVIVOR = "+919876543210"  # a made-up number; ?survivor=… gives another (in the demo)
WHATSAPP_SURVIVOR = "+919876543211"  # the demo's survivor on WhatsApp
MADE_UP = "+9150"  # the signing simulator's numbers: +91 50…, which no Indian phone number starts with
OWN = "simulator_numbers"  # the session's list of the numbers it made up


def _svc():
    return current()


def signing(svc) -> bool:
    return bool(svc.settings.twilio_auth_token)


@bp.before_request
def _coordinators_only():
    """With a token, the simulator signs webhooks: a logged-in coordinator's tool alone."""
    if not signing(_svc()):
        return None
    if not current_user.is_authenticated:
        if request.endpoint == "simulator.page":
            return redirect(url_for("console.login", next=request.path))
        abort(401)
    if not current_user.coordinator:
        abort(403)
    return None


def made_up_number() -> str:
    """A survivor's number for this session's simulator, remembered as one it may sign for."""
    number = MADE_UP + "".join(secrets.choice("0123456789") for _ in range(8))
    session[OWN] = (session.get(OWN) or [])[-9:] + [number]
    return number


def own(number: str | None) -> bool:
    return bool(number) and number in (session.get(OWN) or [])


# what to try first on each phone, shown in it until its first message (#33: the phones started
# empty, and a new user did not know what to type)
HINTS = {
    "survivor": 'Send "hi" to start, as a woman would, or press Call.',
    "whatsapp": 'Send "hi" to start, as on WhatsApp.',
    "counsellor": "Alerts arrive here. Reply ACK and the alert's five-digit code (ACK 48213) to take one; "
                  "press Call and enter your PIN to call the woman or the officer through the hotline.",
    "ngo": "Requests to go with the police arrive here. Reply ACK and the five-digit code to take one.",
    "police": 'Send "hi" for the police menu: ask for an NGO representative on a visit, or run the danger '
              "screen with a woman.",
}
# the staff phones, from the staff list: the first person of each role; a counsellor calls
# through the hotline with her PIN (the PIN bridge and the danger screen's bridge to an officer)
STAFF_PHONES = (("counsellor", "Counsellor", True), ("ngo", "NGO representative", False),
                ("police", "Police officer", False))


def phones(svc, survivor: str) -> list[dict]:
    """The survivor (SMS and WhatsApp), and the first counsellor, NGO representative and police
    officer of the staff list; when signing, the survivor alone (a staff phone would sign as a
    real staff member)."""
    found = [{"role": "survivor", "title": "Survivor", "number": survivor, "calls": True, "hint": HINTS["survivor"]}]
    if signing(svc):
        return found
    # WhatsApp: the text channel a survivor in India has (README, "WhatsApp")
    found.append({"role": "whatsapp", "title": "Survivor on WhatsApp", "number": WHATSAPP_SURVIVOR, "calls": False,
                  "whatsapp": True, "hint": HINTS["whatsapp"]})
    for role, title, calls in STAFF_PHONES:
        person = next((p for p in svc.staff.people if role in p.roles), None)
        if person is not None:
            found.append({"role": role, "title": f"{title}: {person.name}", "number": person.phone,
                          "calls": calls, "hint": HINTS[role]})
    return found


@bp.get("/")
def page():
    svc = _svc()
    survivor = made_up_number() if signing(svc) else e164(request.args.get("survivor")) or SURVIVOR
    with svc.store.read() as s:
        last = s.scalar(select(func.max(Outbox.id))) or 0
    settings = svc.settings
    exotel_line = settings.exotel_number or settings.hotline_number
    return render_template("simulator.html", phones=phones(svc, survivor),
                           hotline=exotel_line if settings.voice_provider == "exotel" else settings.hotline_number,
                           signed=bool(settings.twilio_auth_token), after=last, safe_word=settings.safe_word,
                           sms_provider=settings.sms_provider, voice_provider=settings.voice_provider)


@bp.get("/outbox")
def outbox():
    """What the hotline sent to a number through the local outbox, after a given id."""
    svc = _svc()
    number = e164(request.args.get("to"))
    after = request.args.get("after", default=0, type=int)
    if not number or (signing(svc) and not own(number)):
        return jsonify([])
    with svc.store.read() as s:
        rows = list(s.scalars(select(Outbox).where(Outbox.to == number, Outbox.id > after)
                              .order_by(Outbox.id).limit(100)))
    # which provider would have sent it, and a DLT SMS's (Exotel) or a WhatsApp template with its
    # variables: what India would send; a WhatsApp template's buttons as her phone shows them
    return jsonify([{"id": r.id, "body": r.body, "call": r.call, "at": r.at.isoformat(), "provider": r.provider,
                     "channel": r.channel or ("voice" if r.call else "sms"), "template": r.template,
                     "variables": r.variables, "buttons": _buttons(svc, r)} for r in rows])


def _buttons(svc, row: Outbox) -> list[dict]:
    """A template's quick-reply buttons as WhatsApp shows them: the payload each posts back."""
    if not row.template or row.channel != "whatsapp":
        return []
    try:
        template = svc.whatsapp_templates[row.template]
    except KeyError:
        return []
    values = row.variables if isinstance(row.variables, dict) else {}
    named = {name: values.get(str(i), "") for i, name in enumerate(template.variables, 1)}
    found = []
    for button in template.buttons:
        payload = button.format_map(named) if "{" in button else button
        found.append({"payload": payload, "title": "YES" if payload == "continue" else payload.split()[0]})
    return found


@bp.get("/sid")
def new_sid():
    prefix = "CA" if request.args.get("kind") == "call" else "SM"
    return jsonify({"sid": prefix + uuid.uuid4().hex})


# The keys of the forms the simulator builds itself (static/simulator.js), and no other: a signed
# form is one of these. Twilio's signature joins each key to its value with no separator, so a
# value holding "From…" could be re-read, with a key added, as another form from another number
# (#30): no value may hold the name of a key that says who is writing.
FIELDS = frozenset({"From", "Caller", "CallFrom", "To", "CallTo", "Body", "MessageSid", "SmsSid", "CallSid",
                    "AccountSid", "NumMedia", "ButtonText", "ButtonPayload", "Digits", "DigitsPressed",
                    "SpeechResult", "Confidence", "CallStatus", "Direction", "DialCallStatus", "DialCallDuration",
                    "RecordingUrl", "RecordingDuration", "RecordingSid"})
SENDERS = ("From", "Caller", "CallFrom")  # each must be a number this session made up
LINES = ("To", "CallTo")  # each the hotline's own number


def signable(svc, params: dict) -> bool:
    """Whether the simulator would have built this form: its keys, key by key; as a phone this
    session made up (never a staff member or a real survivor), to the hotline's own number."""
    if not params or not set(params) <= FIELDS or not any(name in params for name in ("From", "Caller")):
        return False
    settings = svc.settings
    lines = {n for n in (settings.hotline_number, settings.whatsapp_number, settings.exotel_number) if n}
    for name, value in params.items():
        value = str(value)
        bare = value.removeprefix("whatsapp:")
        if name in SENDERS and not own(bare):
            return False
        if name in LINES and bare not in lines:
            return False
        if any(sender in value for sender in ("From", "Caller")) and name not in SENDERS:
            return False
    return True


@bp.post("/sign")
def sign():
    """X-Twilio-Signature for a webhook request the page is about to send (JSON: path, params)."""
    svc = _svc()
    data = request.get_json(silent=True) or {}
    path, params = str(data.get("path", "")), data.get("params") or {}
    if not path.startswith("/twilio/") or not isinstance(params, dict):
        abort(400)
    if not signing(svc):
        return jsonify({"signature": None})
    if not signable(svc, params):
        abort(403)
    base = svc.settings.public_url or request.host_url.rstrip("/")
    signature = RequestValidator(svc.settings.twilio_auth_token).compute_signature(
        base + path, {str(k): str(v) for k, v in params.items()})
    return jsonify({"signature": signature})

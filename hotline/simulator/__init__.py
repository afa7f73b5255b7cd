"""The phone simulator: try the hotline in a browser with no Twilio account.

Three phones — a survivor, a counsellor and a police officer from the staff list. Each posts
to /twilio/sms exactly as Twilio would, and shows the TwiML reply and what the hotline sent to
that number through the local outbox. The survivor's phone can also call: the simulator posts
to /twilio/voice and its Gather actions as Twilio would, shows each <Say> with its language,
and answers with a keypad. A staff phone answers the alert calls the outbox holds for it.

Where TWILIO_AUTH_TOKEN is set (without an account SID the simulator is still here), every
webhook request must be signed: /simulator/sign signs it with Twilio's RequestValidator, for
the URL the webhook will check (PUBLIC_URL + path where set, else this server's own URL)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from ..phones import e164
from ..store.models import Outbox

bp = Blueprint("simulator", __name__, url_prefix="/simulator", template_folder="templates",
               static_folder="static", static_url_path="/static")

SURVIVOR = "+919876543210"  # a made-up number; ?survivor=… gives another


def _svc():
    return current_app.extensions["hotline"]


def phones(svc, survivor: str) -> list[dict]:
    """The survivor, the first counsellor and the first police officer of the staff list."""
    found = [{"role": "survivor", "title": "Survivor", "number": survivor, "calls": True}]
    for role, title in (("counsellor", "Counsellor"), ("police", "Police officer")):
        person = next((p for p in svc.staff.people if role in p.roles), None)
        if person is not None:
            found.append({"role": role, "title": f"{title}: {person.name}", "number": person.phone,
                          "calls": False})
    return found


@bp.get("/")
def page():
    svc = _svc()
    survivor = e164(request.args.get("survivor")) or SURVIVOR
    with svc.store.session() as s:
        last = s.scalar(select(func.max(Outbox.id))) or 0
    return render_template("simulator.html", phones=phones(svc, survivor), hotline=svc.settings.hotline_number,
                           signed=bool(svc.settings.twilio_auth_token), after=last,
                           safe_word=svc.settings.safe_word)


@bp.get("/outbox")
def outbox():
    """What the hotline sent to a number through the local outbox, after a given id."""
    svc = _svc()
    number = e164(request.args.get("to"))
    after = request.args.get("after", default=0, type=int)
    if not number:
        return jsonify([])
    with svc.store.session() as s:
        rows = list(s.scalars(select(Outbox).where(Outbox.to == number, Outbox.id > after)
                              .order_by(Outbox.id).limit(100)))
    return jsonify([{"id": r.id, "body": r.body, "call": r.call, "at": r.at.isoformat()} for r in rows])


@bp.get("/sid")
def new_sid():
    prefix = "CA" if request.args.get("kind") == "call" else "SM"
    return jsonify({"sid": prefix + uuid.uuid4().hex})


@bp.post("/sign")
def sign():
    """X-Twilio-Signature for a webhook request the page is about to send (JSON: path, params)."""
    svc = _svc()
    data = request.get_json(silent=True) or {}
    path, params = str(data.get("path", "")), data.get("params") or {}
    if not path.startswith("/twilio/") or not isinstance(params, dict):
        abort(400)
    if not svc.settings.twilio_auth_token:
        return jsonify({"signature": None})
    base = svc.settings.public_url or request.host_url.rstrip("/")
    signature = RequestValidator(svc.settings.twilio_auth_token).compute_signature(
        base + path, {str(k): str(v) for k, v in params.items()})
    return jsonify({"signature": signature})

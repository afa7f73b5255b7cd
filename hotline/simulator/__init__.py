"""The phone simulator: try the hotline in a browser with no Twilio account.

Each phone posts to /twilio/sms exactly as Twilio would, and shows the TwiML reply and what
the hotline sent to that number through the local outbox."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, render_template, request

from ..phones import e164

bp = Blueprint("simulator", __name__, url_prefix="/simulator", template_folder="templates")


@bp.get("/")
def page():
    svc = current_app.extensions["hotline"]
    phones = [{"title": "Survivor", "number": "+919876543210"}]
    for person in svc.staff.people[:3]:
        phones.append({"title": f"{person.name} ({', '.join(person.roles)})", "number": person.phone})
    return render_template("simulator.html", phones=phones, hotline=svc.settings.hotline_number)


@bp.get("/outbox")
def outbox():
    """What the hotline sent to a number through the local outbox, after a given id."""
    svc = current_app.extensions["hotline"]
    number = e164(request.args.get("to"))
    after = request.args.get("after", default=0, type=int)
    rows = [r for r in svc.outbound.outbox() if r.to == number and r.id > after]
    return jsonify([{"id": r.id, "body": r.body, "call": r.call, "at": r.at.isoformat()} for r in rows])


@bp.get("/sid")
def new_sid():
    return jsonify({"sid": "SM" + uuid.uuid4().hex})

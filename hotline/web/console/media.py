"""A voice message, photo or document she sent on WhatsApp, played or shown to the counsellor her
case is assigned to, and to nobody else: fetched from Twilio by the server with the account's
credentials (hotline/transport/whatsapp.py) and passed on, never as a Twilio URL the browser could
keep or share. Each view is in the audit log."""

from __future__ import annotations

import json
import logging

from flask import Response, abort
from flask_login import current_user, login_required

from hotline.store.models import Case, Escalation
from hotline.transport.whatsapp import API, fetch_media
from hotline.web.console.access import may_view, sees_words
from hotline.web.console.media_types import SANDBOX, SHOWN, served_type
from hotline.web.console.views import bp, svc

log = logging.getLogger(__name__)


def item(s, store, case_id: int, escalation_id: int, index: int) -> dict | None:
    """{"url", "type"} of one media item of a case's escalation, for the user who sees her words."""
    case = s.get(Case, case_id)
    e = s.get(Escalation, escalation_id)
    if case is None or e is None or e.case_id != case.id or not may_view(s, current_user, case) \
            or not sees_words(current_user, case):
        return None
    sealed = (e.details or {}).get("media") or []
    if not 0 <= index < len(sealed):
        return None
    opened = store.unseal(sealed[index])
    return json.loads(opened) if opened else None


@bp.get("/cases/<int:case_id>/media/<int:escalation_id>/<int:index>")
@login_required
def case_media(case_id: int, escalation_id: int, index: int):
    hotline = svc()
    with hotline.store.read() as s:
        found = item(s, hotline.store, case_id, escalation_id, index)
        caller_key = s.get(Case, case_id).caller_key if found else None
    if found is None or served_type(found.get("type")) is None:
        abort(404)  # not hers to hear, not there, or not a type the console serves: the same answer
    return _served(hotline, found["url"], served_type(found["type"]), case_id, escalation_id, caller_key)


@bp.get("/cases/<int:case_id>/recording/<int:escalation_id>")
@login_required
def case_recording(case_id: int, escalation_id: int):
    """A voicemail's recording, like WhatsApp media: sealed in the store, fetched by the server
    with the account's credentials (Twilio's recording authentication on), never its URL."""
    hotline = svc()
    with hotline.store.read() as s:
        case, e = s.get(Case, case_id), s.get(Escalation, escalation_id)
        if case is None or e is None or e.case_id != case.id or not may_view(s, current_user, case) \
                or not sees_words(current_user, case):
            abort(404)
        url = hotline.store.unseal((e.details or {}).get("recording"))
        caller_key = case.caller_key
    if not url:
        abort(404)
    return _served(hotline, url, None, case_id, escalation_id, caller_key)


def _served(hotline, url: str, kind: str | None, case_id: int, escalation_id: int, caller_key: str | None):
    settings = hotline.settings
    if not settings.twilio_configured:
        abort(404)  # the demo: no Twilio account, nothing to fetch
    try:
        content, fetched = fetch_media(url, settings.twilio_account_sid, settings.twilio_auth_token,
                                       api=settings.extra.get("twilio_api", API))
    except (OSError, ValueError) as exc:
        log.warning("media of case %s could not be fetched: %s", case_id, type(exc).__name__)
        abort(502)
    kind = kind or (fetched if fetched.startswith("audio/") else "audio/wav")  # a recording is audio, whatever it says
    hotline.store.audit("case.media_viewed", caller_key, staff_id=current_user.id, case=case_id,
                        escalation=escalation_id)
    response = Response(content, mimetype=kind)
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["Content-Disposition"] = "inline" if kind in SHOWN else "attachment; filename=document.pdf"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    return response

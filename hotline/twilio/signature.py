"""X-Twilio-Signature, checked with Twilio's RequestValidator.

Twilio signs the URL it called. Behind a TLS proxy request.url is not that URL
(twilio-python#751), so PUBLIC_URL + the path and query is used when PUBLIC_URL is set."""

from __future__ import annotations

import logging

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

from ..phones import e164, mask

log = logging.getLogger(__name__)


def signed_url() -> str:
    public = current_app.extensions["hotline"].settings.public_url
    if not public:
        return request.url
    path = request.full_path if request.query_string else request.path
    return public + path


def check_signature():
    settings = current_app.extensions["hotline"].settings
    if not settings.twilio_auth_token:
        return None  # the embedded demo: the start-up log says signatures are not checked
    validator = RequestValidator(settings.twilio_auth_token)
    signature = request.headers.get("X-Twilio-Signature", "")
    if signature and validator.validate(signed_url(), request.form.to_dict(), signature):
        return None
    log.warning("refused %s %s: %s signature (from %s)", request.method, request.path,
                "bad" if signature else "no", mask(e164(request.form.get("From"))))
    current_app.extensions["hotline_metrics"].requests.labels(request.path.rsplit("/", 1)[-1], "403").inc()
    abort(403)

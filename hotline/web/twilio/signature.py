"""X-Twilio-Signature, checked as Twilio computes it (twilio.request_validator.RequestValidator).

- A form post: the URL Twilio called and every value of every key (a form may repeat a key;
  request.form is a MultiDict and the validator signs all of its values).
- A JSON post: Twilio signs the URL alone, with `bodySHA256=<sha256 of the body>` in its query;
  the body is checked against that hash, so a signed URL cannot carry another body.
- The URL: PUBLIC_URL + the path and query when PUBLIC_URL is set (the address Twilio was given);
  else request.url, which behind HOTLINE_TRUSTED_PROXIES proxies is rebuilt from their
  X-Forwarded-Proto/Host/Prefix by Werkzeug's ProxyFix (hotline/web/app.py)."""

from __future__ import annotations

import logging

from flask import abort, current_app, request, url_for
from twilio.request_validator import RequestValidator

from hotline.privacy.phones import e164, mask
from hotline.services import current

log = logging.getLogger(__name__)


def signed_url() -> str:
    public = current().settings.public_url
    if not public:
        return request.url
    path = request.full_path if request.query_string else request.path
    return public + path


def absolute(endpoint: str, **values) -> str:
    """The absolute URL Twilio is to call next (a <Gather>'s action, a <Record>'s): PUBLIC_URL +
    the path when set, else the URL the request came in on (its scheme, host and prefix as the
    trusted proxies gave them). A relative URL breaks under a path prefix."""
    public = current().settings.public_url
    if public:
        path = url_for(endpoint, **values)
        root = request.script_root
        return public + (path[len(root):] if root and path.startswith(root) else path)
    return url_for(endpoint, _external=True, **values)


def valid(validator: RequestValidator, url: str, signature: str) -> bool:
    if "bodySHA256" in request.args and not request.form:
        # a JSON (or other non-form) body: the signed URL names its hash; the validator checks both
        return validator.validate(url, request.get_data(as_text=True), signature)
    return validator.validate(url, request.form, signature)


def check_signature():
    settings = current().settings
    if not settings.twilio_auth_token and settings.demo:
        return None  # the embedded demo: the start-up log says signatures are not checked
    if not settings.twilio_auth_token:  # outside it, nothing unsigned is obeyed (hotline doctor says why)
        log.warning("refused %s %s: TWILIO_AUTH_TOKEN is not set", request.method, request.path)
        current_app.extensions["hotline_metrics"].requests.labels(request.path.rsplit("/", 1)[-1], "403").inc()
        abort(403)
    validator = RequestValidator(settings.twilio_auth_token)
    signature = request.headers.get("X-Twilio-Signature", "")
    if signature and valid(validator, signed_url(), signature):
        return None
    log.warning("refused %s %s: %s signature (from %s)", request.method, request.path,
                "bad" if signature else "no", mask(e164(request.form.get("From"))))
    current_app.extensions["hotline_metrics"].requests.labels(request.path.rsplit("/", 1)[-1], "403").inc()
    abort(403)

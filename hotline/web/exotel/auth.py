"""Exotel's webhooks are not signed (its support says so; grafana/oncall found the same), and it
publishes no IP ranges. So the URLs configured at Exotel carry HTTP basic-auth credentials,
https://EXOTEL_WEBHOOK_USER:EXOTEL_WEBHOOK_PASSWORD@host/exotel/…, and every /exotel request
without exactly those is refused with 403. Over HTTPS (PUBLIC_URL=https://…) the credentials are
not seen on the way; they are compared in constant time.

Without them set: refused too, unless this is the embedded demo (no Exotel account, no Twilio
account or token), where the simulator drives /exotel/* and nothing real can call; the start-up
log says so."""

from __future__ import annotations

import hmac
import logging

from flask import abort, current_app, request

from hotline.services import current

log = logging.getLogger(__name__)


def demo(settings) -> bool:
    """The embedded demo (hotline/config/production.py) with no Twilio token either: nothing but
    the simulator can post here."""
    return bool(settings.demo) and not (settings.exotel_configured or settings.twilio_configured
                                        or settings.twilio_auth_token)


def credentials_valid(settings) -> bool:
    user, password = settings.exotel_webhook_user, settings.exotel_webhook_password
    if not (user and password):
        return demo(settings)
    given = request.authorization
    if given is None or given.type != "basic":
        return False
    same_user = hmac.compare_digest((given.username or "").encode(), user.encode())
    same_password = hmac.compare_digest((given.password or "").encode(), password.encode())
    return same_user and same_password


def check_credentials():
    if credentials_valid(current().settings):
        return None
    log.warning("refused %s %s: no valid Exotel webhook credentials", request.method, request.path)
    current_app.extensions["hotline_metrics"].requests.labels("exotel", "403").inc()
    abort(403)

"""The Twilio webhooks' blueprint, under /twilio: every request's signature is checked before
its view runs (signature.py). sms.py, voice.py, status.py and fallback.py put their routes on
it; the package (hotline.web.twilio) imports them, and create_app registers it."""

from flask import Blueprint

from hotline.web.twilio.signature import check_signature

bp = Blueprint("twilio", __name__, url_prefix="/twilio")
bp.before_request(check_signature)

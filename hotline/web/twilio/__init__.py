"""The Twilio webhooks: signature check, SMS, voice and status callbacks."""

from flask import Blueprint

from hotline.web.twilio.signature import check_signature

bp = Blueprint("twilio", __name__, url_prefix="/twilio")
bp.before_request(check_signature)

from hotline.web.twilio import fallback, sms, status, voice  # noqa: E402,F401 - they register their routes on bp

"""The Exotel webhooks' blueprint, under /exotel: every request's credentials are checked before
its view runs (auth.py). voice.py, sms.py and status.py put their routes on it."""

from flask import Blueprint

from hotline.web.exotel.auth import check_credentials

bp = Blueprint("exotel", __name__, url_prefix="/exotel")
bp.before_request(check_credentials)

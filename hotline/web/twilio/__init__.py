"""The Twilio webhooks: signature check, SMS, voice, status callbacks and the fallback.

One blueprint, `bp` (blueprint.py), shared by the route modules; importing this package imports
each of them, so `hotline.web.twilio.bp` is the blueprint with every route on it, which
create_app registers. No route module imports this package's names: no import cycle."""

from hotline.web.twilio import fallback, sms, status, voice
from hotline.web.twilio.blueprint import bp

__all__ = ["bp", "fallback", "sms", "status", "voice"]

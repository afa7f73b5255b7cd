"""Exotel's webhooks (an Indian carrier: ExoPhones, ExoML calls, DLT SMS), beside Twilio's, on the
same conversation path: voice (ExoML), inbound SMS, status callbacks. Every request must carry
the basic-auth credentials given to Exotel in its callback URLs (auth.py).

One blueprint, `bp` (blueprint.py), shared by the route modules; importing this package imports
each of them, so `hotline.web.exotel.bp` has every route, which create_app registers."""

from hotline.web.exotel import applets, sms, status, voice
from hotline.web.exotel.blueprint import bp

__all__ = ["applets", "bp", "sms", "status", "voice"]

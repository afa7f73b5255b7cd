"""The Fallback URL (#19.5): /twilio/fallback answers SMS and calls with the emergency numbers,
signed as every webhook, with neither Redis nor the database there."""

from __future__ import annotations

from xml.etree import ElementTree

from .helpers import messages, new_sid, post, sms_form

TOKEN = "0123456789abcdef0123456789abcdef"


class Gone:
    """Redis and the store, down: any use of them fails the test's request."""

    def __getattr__(self, name):
        raise AssertionError(f"the fallback used {name} of a part that is down")


def _down(app):
    svc = app.extensions["hotline"]
    svc.__dict__["redis"] = Gone()
    svc.__dict__["store"] = Gone()
    svc.__dict__["conversations"] = Gone()
    return app


def test_fallback_answers_sms_and_calls_without_redis_or_store(make_app, live):
    server = live(_down(make_app(twilio_auth_token=TOKEN)))
    form = dict(sms_form("+919876543210", "உதவி வேண்டும்"), ErrorCode="11200",
                ErrorUrl="https://hotline.example.org/twilio/sms")
    reply = post(server.url, "/twilio/fallback", form, token=TOKEN)
    assert reply.status_code == 200
    (text,) = messages(reply.text)
    assert "112" in text and "181" in text and "போலீஸ்" in text  # in Tamil, as she wrote
    english = post(server.url, "/twilio/fallback", sms_form("+919876543210", "help"), token=TOKEN)
    assert "Police 112" in messages(english.text)[0]
    call = {"From": "anonymous", "To": "+914400000000", "CallSid": new_sid("CA"), "ErrorCode": "11205"}
    spoken = post(server.url, "/twilio/fallback", call, token=TOKEN)
    assert spoken.status_code == 200
    says = [s.text for s in ElementTree.fromstring(spoken.text).iter("Say")]
    assert len(says) == 2 and all("112" in s and "181" in s for s in says)
    assert post(server.url, "/twilio/fallback", call).status_code == 403  # unsigned: refused like the rest

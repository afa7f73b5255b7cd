"""X-Twilio-Signature as Twilio computes it: twilio-python's own request-validator vectors
(tests/unit/test_request_validator.py of twilio/twilio-python), then the webhooks over real HTTP
with repeated keys, a JSON body signed with bodySHA256, a TLS proxy and a path prefix."""

from __future__ import annotations

import hashlib
import json
from xml.etree import ElementTree

import requests
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from .helpers import new_sid, sms_form

# twilio-python's vectors
VECTOR_TOKEN = "12345"
VECTOR_URI = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {"CallSid": "CA1234567890ABCDE", "Digits": "1234", "From": "+14158675309", "To": "+18005551212",
                 "Caller": "+14158675309"}
VECTOR_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
VECTOR_BODY = '{"property": "value", "boolean": true}'
VECTOR_BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
VECTOR_BODY_SIGNATURE = "a9nBmqA0ju/hNViExpshrM61xv4="
VECTOR_DUPLICATES = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
VECTOR_DUPLICATE_SIGNATURE = "IK+Dwps556ElfBT0I3Rgjkr1wJU="
# Twilio's documentation's example (the "Validating requests" page): same token and URL
DOCS_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030",
               "To": "+18005551212"}
DOCS_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

TOKEN = "0123456789abcdef0123456789abcdef"
SURVIVOR = "+919876543210"


def test_twilio_python_request_validator_vectors():
    v = RequestValidator(VECTOR_TOKEN)
    assert v.compute_signature(VECTOR_URI, VECTOR_PARAMS) == VECTOR_SIGNATURE
    assert v.validate(VECTOR_URI, VECTOR_PARAMS, VECTOR_SIGNATURE)
    assert v.validate(VECTOR_URI.replace(".com", ".com:1234"), VECTOR_PARAMS, VECTOR_SIGNATURE)  # port removed
    assert v.validate(VECTOR_URI, VECTOR_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w=")  # signed with :443
    assert v.validate(VECTOR_URI.replace("https", "http"), VECTOR_PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4=")  # :80
    assert v.compute_signature(VECTOR_URI, MultiDict(VECTOR_DUPLICATES)) == VECTOR_DUPLICATE_SIGNATURE
    assert v.compute_hash(VECTOR_BODY) == VECTOR_BODY_HASH
    assert v.validate(f"{VECTOR_URI}&bodySHA256={VECTOR_BODY_HASH}", VECTOR_BODY, VECTOR_BODY_SIGNATURE)
    assert v.compute_signature(VECTOR_URI, DOCS_PARAMS) == DOCS_SIGNATURE


def _post(url: str, form, signature: str, **headers) -> requests.Response:
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature, **headers}, timeout=20)


def test_a_form_with_repeated_keys_is_checked_over_every_value(make_app, live):
    """Twilio signs every value of a repeated key; the first value alone is not what it signed."""
    server = live(make_app(twilio_auth_token=TOKEN))
    url = server.url + "/twilio/sms"
    form = MultiDict(list(sms_form(SURVIVOR, "hello").items()) + [("MediaUrl", "b"), ("MediaUrl", "a")])
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    reply = _post(url, list(form.items(multi=True)), signature)
    assert reply.status_code == 200, reply.text
    # the same signature over a form that dropped one of the values is refused
    fewer = [(k, v) for k, v in form.items(multi=True) if (k, v) != ("MediaUrl", "a")]
    assert _post(url, fewer, signature).status_code == 403


def test_a_json_body_is_checked_against_its_bodysha256(make_app, live):
    server = live(make_app(twilio_auth_token=TOKEN))
    body = json.dumps({"MessageSid": new_sid(), "MessageStatus": "delivered"})
    url = f"{server.url}/twilio/status?bodySHA256={hashlib.sha256(body.encode()).hexdigest()}"
    signature = RequestValidator(TOKEN).compute_signature(url, {})
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/json"}
    assert requests.post(url, data=body, headers=headers, timeout=20).status_code == 204
    other = body.replace("delivered", "failed")  # the URL's signature, another body
    assert requests.post(url, data=other, headers=headers, timeout=20).status_code == 403


def test_behind_a_trusted_tls_proxy_without_public_url(make_app, live):
    """The proxy says https and the public host; the app believes it from HOTLINE_TRUSTED_PROXIES
    proxies (ProxyFix), so what Twilio signed matches, and the next URLs are absolute and public."""
    server = live(make_app(twilio_auth_token=TOKEN, trusted_proxies=1))
    public = "https://hotline.example.org/hl/twilio/voice"
    form = {"From": SURVIVOR, "To": "+914400000000", "CallSid": "CA" + "7" * 32}
    signature = RequestValidator(TOKEN).compute_signature(public, form)
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hotline.example.org", "X-Forwarded-Prefix": "/hl",
               "X-Forwarded-For": "203.0.113.9"}
    reply = _post(server.url + "/twilio/voice", form, signature, **proxied)
    assert reply.status_code == 200, reply.text
    gather = ElementTree.fromstring(reply.text).find("Gather")
    assert gather.get("action") == "https://hotline.example.org/hl/twilio/voice/gather?n=1"
    # no trusted proxy: the same headers are not believed, and the signature does not match
    untrusting = live(make_app(twilio_auth_token=TOKEN))
    assert _post(untrusting.url + "/twilio/voice", form, signature, **proxied).status_code == 403


def test_callback_urls_are_absolute_from_public_url(make_app):
    app = make_app(public_url="https://hotline.example.org/hl", twilio_auth_token=TOKEN)  # no demo: signed
    form = {"From": SURVIVOR, "CallSid": "CA" + "8" * 32}
    signature = RequestValidator(TOKEN).compute_signature("https://hotline.example.org/hl/twilio/voice", form)
    reply = app.test_client().post("/twilio/voice", data=form,
                                   headers={"X-Forwarded-Prefix": "/ignored", "X-Twilio-Signature": signature})
    gather = ElementTree.fromstring(reply.get_data(as_text=True)).find("Gather")
    assert gather.get("action") == "https://hotline.example.org/hl/twilio/voice/gather?n=1"

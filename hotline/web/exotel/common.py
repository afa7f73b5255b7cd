"""What Exotel's webhooks share: its fields (a form, a query string or JSON: Exotel's products
post each), the caller, and the absolute URLs it is to call next, with the credentials in them."""

from __future__ import annotations

from flask import Response, request, url_for

from hotline.privacy.phones import e164
from hotline.services import current
from hotline.transport.exotel import with_credentials
from hotline.web.twilio.common import WITHHELD, metrics

XML = "application/xml"


def fields() -> dict:
    """Exotel's fields, wherever this product put them (the body's JSON, the form, the query)."""
    data = request.get_json(silent=True) if request.is_json else None
    merged = dict(request.values.items())
    if isinstance(data, dict):
        merged.update({k: v for k, v in data.items() if isinstance(v, (str, int, float))})
    return {k: str(v) for k, v in merged.items()}


def caller(form: dict, *names: str) -> str | None:
    """Her number in E.164, or None when withheld or unparseable: she still gets the flow.
    Exotel writes Indian numbers with a leading 0 (09876543210) as often as in E.164."""
    for name in names:
        raw = (form.get(name) or "").strip()
        if raw:
            return None if raw.lower() in WITHHELD else e164(raw, current().settings.extra.get("region", "IN"))
    return None


def digits(form: dict) -> str:
    """The keys pressed: DigitsPressed (ExoML), digits (applets, which wrap it in quotes)."""
    return (form.get("DigitsPressed") or form.get("digits") or form.get("Digits") or "").strip().strip('"')


def absolute(endpoint: str, **values) -> str:
    """The URL Exotel is to call next (a <Gather>'s action): PUBLIC_URL (else this request's own
    address) + the path, with the webhook credentials in it, as the URLs configured at Exotel."""
    settings = current().settings
    path = url_for(endpoint, **values)
    root = request.script_root
    if root and path.startswith(root):
        path = path[len(root):]
    base = settings.public_url or (request.host_url.rstrip("/") + root)
    return with_credentials(settings, base + path)


def exoml(body: str, status: int = 200) -> Response:
    metrics().requests.labels("exotel_voice", str(status)).inc()
    return Response(body, status=status, mimetype=XML)

"""What a provider needs to send a WhatsApp template, and how an inbound message's media is read
back from Twilio: with the account's credentials, from Twilio's own API host only, never through a
public URL (hotline/web/console/media.py plays it to the counsellor who holds her case)."""

from __future__ import annotations

import base64
import ipaddress
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

API = "https://api.twilio.com"
# Twilio's media of an inbound message (MediaUrl0 …) and its call recordings, of one account
MEDIA = re.compile(r"^https://api\.twilio\.com/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/"
                   r"(?:Messages/(?P<message>(?:MM|SM)[0-9a-fA-F]{32})/Media/(?P<media>ME[0-9a-fA-F]{32})"
                   r"|Recordings/(?P<recording>RE[0-9a-fA-F]{32}))"
                   r"(?:\.(?:mp3|wav|json))?$")
MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for one message's media


@dataclass(frozen=True)
class TemplateSend:
    """An approved template as sent: its name (whatsapp.yaml), the content SID of her language's
    copy and Twilio's ContentVariables ({"1": …})."""
    name: str
    content_sid: str
    variables: dict = field(default_factory=dict)


def twilio_media(url: str | None, account_sid: str | None) -> re.Match | None:
    """`url` as media of this Twilio account (its sids by name: account, message and media, or
    recording), else None. Nothing else is ever fetched, or deleted, with its credentials."""
    found = MEDIA.match(url or "")
    return found if found and account_sid and found["account"] == account_sid else None


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is followed by hand, without the credentials


def _may_follow(location: str, target: str) -> bool:
    """Twilio's redirect to its short-lived media URL: https to a host whose every address is
    public (never file://, a private network or the cloud's metadata address), or the API host
    itself (Twilio's, or the tests' stand-in). The address is checked as resolved now."""
    there, here = urlsplit(location), urlsplit(target)
    if not there.hostname or there.scheme not in ("https", "http"):
        return False
    found = _addresses(there.hostname, there.port or 443)
    if (there.scheme, there.port) == (here.scheme, here.port) and found & _addresses(here.hostname or "", 443):
        return True  # the API host itself, by another of its names (the stand-in: localhost, 127.0.0.1)
    return there.scheme == "https" and bool(found) and all(ipaddress.ip_address(a).is_global for a in found)


def _addresses(host: str, port: int) -> set[str]:
    try:
        return {info[4][0].split("%")[0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
    except OSError:
        return set()


def fetch_media(url: str, account_sid: str, auth_token: str, api: str = API, timeout: float = 10) -> tuple[bytes, str]:
    """(content, content type) of Twilio media, fetched with HTTP Basic auth (Twilio enforces it on
    media URLs). Twilio answers with a redirect to a short-lived signed URL elsewhere: that one is
    fetched without the credentials, which never leave for another host. `api`: Twilio's API host
    (a stand-in in the tests). Raises ValueError for a URL that is not this account's media, OSError
    when the media cannot be read."""
    if not twilio_media(url, account_sid):
        raise ValueError("not Twilio media of this account")
    target = api.rstrip("/") + url[len(API):]
    token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
    request = urllib.request.Request(target, headers={"Authorization": f"Basic {token}"})
    try:
        response = urllib.request.build_opener(_Stay).open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code not in (301, 302, 303, 307, 308) or not exc.headers.get("Location"):
            raise
        location = urljoin(target, exc.headers["Location"])
        if not _may_follow(location, target):
            raise OSError("media redirect to a place not allowed") from None
        # no further redirect either: that one would escape the check
        response = urllib.request.build_opener(_Stay).open(location, timeout=timeout)
    with response:
        content = response.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            raise OSError("media larger than WhatsApp allows")
        return content, response.headers.get_content_type()

"""On which channel a person is answered, and how: beside reach.py, which decides whether.

- A survivor (or an officer) is answered on the channel she last wrote on: the store keeps it
  (ContactChannel, under her keyed hash), with the time of her last WhatsApp message.
- Staff are reached as the staff file's `channels:` says: texts on the first of whatsapp/sms it
  lists, alert calls only when it lists voice.
- WhatsApp takes free text only within 24 hours of the person's last message to us (MARGIN
  before its end, so a queued send cannot land outside it and fail with 63016). Outside it an
  approved template goes instead (whatsapp.yaml): an alert to staff goes as the alert template
  with ACK/PASS buttons (always: its buttons are how she answers); any other message is held,
  sealed, and one neutral template asks her to write; the moment she does, what was held goes
  (response/held.py). Erased with her (store.erase_in) by DELETE and the safe word.

The hotline never sends media to her: nothing here takes any.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from hotline.jobs.enqueue import enqueue_release
from hotline.privacy.phones import caller_key
from hotline.response.whatsapp_templates import Template
from hotline.store.models import ContactChannel, HeldMessage, Relay
from hotline.transport.whatsapp import TemplateSend

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.people.staff import Person
    from hotline.services import Services

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window
MARGIN = timedelta(minutes=10)  # free text stops this long before the window closes
HELD = "held"  # what send() returns for a message held behind a template
TEXTS = ("whatsapp", "sms")  # the staff file's channels that carry texts, in the order they are tried


@dataclass(frozen=True)
class Route:
    channel: str  # sms | whatsapp
    free: bool = True  # WhatsApp: inside the 24-hour window, free text may go


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every one we store is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def inside(svc: Services, last: datetime | None) -> bool:
    """Is a person whose last WhatsApp message was at `last` inside her window now?"""
    return last is not None and svc.now() < aware(last) + WINDOW - MARGIN


# -- what she wrote on ------------------------------------------------------------------------------


def wrote(svc: Services, key: str, channel: str, *, release: bool = True) -> int:
    """A message came in from `key` on `channel` (sms or whatsapp): kept as the channel she is
    answered on; on WhatsApp its time opens her window again, and (`release`) whatever was held
    for her is queued to go now. Returns how many held messages were queued. An SMS reads first
    and writes only when she had been on WhatsApp: the SMS webhook stays one read.

    Her message is read before this runs (conversation/inbound.py): a message that is one of her
    controls (the safe word, DELETE, STOP) records nothing here and releases nothing."""
    if channel != "whatsapp":
        with svc.store.read() as s:  # the column alone: no row object to build on every SMS
            known = s.scalar(select(ContactChannel.channel).where(ContactChannel.caller_key == key))
        if known is None or known == channel:
            return 0
        with svc.store.session() as s:
            row = s.get(ContactChannel, key)
            if row is not None:
                row.channel = channel
        return 0
    with svc.store.session() as s:
        row = s.get(ContactChannel, key)
        if row is None:
            row = ContactChannel(caller_key=key)
            s.add(row)
        row.channel, row.whatsapp_at, row.template_at = "whatsapp", svc.now(), None
    return queue_held(svc, key) if release else 0


def queue_held(svc: Services, key: str) -> int:
    """Queue what was held for `key`: she wrote on WhatsApp, and it was not one of her controls."""
    with svc.store.read() as s:
        held = list(s.scalars(select(HeldMessage.id).where(HeldMessage.caller_key == key).order_by(HeldMessage.id)))
    for held_id in held:
        enqueue_release(svc, held_id)  # Redis away: the sweeper has them (releasable)
    return len(held)


def route(svc: Services, s, key: str) -> Route:
    """The channel a survivor (or an officer) is answered on: the one she last wrote on."""
    row = s.get(ContactChannel, key)
    if row is None or row.channel != "whatsapp":
        return Route("sms")
    return Route("whatsapp", inside(svc, row.whatsapp_at))


def reachable(svc: Services, s, key: str) -> bool:
    """False when she writes on WhatsApp and the line cannot send WhatsApp (Twilio without a
    WhatsApp sender): nothing is sent to her by SMS instead, a channel she did not use."""
    return svc.outbound.whatsapp_ready or route(svc, s, key).channel != "whatsapp"


def staff_route(svc: Services, s, person: Person) -> Route:
    """The channel a staff member's texts go on: the first of whatsapp/sms her `channels:` lists
    (SMS when WhatsApp cannot be sent)."""
    text = next((c for c in person.channels if c in TEXTS), "sms")
    if text != "whatsapp" or not svc.outbound.whatsapp_ready:
        return Route("sms")
    row = s.get(ContactChannel, caller_key(person.phone, svc.settings.secret_key))
    return Route("whatsapp", row is not None and inside(svc, row.whatsapp_at))


def vias(person: Person, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The ways a policy step alerts her, as her `channels:` allow: an alert call only when she
    lists voice, a text when she lists a text channel; never none (the step's own, then)."""
    allowed = tuple(v for v in wanted if (v == "voice" and "voice" in person.channels)
                    or (v == "sms" and any(c in TEXTS for c in person.channels)))
    return allowed or wanted


# -- sending --------------------------------------------------------------------------------------


def send(svc: Services, s, key: str, contact: str, body: str, *, about: str | None, lang: str,
         relay_id: int | None = None, template: str = "survivor_message", via: Route | None = None) -> str:
    """Send `body` to the person of `key` on her channel, in the caller's transaction: by SMS, or
    on WhatsApp as free text inside her window; outside it, held (sealed) behind one template.
    Returns the provider's id, or HELD (the template's own id is nobody's business: the message's
    receipts are those of the free text that follows)."""
    via = via or route(svc, s, key)
    if via.channel == "sms":
        return svc.outbound.sms(contact, body, session=s, about=about)
    if via.free:
        return svc.outbound.whatsapp(contact, body, session=s, about=about)
    s.add(HeldMessage(caller_key=key, about=about, contact=svc.store.seal(contact), body=svc.store.seal(body),
                      relay_id=relay_id))
    row = s.get(ContactChannel, key)
    if row is None:  # a staff member who never wrote to the line on WhatsApp
        row = ContactChannel(caller_key=key, channel="whatsapp")
        s.add(row)
    if row.template_at is not None and (row.whatsapp_at is None or aware(row.template_at) >= aware(row.whatsapp_at)):
        return HELD  # asked already: one template until she writes, however much waits
    row.template_at = svc.now()
    chosen = svc.whatsapp_templates[template]
    svc.outbound.whatsapp(contact, svc.catalog.own(chosen.stands_for, lang), session=s, about=about,
                          template=_as_sent(chosen, lang, {}))
    return HELD


def to_staff(svc: Services, s, person: Person, body: str, *, about: str | None = None) -> str:
    """A text to a staff member (a relay, a "taken" line, a follow-up …) on her channel."""
    via = staff_route(svc, s, person)
    return send(svc, s, caller_key(person.phone, svc.settings.secret_key), person.phone, body, about=about,
                lang=person.language, template="staff_message", via=via)


def alert(svc: Services, s, person: Person, body: str, params: dict, *, about: str | None) -> tuple[str, str]:
    """An alert to a staff member: on WhatsApp the alert template with its ACK/PASS buttons (in
    her window or not: the buttons are how she answers); else by SMS. (provider id, channel)."""
    via = staff_route(svc, s, person)
    if via.channel == "sms":
        return svc.outbound.sms(person.phone, body, session=s, about=about), "sms"
    chosen = svc.whatsapp_templates["staff_alert"]
    text = svc.catalog.own(chosen.stands_for, person.language, **params)
    return svc.outbound.whatsapp(person.phone, text, session=s, about=about,
                                 template=_as_sent(chosen, person.language, params)), "whatsapp"


def _as_sent(template: Template, lang: str, params: dict) -> TemplateSend:
    return TemplateSend(template.name, template.sid(lang), template.values(params))


# -- read receipts ------------------------------------------------------------------------------------

RECEIPTS = {"delivered": 1, "read": 2}  # never back: a late "delivered" does not undo "read"


def receipt(svc: Services, sid: str, state: str) -> bool:
    """A status callback for a message relayed to her: delivered, read (WhatsApp), failed or
    undelivered, kept on the relay for her counsellor's view of the case."""
    if not sid or state not in (*RECEIPTS, "failed", "undelivered"):
        return False
    with svc.store.session() as s:
        relay = s.scalars(select(Relay).where(Relay.transport_id == sid).with_for_update()).first()
        if relay is None:
            return False
        if state in RECEIPTS and RECEIPTS.get(relay.receipt or "", 0) >= RECEIPTS[state]:
            return True
        relay.receipt = state if state in RECEIPTS else "failed"
    return True

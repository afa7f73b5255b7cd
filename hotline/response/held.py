"""What was held for her on WhatsApp goes when she writes (response/whatsapp.py holds it, outside
her 24-hour window, behind one neutral template): `release`, one message at a time, asking reach
first; `releasable`, what the sweeper finds when the release was lost with Redis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from hotline.response import reach
from hotline.response.whatsapp import MARGIN, WINDOW, aware, inside
from hotline.store.models import Case, ContactChannel, HeldMessage, Relay

if TYPE_CHECKING:  # the services are passed in; only their type is named here
    from hotline.services import Services


def release(svc: Services, held_id: int) -> str:
    """A held message, once its person has written on WhatsApp since it was held (her window is
    open): sent as free text, if reach still says she may be reached: never after her STOP, her
    safe word or DELETE (they erased it), or once the case it belongs to has closed. Under her
    lock, as every send to her (store.lock_caller), taken before the row's own."""
    with svc.store.session() as s:
        whom = s.execute(select(HeldMessage.caller_key, HeldMessage.about).where(HeldMessage.id == held_id)).first()
        if whom is None:
            return "nothing to do"
        survivor = whom.about == whom.caller_key  # to her, not to a staff member about her
        svc.store.lock_caller(s, whom.about or whom.caller_key)
        row = s.scalars(select(HeldMessage).where(HeldMessage.id == held_id).with_for_update()).first()
        if row is None:
            return "nothing to do"
        channel = s.get(ContactChannel, row.caller_key)
        if channel is None or not inside(svc, channel.whatsapp_at) or aware(channel.whatsapp_at) < aware(row.at):
            return "waiting for her to write"
        if survivor:
            said = reach.case(svc, s, _case_of(s, row))
            if not said:
                s.delete(row)
                return f"not sent: {said.refused}"
        contact, body = svc.store.unseal(row.contact), svc.store.unseal(row.body) or ""
        if not contact:
            s.delete(row)
            return "not sent: erased"
        sid = svc.outbound.whatsapp(contact, body, session=s, about=row.about)
        if row.relay_id is not None and (relay := s.get(Relay, row.relay_id)) is not None:
            relay.transport_id, relay.receipt = sid, None  # its receipts are this message's
        s.delete(row)
    return "sent"


def _case_of(s, row: HeldMessage) -> Case | None:
    """The case a message held for her belongs to: its relay's, else her newest case."""
    if row.relay_id is not None and (relay := s.get(Relay, row.relay_id)) is not None:
        return s.get(Case, relay.case_id)
    return s.scalars(select(Case).where(Case.caller_key == row.caller_key).order_by(Case.id.desc())).first()


def releasable(svc: Services) -> list[tuple[tuple, None]]:
    """Held messages whose person has written since (their release lost with Redis): the sweeper's."""
    since = svc.now() - WINDOW + MARGIN
    with svc.store.session() as s:
        ids = s.scalars(select(HeldMessage.id).join(ContactChannel, ContactChannel.caller_key == HeldMessage.caller_key)
                        .where(ContactChannel.whatsapp_at >= HeldMessage.at, ContactChannel.whatsapp_at > since)).all()
    return [((i, ), None) for i in ids]

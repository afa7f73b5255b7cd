"""A voice message, a photo or a document she sent on WhatsApp, under her lock like any message.

A voice message becomes what a voicemail is: a high-priority escalation with the recording, which
only the counsellor her case is assigned to can play (the console fetches it from Twilio with the
account's credentials: hotline/web/console/media.py). A photo or a document (an injury, an FIR
copy) is attached to her case the same way and brings in a counsellor, never forwarded to anyone.
Each is kept as its Twilio media URL and content type, sealed, in the escalation's details, so
DELETE and the safe word erase it with the rest (store.anonymise). While someone holds her case,
nobody else is paged: the media joins that case and its counsellor is told to look."""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from hotline.jobs.enqueue import enqueue_send_relay
from hotline.response.chain import Caller, Request, open_escalation
from hotline.response.relay import active_escalation_for_case, pass_on
from hotline.services import Services
from hotline.store.models import Escalation, Relay

log = logging.getLogger(__name__)


def is_voice(media: list[tuple[str, str]]) -> bool:
    """Audio of any kind (WhatsApp's voice notes are audio/ogg; codecs=opus)."""
    return any(kind.lower().startswith("audio/") for _url, kind in media)


def received(svc: Services, key: str, number: str, media: list[tuple[str, str]], lang: str,
             relay_case: int | None, caption: str | None = None) -> str:
    """Keep her media on her case and bring in the right person; returns what she is told. Her
    caption goes with it: to the person who holds her case, or as her words to whoever takes it."""
    voice = is_voice(media)
    sealed = [svc.store.seal(json.dumps({"url": url, "type": kind})) for url, kind in media]
    if relay_case is not None:
        with svc.store.session() as s:
            held = active_escalation_for_case(s, relay_case)
            if held is not None:
                _attach(s, held, sealed, voice)
                row = Relay(case_id=relay_case, staff_id=None, direction="media",
                            body=svc.store.seal("(voice message)" if voice else "(photo or document)"))
                s.add(row)
                s.flush()
                relay_id = row.id
        if held is not None:
            enqueue_send_relay(svc, relay_id)  # the one who holds it is told to look in the console
            if caption:  # and what she wrote with it, as any words of hers
                pass_on(svc, relay_case, "to_staff", caption, None)
            return svc.catalog.own("whatsapp_voice_received" if voice else "whatsapp_media_received", lang)
    caller = Caller(key, number, "whatsapp", lang)
    if voice:
        open_escalation(svc, caller, Request(kind="voicemail", priority="high", role="counsellor",
                                             reason="voice message on WhatsApp",
                                             details={"media": sealed, "voice": True}), words=caption)
    else:
        escalation_id = open_escalation(svc, caller, Request(kind="counsellor", priority="normal", role="counsellor",
                                                             reason="sent a photo or document on WhatsApp"),
                                        words=caption)
        with svc.store.session() as s:  # a request she had running takes it (it may have been joined)
            e = s.scalars(select(Escalation).where(Escalation.id == escalation_id).with_for_update()).one()
            _attach(s, e, sealed, voice)
    log.info("whatsapp: %d media item(s) kept on her case (%s)", len(media), "voice" if voice else "file")
    return svc.catalog.own("whatsapp_voice_received" if voice else "whatsapp_media_received", lang)


def under_control(svc: Services, key: str, media: list[tuple[str, str]], escalated: list[int], ended: bool) -> None:
    """Media whose caption was one of her controls, once the control is carried out. Danger: the
    emergency it opened (or the request it joined) keeps it, sealed, as any media of hers. The safe word, DELETE,
    STOP or START: nothing of it is kept here, and Twilio's copy is deleted as an erasure's is
    (jobs/tasks.py forget_copies: sealed, under no key of hers)."""
    from hotline.jobs.enqueue import enqueue_perform
    from hotline.store.db import FORGET_COPIES
    from hotline.store.models import ERASED, Action, Case

    sealed = [svc.store.seal(json.dumps({"url": url, "type": kind})) for url, kind in media]
    with svc.store.session() as s:
        emergencies = [] if ended else list(s.scalars(
            select(Escalation).join(Case, Case.id == Escalation.case_id).where(
                Escalation.id.in_(escalated), Case.caller_key == key)
            .with_for_update()))
        for e in emergencies[:1]:
            _attach(s, e, sealed, is_voice(media))
        if not emergencies:
            action = Action(kind=FORGET_COPIES, caller_key=ERASED, channel="", lang="", status="pending",
                            payload={"copies": sealed})
            s.add(action)
            s.flush()
            action_id = action.id
    if emergencies:
        log.info("whatsapp: %d media item(s) captioned with danger kept on the emergency", len(media))
    else:
        enqueue_perform(svc, action_id)  # Redis away: the sweeper finds it pending
        log.info("whatsapp: %d media item(s) captioned with a control: not kept, Twilio's copy deleted", len(media))


def _attach(s, e: Escalation, sealed: list[str], voice: bool) -> None:
    details = dict(e.details or {})
    details["media"] = [*details.get("media", []), *sealed]
    if voice:
        details["voice"] = True
    e.details = details

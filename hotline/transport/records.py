"""Twilio's own Message and Call records of her. Deleting her media and recordings is not enough:
each Message record holds its body (her words, her counsellor's) and both numbers, each Call
record her number, until the account deletes it (Twilio keeps them otherwise). So the sid of each
record that holds her is kept here, sealed, under her keyed hash: her texts and calls in, and
what the line sends about her (`about`). Erasure (store.erase_in: DELETE, the safe word,
retention) hands them to a forget_copies action under no key of hers, which deletes each
through the REST API (jobs/tasks.py). The line's TwiML replies are records whose sids the line
never learns: README, "What Twilio and Exotel keep"."""

from __future__ import annotations

import json
import logging

from hotline.store.models import ERASED, ProviderRecord

log = logging.getLogger(__name__)


def keep(store, s, caller_key: str | None, kind: str, sid: str | None) -> None:
    """One record (kind: message | call) of her, in the caller's transaction. None after her
    erasure (a note to staff that she ended it names only its alert's code)."""
    if caller_key and caller_key != ERASED and sid:
        s.add(ProviderRecord(caller_key=caller_key, record=store.seal(json.dumps({kind: sid}))))


def keep_inbound(svc, caller_key: str, form, fresh: bool) -> None:
    """Her text (MessageSid) or her call (CallSid, once a call) as Twilio posted it: kept before
    the message is carried out, so the erasure it may ask for finds it. Never in the way of her
    answer: the store down, it is only logged."""
    sid, kind = form.get("MessageSid") or form.get("SmsSid"), "message"
    if not sid:
        sid, kind = (form.get("CallSid") if fresh else None), "call"
    if not sid or svc.outbound.twilio is None:
        return
    try:
        with svc.store.session() as s:
            keep(svc.store, s, caller_key, kind, sid)
    except Exception:  # noqa: BLE001 - a survivor must get an answer whatever broke
        log.exception("the provider's record of an inbound %s was not kept", kind)

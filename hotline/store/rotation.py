"""`hotline keys rotate`: every sealed field re-encrypted, every caller key re-keyed, under the
current SECRET_KEY (the keys themselves: hotline/privacy/keys.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update

from hotline.privacy.keys import legacy_caller_key
from hotline.privacy.phones import caller_key
from hotline.store.db import FORGET_COPIES
from hotline.store.models import (
    CALLER_KEY_COLUMNS,
    ERASED,
    SEALED_COLUMNS,
    SEALED_JSON,
    Action,
    ActionStatus,
    Case,
    ContactChannel,
    OptOut,
    Outbox,
)


@dataclass
class Rotation:
    """What `hotline keys rotate` changed."""

    resealed: int = 0  # encrypted fields re-encrypted with the current key
    unreadable: int = 0  # encrypted fields no key opens (left as they are)
    rekeyed: int = 0  # rows whose caller key was changed to the current key's
    numbers: int = 0  # distinct numbers known to the store (what caller keys can be re-keyed from)
    unmatched: int = 0  # rows with a caller key that no known number gives (left as they are)
    redis_keys: int = 0  # Redis keys renamed to the current caller key
    tables: dict = field(default_factory=dict)
    unopened: dict = field(default_factory=dict)  # where the unreadable ones are: "table.column[.key]" -> count


class Unreadable(Exception):
    """Sealed values that no key given opens: the rotation is refused and nothing is changed, for
    once SECRET_KEY_OLD is dropped they could never be opened again (a survivor's media, the
    provider's copies erasure must delete)."""

    def __init__(self, result: Rotation):
        super().__init__(", ".join(f"{n} in {where}" for where, n in sorted(result.unopened.items())))
        self.result = result


def rotate(store, secret: str, old: list[str], redis=None) -> Rotation:
    """Re-encrypt every sealed field with the current key and re-key every caller key.

    A caller key is an HMAC of her number: it can be re-keyed only from the number, so the
    numbers come from what the store holds (the sealed contact of cases and actions, the local
    outbox). A row keyed by a number the store no longer holds (an opt-out of someone who never
    had a case) keeps its old key and is counted in `unmatched`. Redis keys holding an old caller
    key (her conversation, language, relay) are renamed when `redis` is given; any missed expire
    on their own within a day. Run it with web and worker stopped; it runs in one transaction.

    Raises Unreadable, changing nothing, when any sealed value opens with none of the keys given."""

    result = Rotation()
    with store.session() as s:
        # 1. the numbers the store knows, and what each old way of keying made of them
        numbers: set[str] = set()
        for model in (Case, Action):
            for token in s.scalars(select(model.contact).where(model.contact.is_not(None))):
                number = store.unseal(token)
                if number:
                    numbers.add(number)
        numbers.update(n for n in s.scalars(select(Outbox.to).where(Outbox.about.is_not(None))) if n)
        result.numbers = len(numbers)
        mapping: dict[str, str] = {}
        for number in numbers:
            new = caller_key(number, secret)
            for s_old in (secret, *old):
                for old_key in (caller_key(number, s_old), legacy_caller_key(number, s_old)):
                    if old_key != new:
                        mapping[old_key] = new
        current = {caller_key(n, secret) for n in numbers}
        # 2. every sealed field, with the current key
        for model, column in SEALED_COLUMNS:
            attr = getattr(model, column)
            for row_id, token in s.execute(select(model.id, attr).where(attr.is_not(None))).all():
                fresh = _reseal(store, token, result, f"{model.__tablename__}.{column}")
                if fresh != token:
                    s.execute(update(model).where(model.id == row_id).values({column: fresh}))
                    result.resealed += 1
        # 2b. and every sealed value inside a JSON column
        for model, column, key in SEALED_JSON:
            for row in s.scalars(select(model)):
                held = dict(getattr(row, column) or {})
                if not held.get(key):
                    continue
                where = f"{model.__tablename__}.{column}.{key}"
                values = held[key] if isinstance(held[key], list) else [held[key]]
                fresh = [_reseal(store, token, result, where) for token in values]
                if fresh != values:
                    held[key] = fresh if isinstance(held[key], list) else fresh[0]
                    setattr(row, column, held)
                    result.resealed += sum(1 for a, b in zip(values, fresh, strict=True) if a != b)
        if result.unreadable:
            raise Unreadable(result)  # the transaction is rolled back: nothing changed
        # the provider's copies a forget_copies could not open before: now it can, so again
        s.execute(update(Action).where(Action.kind == FORGET_COPIES, Action.status == ActionStatus.FAILED)
                  .values(status=ActionStatus.PENDING, error=None))
        # 3. every caller key, to the current key's
        for model, column in CALLER_KEY_COLUMNS:
            attr = getattr(model, column)
            changed = 0
            for old_key in list(s.scalars(select(attr).where(attr.is_not(None)).distinct())):
                if old_key == ERASED or old_key in current:
                    continue
                new = mapping.get(old_key)
                if new is None:
                    result.unmatched += s.query(model).filter(attr == old_key).count()
                    continue
                if model in (OptOut, ContactChannel) and s.get(model, new) is not None:  # the primary key: one a caller
                    s.delete(s.get(model, old_key))
                    changed += 1
                    continue
                changed += s.execute(update(model).where(attr == old_key).values({column: new})).rowcount
            result.tables[model.__tablename__] = changed
            result.rekeyed += changed
    if redis is not None and mapping:
        for name in redis.scan_iter(match="hotline:*", count=1000):
            text = name.decode() if isinstance(name, bytes) else name
            head, _, tail = text.rpartition(":")
            if tail in mapping and head:
                redis.rename(text, f"{head}:{mapping[tail]}")
                result.redis_keys += 1
    store.checkpoint()
    return result


def _reseal(store, token: str, result: Rotation, where: str) -> str:
    """`token` under the current key; counted in `result` when no key opens it. A voicemail's
    address kept in clear before #30 is sealed now."""
    if token.startswith(("https://", "http://")):
        return store.seal(token)
    try:
        return store.reseal(token)
    except ValueError:
        result.unreadable += 1
        result.unopened[where] = result.unopened.get(where, 0) + 1
        return token

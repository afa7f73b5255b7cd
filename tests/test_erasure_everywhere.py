"""#26 item 5: retention and erasure reach every table and every copy of her."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import JSON, ForeignKey, Text

from hotline.jobs.retention import BY_CASE, BY_KEY, KEPT, purge
from hotline.privacy.phones import caller_key
from hotline.store import db, legal
from hotline.store.models import CALLER_KEY_COLUMNS, SEALED_COLUMNS, SEALED_JSON, Base

from .helpers import run_worker, sms_form
from .test_actions import everything_in

SURVIVOR = "+919876543210"

# Text and JSON columns that hold nothing of hers, each with why; a new one is sealed or named here.
NOT_HERS = {
    ("actions", "kind"), ("actions", "error"), ("actions", "payload"),  # payload: category, district; sealed copies
    ("outbox", "body"), ("outbox", "call"), ("outbox", "variables"),  # the local demo outbox: erased by `about`
    ("audit", "detail"),  # ids and counts, never words (Store.audit_in)
    ("escalations", "reason"), ("escalations", "details"), ("escalations", "risk_reasons"),  # blanked by anonymise
}


def _case_tables() -> set[str]:
    """Every table that hangs off a case (or off a DIR of one): erased with it."""
    return {t.name for t in Base.metadata.sorted_tables
            if any(isinstance(fk, ForeignKey) and fk.column.table.name in ("cases", "dirs")
                   for c in t.columns for fk in c.foreign_keys)}


def test_every_column_that_can_hold_her_is_named_by_erasure_and_by_retention():
    """A table that gains a caller key, a sealed number or her words must be named in the lists
    erasure (store.erase_in / anonymise), key rotation and retention read, or this fails."""
    keyed = {(m.__tablename__, c) for m, c in CALLER_KEY_COLUMNS}
    holding = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns
               if c.name in ("caller_key", "about")}
    assert holding == keyed
    # retention dates every keyed table (or keeps it, saying why)
    dated = {(m.__tablename__, c) for m, c, _ in BY_KEY} | {(m.__tablename__, "caller_key") for m in KEPT}
    assert keyed <= dated, keyed - dated
    # every table on a case is dated by retention and erased by anonymise (or legal.reduce)
    erased_by_case = {t.__tablename__ for t in db.CASE_TABLES} | set(legal.TABLES) | {"escalations"}
    assert _case_tables() <= {m.__tablename__ for m, _ in BY_CASE} | {"dir_forwardings"}
    assert _case_tables() <= erased_by_case, _case_tables() - erased_by_case
    # every free-text or JSON column is sealed, or says why it holds nothing of hers
    sealed = {(m.__tablename__, c) for m, c in SEALED_COLUMNS} | {(m.__tablename__, c) for m, c, _ in SEALED_JSON}
    words = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns
             if isinstance(c.type, Text | JSON) and t.name in {n for n, _ in keyed} | _case_tables()}
    assert words <= sealed | NOT_HERS, words - sealed - NOT_HERS
    # and every table erasure touches is vacuumed after it
    assert {n for n, _ in keyed} | _case_tables() <= set(db.ERASURE_TABLES)


def test_a_woman_who_only_asked_for_a_shelter_list_is_erased_after_the_retention_period(
        make_app, database_url, redis_client):
    """She asked for shelters in Chennai by SMS and never wrote again: once the retention period
    has passed, nothing of her (keyed hash, number, what she asked for) is left in any table."""
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    for body in ("hi", "1", "yes", "2", "1", "Chennai"):  # English, safe, information, shelter in Chennai
        client.post("/twilio/sms", data=sms_form(SURVIVOR, body))
    run_worker(svc, burst=True)
    key = caller_key(SURVIVOR, svc.settings.secret_key)
    assert key in everything_in(svc, redis_client)
    days = svc.settings.retention_days

    svc.clock.set(svc.now() + timedelta(days=days - 1))
    assert purge(svc, days) == 0  # within the period: kept
    assert key in everything_in(svc, redis_client)

    svc.clock.set(svc.now() + timedelta(days=2))
    assert purge(svc, days) == 1
    redis_client.flushdb()  # what Redis holds expires on its own; the store is what must be clean
    scan = everything_in(svc, redis_client)
    for trace in (key, SURVIVOR, "9876543210", "Chennai", "shelter"):
        assert trace not in scan, trace

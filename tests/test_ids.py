"""Ids never come back (#33): a row's id, once erased, is never given to another row, on SQLite
as on PostgreSQL; audit rows, DIR numbers and the simulator's `after=<last id>` rely on it."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select

from hotline import services
from hotline.casework import incident_reports
from hotline.privacy.phones import caller_key
from hotline.store import Store
from hotline.store.models import Audit, Case, DomesticIncidentReport

from .helpers import text as sms

HER, NEXT, KAVITHA = "+919876543210", "+919876500000", "+919840000001"


def _case(svc, number: str) -> int:
    with svc.store.session() as s:
        case = Case(caller_key=caller_key(number, svc.settings.secret_key), contact=svc.store.seal(number),
                    lang="en", channel="sms", status="open")
        s.add(case)
        s.flush()
        return case.id


def test_an_erased_womans_dir_number_and_messages_are_never_given_to_the_next(make_app, database_url):
    app = make_app(database_url=database_url)
    svc = services.use(app.extensions["hotline"])
    hers = incident_reports.save(svc, None, _case(svc, HER), {"name": "Lakshmi"}, "en")
    alert = svc.outbound.sms(KAVITHA, "an alert about her", about=caller_key(HER, svc.settings.secret_key))
    seen = app.test_client().get(f"/simulator/outbox?to={KAVITHA}&after=0").get_json()
    assert [r["body"] for r in seen] == ["an alert about her"] and alert
    sms(app.test_client(), HER, "DELETE")  # her draft DIR and the alert about her are erased
    assert incident_reports.get(svc, hers) is None
    # the audit's "DIR <hers>" names nobody else's DIR
    assert incident_reports.save(svc, None, _case(svc, NEXT), {"name": "Meena"}, "en") > hers
    # the simulator's counsellor phone, which saw the alert, sees what comes after it
    svc.outbound.sms(KAVITHA, "the next message")
    later = app.test_client().get(f"/simulator/outbox?to={KAVITHA}&after={seen[-1]['id']}").get_json()
    assert [r["body"] for r in later] == ["the next message"]


def test_a_sqlite_store_migrated_from_before_keeps_its_rows_and_never_reuses_their_ids(tmp_path):
    path = tmp_path / "old.db"
    store = Store(f"sqlite:///{path}", "secret")
    with store.engine.begin() as conn:  # the store as it was before ids were kept (0009)
        from alembic import command

        command.upgrade(store.alembic_config(conn), "0009")
    with store.session() as s:
        s.add_all([Audit(event="one"), Audit(event="two"), Audit(event="three", detail={"dir": 7, "case": 3})])
    store.create()  # `hotline db upgrade`: 0010 rebuilds the tables with their rows
    with store.session() as s:
        assert [a.event for a in s.scalars(select(Audit).order_by(Audit.id))] == ["one", "two", "three"]
        # DIR 7, erased before the migration, is still named by the audit: the next DIR is 8
        case = Case(caller_key="k" * 32, lang="en", channel="sms", status="open")
        s.add(case)
        s.flush()
        report = DomesticIncidentReport(case_id=case.id, status="draft", lang="en", content="")
        s.add(report)
        s.flush()
        assert (case.id, report.id) == (4, 8)
        s.delete(s.scalars(select(Audit).where(Audit.event == "three")).one())
    with store.session() as s:
        s.add(Audit(event="four"))
    with store.read() as s:
        assert [a.id for a in s.scalars(select(Audit).order_by(Audit.id))] == [1, 2, 4]
    store.engine.dispose()
    with sqlite3.connect(path) as conn:  # and its indexes came through the rebuild
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'ix_audit_caller_key'").fetchone() == (1,)


def test_every_table_with_an_integer_id_never_reuses_one_in_a_migrated_sqlite_store(sqlite_url):
    """Tables added later too: their model and their migration both say AUTOINCREMENT."""
    from sqlalchemy import Integer

    from hotline.store.models import Base

    numbered = {t.name for t in Base.metadata.sorted_tables
                if len(t.primary_key.columns) == 1 and isinstance(next(iter(t.primary_key.columns)).type, Integer)}
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        made = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    assert numbered and {name for name in numbered if "AUTOINCREMENT" not in made[name]} == set()

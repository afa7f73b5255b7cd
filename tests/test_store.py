"""The store's schema is what its migrations make, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hotline.store import Store
from hotline.store.models import Base


def test_the_migrations_make_exactly_the_models_schema(unmigrated_database_url):
    store = Store(unmigrated_database_url, "secret")
    assert not store.up_to_date()  # a new database: every migration runs
    store.create()
    store.create()  # a second start finds nothing to do
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_contacts_are_sealed_and_only_the_right_key_opens_them(sqlite_url):
    store = Store(sqlite_url, "secret")
    sealed = store.seal("+919876543210")
    assert "9876543210" not in sealed
    assert store.unseal(sealed) == "+919876543210"
    assert Store(sqlite_url, "another secret").unseal(sealed) is None


def test_the_instance_folder_and_the_sqlite_files_are_their_owners_only(make_app, tmp_path):
    import stat

    instance = tmp_path / "inst"
    app = make_app(instance=instance, database_url=f"sqlite:///{instance / 'hotline.db'}")
    client = app.test_client()
    client.post("/twilio/sms", data={"From": "+919876543210", "To": "+914400000000", "Body": "hi",
                                     "MessageSid": "SM" + "4" * 32})
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    files = sorted(instance.glob("hotline.db*")) + [instance / "secret_key"]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files if p.exists()), files


def test_erasure_and_key_rotation_know_every_column_that_holds_a_callers_key():
    from hotline.store.models import CALLER_KEY_COLUMNS, Base

    holding = {(table.name, column.name) for table in Base.metadata.sorted_tables for column in table.columns
               if column.name in ("caller_key", "about")}
    assert holding == {(model.__tablename__, column) for model, column in CALLER_KEY_COLUMNS}


def test_a_pooled_connection_is_pinged_after_lying_idle_and_replaced_when_dead(_database_url, monkeypatch):
    """PostgreSQL: a connection used a moment ago goes back to work without a ping (a round trip per
    transaction was a tenth of a chain step's time, bench/escalation.py --profile); one that lay idle
    is pinged, and one whose server side is gone (a restart, pg_terminate_backend) is replaced
    before the transaction starts, never failing it."""
    from sqlalchemy import event, text

    from hotline.store import db

    url = _database_url("postgresql")
    store = Store(url, "test")
    pings = []
    real_ping = store.engine.dialect.do_ping
    monkeypatch.setattr(store.engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    try:
        with store.engine.connect() as conn:
            pid = conn.scalar(text("SELECT pg_backend_pid()"))
        for _ in range(5):  # a burst: the same pooled connection, no ping
            with store.engine.connect() as conn:
                assert conn.scalar(text("SELECT pg_backend_pid()")) == pid
        assert pings == []

        killer = Store(url, "test")
        with killer.engine.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.engine.dispose()
        connects = []
        event.listen(store.engine, "connect", lambda *_: connects.append(1))
        monkeypatch.setattr(db, "PING_IDLE", 0.0)  # as if it had lain idle
        with store.engine.connect() as conn:
            assert conn.scalar(text("SELECT pg_backend_pid()")) != pid
        assert pings and connects == [1]
    finally:
        store.engine.dispose()

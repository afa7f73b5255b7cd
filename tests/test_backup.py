"""Issue 29, item 5: `hotline backup` and `hotline restore` keep DELETE's promise. A woman erased
after a backup was taken is erased again when it is restored (the erasure journal, outside the
store); the file is encrypted and its owner's only. On SQLite and on PostgreSQL (pg_dump's
custom format: skipped, with the reason, where pg_dump is not installed)."""

from __future__ import annotations

import shutil
import stat

import pytest
from sqlalchemy import func, inspect, select, text

from hotline.privacy.phones import caller_key
from hotline.store.models import Case, OptOut

from .cli import cli
from .helpers import text as sms

HER, OTHER = "+919876543210", "+919876543211"


def ask_for_a_counsellor(client, number: str) -> None:
    for body in ("hi", "1", "1", "1"):
        sms(client, number, body)


def anything_of(svc, number: str) -> dict[str, int]:
    """Every row that carries her keyed hash, by table, and every case sealed with her number."""
    key = caller_key(number, svc.settings.secret_key)
    found = {}
    with svc.store.read() as s:
        for table in inspect(s.get_bind()).get_table_names():
            columns = {c["name"] for c in inspect(s.get_bind()).get_columns(table)}
            for column in {"caller_key", "about"} & columns:
                n = s.scalar(text(f'SELECT count(*) FROM "{table}" WHERE "{column}" = :key'), {"key": key})
                if n:
                    found[f"{table}.{column}"] = n
        sealed = [svc.store.unseal(c) for c in s.scalars(select(Case.contact).where(Case.contact.is_not(None)))]
    if number in sealed:
        found["cases.contact"] = sealed.count(number)
    return found


def test_a_restore_brings_back_nobody_who_was_erased_after_the_backup(make_app, database_url, tmp_path):
    if database_url.startswith("postgres") and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client)")
    app = make_app(database_url=database_url)
    svc = app.extensions["hotline"]
    client = app.test_client()
    ask_for_a_counsellor(client, HER)
    ask_for_a_counsellor(client, OTHER)
    assert anything_of(svc, HER)  # her case, her audit entries, her number sealed on it

    file = tmp_path / "hotline.backup"
    assert cli("backup", str(file)).exit_code == 0
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    raw = file.read_bytes()
    assert b"SQLite format 3" not in raw and b"PGDMP" not in raw  # neither dump in the clear

    sms(client, HER, "DELETE")  # after the backup
    sms(client, OTHER, "STOP")  # after the backup too: the restore takes it back
    assert not anything_of(svc, HER)
    other = caller_key(OTHER, svc.settings.secret_key)
    with svc.store.read() as s:
        assert s.get(OptOut, other) is not None

    restored = cli("restore", str(file))
    assert restored.exit_code == 0, restored.stderr
    assert "1 erasure(s)" in restored.stdout
    assert not anything_of(svc, HER)  # nothing of her came back
    with svc.store.read() as s:
        assert s.get(OptOut, other) is None  # the store is the backup's
        assert s.scalar(select(func.count(Case.id)).where(Case.caller_key == other)) == 1


def test_a_backup_opens_only_with_its_secret_key(make_services, sqlite_url, tmp_path):
    svc = make_services(database_url=sqlite_url)
    file = tmp_path / "hotline.backup"
    assert cli("backup", str(file)).exit_code == 0
    svc.settings.secret_key = "another key altogether"
    refused = cli("restore", str(file))
    assert refused.exit_code == 1 and "SECRET_KEY" in refused.stderr


def test_on_postgresql_an_erasure_vacuums_what_it_deleted(make_app, _database_url):
    """Her deleted rows are not left on disk as dead tuples until autovacuum gets round to them."""
    app = make_app(database_url=_database_url("postgresql"))
    svc = app.extensions["hotline"]
    client = app.test_client()
    ask_for_a_counsellor(client, HER)

    def vacuumed() -> dict:
        with svc.store.engine.connect() as conn:
            return dict(conn.execute(text("SELECT relname, last_vacuum FROM pg_stat_user_tables "
                                          "WHERE relname IN ('cases', 'escalations', 'audit', 'actions')")).all())

    before = vacuumed()
    sms(client, HER, "DELETE")
    after = vacuumed()
    assert set(after) == {"cases", "escalations", "audit", "actions"}
    for table, at in after.items():
        assert at is not None and (before.get(table) is None or at > before[table]), table


def test_a_backup_older_than_the_erasure_journal_is_refused(make_services, sqlite_url, tmp_path):
    """The journal keeps 35 days (HOTLINE_BACKUP_KEEP_DAYS): an older backup could bring back a
    woman whose erasure it no longer holds, so it is not restored at all."""
    from datetime import timedelta

    svc = make_services(database_url=sqlite_url)
    old, new = tmp_path / "old.backup", tmp_path / "new.backup"
    assert cli("backup", str(old)).exit_code == 0
    svc.clock.set(svc.now() + timedelta(days=40))
    assert cli("backup", str(new)).exit_code == 0  # drops the journal's entries older than 35 days
    refused = cli("restore", str(old))
    assert refused.exit_code == 1 and "erasure journal" in refused.stderr
    assert cli("restore", str(new)).exit_code == 0

"""ids never reused: SQLite's tables with an integer id rebuilt with AUTOINCREMENT (#33)

SQLite hands the id of a deleted last row to the next row unless the table is AUTOINCREMENT: an
erased woman's DIR number went to the next woman's DIR, under audit rows that named the first,
and the simulator (polling `after=<last id>`) never showed later messages. A rebuilt table's
sequence starts past its largest id today and past every id of it the audit names (a DIR erased
before this migration is still named there); other ids freed before it cannot be known.
PostgreSQL's sequences never reuse an id: nothing to do there.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 01:00:00.000000
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# every table whose primary key is an integer id (the others are keyed by a caller key or a key)
TABLES = ('actions', 'outbox', 'audit', 'staff', 'cases', 'escalations', 'notifications', 'notes',
          'relays', 'followups', 'case_records', 'referrals', 'dirs', 'dir_forwardings', 'court_orders',
          'offline_contacts', 'held_messages')


# the audit detail's key naming a row of each table (store.audit(..., dir=7))
NAMED_BY_AUDIT = {'dirs': 'dir', 'cases': 'case', 'escalations': 'escalation', 'court_orders': 'order',
                  'relays': 'relay'}


def _past_the_audit() -> None:
    """Each sequence past the ids the audit names, so no old audit row names a new row."""
    conn = op.get_bind()
    for table, key in NAMED_BY_AUDIT.items():
        named = conn.exec_driver_sql(
            f"SELECT max(CAST(json_extract(detail, '$.{key}') AS INTEGER)) FROM audit").scalar()
        if not named:
            continue
        seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).scalar()
        if seq is None:
            conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, named))
        elif seq < named:
            conn.exec_driver_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (named, table))


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        # recreate: a new table (with or without AUTOINCREMENT), the rows copied with their ids,
        # the old one dropped; SQLite does not enforce foreign keys here (the store never turns
        # them on), so the tables that point at this one are untouched
        with op.batch_alter_table(table, recreate='always',
                                  table_kwargs={'sqlite_autoincrement': autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)
    if op.get_bind().dialect.name == 'sqlite':
        _past_the_audit()


def downgrade() -> None:
    _rebuild(False)

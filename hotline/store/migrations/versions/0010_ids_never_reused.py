"""ids never reused: SQLite's tables with an integer id rebuilt with AUTOINCREMENT (#33)

SQLite hands the id of a deleted last row to the next row unless the table is AUTOINCREMENT: an
erased woman's DIR number went to the next woman's DIR, under audit rows that named the first,
and the simulator (polling `after=<last id>`) never showed later messages. A rebuilt table's
sequence starts at its largest id today; an id already freed before this migration cannot be
known. PostgreSQL's sequences never reuse an id: nothing to do there.

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


def downgrade() -> None:
    _rebuild(False)

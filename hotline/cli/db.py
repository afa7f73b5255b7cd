"""`hotline db upgrade`: the store brought up to date (hotline.services.upgrade)."""

from __future__ import annotations

import click

from hotline.cli.common import setup_logging


@click.group(help="the durable store")
def db() -> None:
    pass


@db.command(help="migrate the database to the newest schema (Alembic) and, into a store with no "
                 "staff yet, import HOTLINE_STAFF (make run, hotline serve and hotline worker run this)")
def upgrade() -> int:
    from hotline import services

    setup_logging()
    services.upgrade(services.current())
    return 0

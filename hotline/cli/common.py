"""What the commands share: logging, the hotline's services for a command on the store, and the
staff's clock."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import click

from hotline.clock import LOG_FORMAT, StaffClock

if TYPE_CHECKING:  # imported by each command that uses it: `hotline --help` loads none of it
    from datetime import datetime

    from hotline.services import Services


def setup_logging() -> None:
    """Log lines on standard error, at LOG_LEVEL, and never a phone number or a message body
    (hotline.privacy.logfilter: on every handler, RQ's and gunicorn's too)."""
    from hotline.privacy.logfilter import install

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    for handler in logging.getLogger().handlers:
        handler.setFormatter(StaffClock(LOG_FORMAT))
    # `hotline db upgrade` (and serve and worker, which run it) bring the schema up to date: say so
    # only when something goes wrong (not ~9 lines of "Context impl …, Running upgrade …")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    install()


def services() -> Services:
    """The hotline's services (hotline.services.current()) for a command on the store, with logging
    set up; a store that `hotline db upgrade` has not brought up to date is refused (exit 1)."""
    from hotline.services import current

    setup_logging()
    svc = current()
    if not svc.store.up_to_date():
        click.echo("the database is not up to date: run `hotline db upgrade` first (make run, hotline serve "
                   "and hotline worker run it as they start)", err=True)
        raise click.exceptions.Exit(1)
    return svc


def staff_time(svc: Services, at: datetime) -> datetime:
    """A stored time (UTC; naive in the store) on the staff's clock: the staff file's timezone."""
    from datetime import UTC

    return (at.replace(tzinfo=UTC) if at.tzinfo is None else at).astimezone(svc.staff.zone)

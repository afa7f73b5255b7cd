"""`hotline backup FILE` and `hotline restore FILE` (hotline/store/backup.py)."""

from __future__ import annotations

import os

import click

from hotline.cli.common import services


@click.command(help="an encrypted dump of the store (0600), readable only with SECRET_KEY")
@click.argument("file")
def backup(file: str) -> int:
    from hotline.store.backup import BackupError
    from hotline.store.backup import backup as take

    svc = services()
    keep = int(os.environ.get("HOTLINE_BACKUP_KEEP_DAYS") or 35)
    try:
        taken = take(svc.store, svc.settings, file, keep_days=keep)
    except BackupError as exc:
        click.echo(str(exc), err=True)
        return 1
    click.echo(f"{file}: the store as of {taken:%Y-%m-%d %H:%M:%S} UTC, encrypted; keep backups at most "
               f"{keep} days (HOTLINE_BACKUP_KEEP_DAYS)")
    return 0


@click.command(help="the store from a backup, then every erasure made after it again (web and worker stopped)")
@click.argument("file")
def restore(file: str) -> int:
    from hotline.cli.common import setup_logging
    from hotline.services import current
    from hotline.store.backup import BackupError
    from hotline.store.backup import restore as put_back

    setup_logging()
    svc = current()  # the store may be empty or behind: a restore needs no upgrade first
    try:
        taken, erased = put_back(svc.store, svc.settings, file)
    except BackupError as exc:
        click.echo(str(exc), err=True)
        return 1
    click.echo(f"{file}: the store as of {taken:%Y-%m-%d %H:%M:%S} UTC is back; {erased} erasure(s) made since "
               "then made again. Run `hotline db upgrade`, then start web and worker")
    return 0

"""`hotline backup FILE` and `hotline restore FILE`: the store in one encrypted file, and back.

- PostgreSQL: pg_dump's custom format (pg_restore reads it back, --clean); SQLite: the database
  through SQLite's backup API. Either is kept in memory, never written out in the clear.
- Encrypted (Fernet: AES-128-CBC and HMAC-SHA256) with a key HKDF derives from SECRET_KEY for
  backups alone (hotline/privacy/keys.py); the file is created 0600. Without SECRET_KEY (or the
  old key in SECRET_KEY_OLD) a backup cannot be opened, and the numbers sealed in it neither.
- A restore then erases again everyone the erasure journal (hotline/store/journal.py) names from
  the moment the backup was begun: DELETE's promise holds across a restore. A backup older than
  the journal's start is refused, not restored without them.

Web and worker must be stopped for a restore (README, Backups)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from cryptography.fernet import InvalidToken
from sqlalchemy import make_url

from hotline.privacy.keys import backup_fernet
from hotline.store.journal import Journal

MAGIC = b"hotline-backup 1\n"
LAST = "last-backup"  # instance/last-backup: when the last one was taken (hotline doctor reads it)


class BackupError(Exception):
    """What went wrong, in words an operator can act on."""


def kind(url: str) -> str:
    return "postgresql" if url.startswith("postgres") else "sqlite"


def _libpq(url: str) -> tuple[str, dict]:
    """pg_dump's and pg_restore's connection string, and their environment: the password in
    PGPASSWORD, never on a command line (ps shows those)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: apt-get install postgresql-client (its version at least the server's)")
    return found


def dump(store, url: str) -> bytes:
    if kind(url) == "postgresql":
        dsn, env = _libpq(url)
        done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", f"--dbname={dsn}"],
                              env=env, capture_output=True)
        if done.returncode:
            raise BackupError(f"pg_dump failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout
    source = sqlite3.connect(make_url(url).database)
    copy = sqlite3.connect(":memory:")
    try:
        source.backup(copy)
        data = bytearray(copy.serialize())
        data[18:20] = b"\x01\x01"  # the header's WAL mark off: SQLite opens no WAL database in memory
        return bytes(data)
    finally:
        source.close()
        copy.close()


def load(store, url: str, data: bytes) -> None:
    store.engine.dispose()  # no connection of ours holds a table pg_restore drops
    if kind(url) == "postgresql":
        dsn, env = _libpq(url)
        done = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl",
                               "--single-transaction", f"--dbname={dsn}"], input=data, env=env, capture_output=True)
        if done.returncode:
            raise BackupError(f"pg_restore failed: {done.stderr.decode(errors='replace').strip()}")
        return
    copy = sqlite3.connect(":memory:")
    target = sqlite3.connect(make_url(url).database)
    try:
        copy.deserialize(data)
        copy.backup(target)
    finally:
        copy.close()
        target.close()


def backup(store, settings, file: str | Path, keep_days: int = 35) -> datetime:
    """The store into `file`, encrypted, 0600; returns when it was begun. The journal's entries
    older than `keep_days` (no backup kept is older: README, Backups) are dropped."""
    from datetime import timedelta

    taken = store.clock.now()
    header = json.dumps({"taken_at": taken.isoformat(), "kind": kind(settings.database_url)}).encode()
    sealed = backup_fernet(settings.secret_key).encrypt(header + b"\n" + dump(store, settings.database_url))
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)  # an older file of the same name may have had other modes
        f.write(MAGIC + sealed)
    (Path(settings.instance) / LAST).write_text(taken.isoformat() + "\n")
    if store.journal is not None:
        store.journal.drop_before(taken - timedelta(days=keep_days))
    return taken


def restore(store, settings, file: str | Path) -> tuple[datetime, int]:
    """The store as `file` holds it, then every erasure since it was begun made again. Returns
    when the backup was begun and how many people were erased again."""
    raw = Path(file).read_bytes()
    if not raw.startswith(MAGIC):
        raise BackupError(f"{file} is not a hotline backup")
    try:
        plain = backup_fernet(settings.secret_key, settings.old_secret_keys).decrypt(raw[len(MAGIC):])
    except InvalidToken:
        raise BackupError(f"{file} was not made under this SECRET_KEY (nor SECRET_KEY_OLD): it cannot be opened") from None
    head, data = plain.split(b"\n", 1)
    header = json.loads(head)
    taken = datetime.fromisoformat(header["taken_at"])
    if header["kind"] != kind(settings.database_url):
        raise BackupError(f"{file} is a {header['kind']} backup; DATABASE_URL is {kind(settings.database_url)}")
    journal: Journal | None = store.journal
    since = journal.since() if journal is not None else None
    if since is not None and taken < since:
        raise BackupError(f"{file} was taken {taken:%Y-%m-%d}, before the erasure journal begins ({since:%Y-%m-%d}): "
                          "restoring it could bring back women who asked to be erased. Use a newer backup")
    load(store, settings.database_url, data)
    keys = journal.keys_erased_since(taken) if journal is not None else []
    store.journal = None  # erased again, not journalled again
    try:
        for key in keys:
            store.erase(key)
    finally:
        store.journal = journal
    return taken, len(keys)


def last_backup(instance: str | Path) -> datetime | None:
    marker = Path(instance) / LAST
    try:
        return datetime.fromisoformat(marker.read_text().strip())
    except (OSError, ValueError):
        return None

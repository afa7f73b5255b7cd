"""The erasure journal: every DELETE and safe word, by her keyed hash and time, in a file beside
the store, never in it. A backup taken before she was erased still holds her; `hotline restore`
erases again everyone the journal names from the backup's time on, so a restore never brings
her back (README, Backups). Her keyed hash is what the store knew her by (an HMAC under
SECRET_KEY, no number); entries older than the oldest backup kept are dropped at each backup."""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

NAME = "erasures.jsonl"


def path_for(instance: Path) -> Path:
    """HOTLINE_ERASURE_JOURNAL, else instance/erasures.jsonl (instance/ is its owner's only)."""
    return Path(os.environ.get("HOTLINE_ERASURE_JOURNAL") or Path(instance) / NAME)


class Journal:
    def __init__(self, path: Path):
        self.path = Path(path)

    def record(self, caller_key: str, at: datetime) -> None:
        """Appended and on disk before the erasure commits: an entry for an erasure that then
        failed only erases her again at a restore, which she asked for."""
        line = json.dumps({"key": caller_key, "at": at.isoformat()}) + "\n"
        with self._locked() as fd:
            os.write(fd, line.encode())
            os.fsync(fd)

    @contextmanager
    def _locked(self):
        """The journal's file, open for appending under its lock. A backup replaces the file while
        pruning it (drop_before): an entry written to the file it replaced would be lost, so a
        writer that finds the path pointing elsewhere once it holds the lock opens it again."""
        while True:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # its lock goes with it
        try:
            yield fd
        finally:
            os.close(fd)

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def since(self) -> datetime | None:
        """From when the journal is whole (None: since the line began)."""
        first = next(iter(self.entries()), None)
        return datetime.fromisoformat(first["since"]) if first and "since" in first else None

    def keys_erased_since(self, at: datetime) -> list[str]:
        found = []
        for entry in self.entries():
            if "key" in entry and datetime.fromisoformat(entry["at"]) >= at and entry["key"] not in found:
                found.append(entry["key"])
        return found

    def drop_before(self, cutoff: datetime) -> None:
        """Entries before `cutoff` go (no backup kept is that old); the file then says from when it
        is whole, so a restore of an older backup is refused rather than incomplete."""
        with self._locked():  # no erasure is written meanwhile, to the file about to be replaced
            kept = [e for e in self.entries() if "key" in e and datetime.fromisoformat(e["at"]) >= cutoff]
            since = max(filter(None, [self.since(), cutoff]))
            new = self.path.with_suffix(".tmp")
            fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(json.dumps({"since": since.isoformat()}) + "\n")
                f.writelines(json.dumps(e) + "\n" for e in kept)
                f.flush()
                os.fsync(f.fileno())
            new.replace(self.path)

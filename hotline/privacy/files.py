"""Files the commands write that hold a case or go to print (a DIR, the outreach card): readable
by their owner only, and never written through a symbolic link left at the path (someone with
write access to the folder could point it at a file of theirs to read, or of the hotline's to
overwrite)."""

from __future__ import annotations

import os
from pathlib import Path


class Refused(OSError):
    """The path is a symbolic link: nothing was written."""


def write_private(path: str | Path, data: bytes) -> None:
    """`data` to `path`, mode 0600 from its first byte; an existing file is truncated and made
    0600, an existing symbolic link refused (O_NOFOLLOW: no race between a check and the open)."""
    path = Path(path)
    if path.is_symlink():
        raise Refused(f"{path} is a symbolic link: not written")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        if path.is_symlink():  # made between the check and the open
            raise Refused(f"{path} is a symbolic link: not written") from exc
        raise
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)  # a file that was there keeps its mode through O_TRUNC
        out.write(data)

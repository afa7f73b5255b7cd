"""`make run` on the embedded defaults (no REDIS_URL, no DATABASE_URL): web and worker share one
redis-server under instance/, and Ctrl-C leaves nothing running. (.ci/run does the same through
`make run` itself, with an SMS, on a fresh clone.)"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from .conftest import free_port

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

BIN = Path(sys.executable).parent
# the Makefile's run lines, on this interpreter's hotline
RUN = (f"{BIN}/hotline db upgrade && "
       f"{{ {BIN}/hotline worker & trap 'kill $! 2>/dev/null; wait' EXIT INT TERM; {BIN}/hotline serve; }}")


def embedded_env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "DATABASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_URL")}
    env.update(HOTLINE_INSTANCE=str(tmp_path / "instance"), SECRET_KEY="test", LOG_LEVEL="INFO", **extra)
    return env


def running(session: int, instance: Path) -> list[str]:
    """Live processes of the session, and any (redis-server above all) working in the instance."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            state, _ppid, _pgrp, sid = (proc / "stat").read_text().rsplit(")", 1)[1].split()[:4]
            cwd = os.readlink(proc / "cwd")
            args = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if state != "Z" and (int(sid) == session or cwd == str(instance) or cwd.startswith(f"{instance}/")):
            found.append(f"{proc.name} {args}")
    return found


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return result


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_web_and_worker_share_one_embedded_redis_that_stops_with_them(tmp_path, signum):
    """Ctrl-C sends SIGINT to the whole process group; .ci/run sends a TERM to `make run`'s."""
    instance = tmp_path / "instance"
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        shell = subprocess.Popen(["sh", "-c", RUN], env=embedded_env(tmp_path, PORT=str(free_port())),
                                 cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        text = lambda: log.read_text(errors="replace")  # noqa: E731
        # bounds for a loaded machine (the suite's own four processes on two cores): `make run`
        # installs from the lock, migrates, and starts two Pythons; a failure only waits longer
        wait_for(lambda: "phone simulator at" in text() and "worker on embedded" in text(), 90,
                 "web and worker never both came up")
        servers = [p for p in running(shell.pid, instance) if "redis-server" in p]
        assert len(servers) == 1, servers  # one, in instance/, for both (and RQ's scheduler, gunicorn's worker)
        sock = instance / "redis.sock"
        assert redis.Redis(unix_socket_path=str(sock)).ping()
        for name in ("redis.sock", "redis.db", "redis.log", "redis.lock"):
            if (instance / name).exists():
                assert (instance / name).stat().st_mode & 0o077 == 0, name  # private

        os.killpg(shell.pid, signum)  # as Ctrl-C (or a TERM to the group) does
        wait_for(lambda: not running(shell.pid, instance), 60,
                 f"still running after {signal.Signals(signum).name}: {running(shell.pid, instance)}\n{text()}")
        assert not sock.exists()
        assert "Traceback" not in text(), text()
        # every log line, gunicorn's among them, on the staff's clock with its zone, in one form (#33)
        stamped = [line for line in text().splitlines() if re.match(r"\[?\d{4}-\d\d-\d\d", line)]
        assert any("gunicorn.error: Listening at" in line for line in stamped), text()
        assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} IST [A-Z]+ ", line) for line in stamped), text()
        assert "the sample's 5 made-up people" in text()  # `make run` says whose numbers alerts go to
    finally:
        with_left = running(shell.pid, instance)
        for line in with_left:
            os.kill(int(line.split()[0]), signal.SIGKILL)
        shell.wait(5)


def test_the_embedded_redis_dies_with_the_process_that_started_it(tmp_path):
    """A second process uses the first's server; SIGKILL the first: its server goes too (the
    kernel tells it), and the next process starts a new one on the same data."""
    env = embedded_env(tmp_path)
    start = ("import sys, time; from pathlib import Path; from hotline.store.redis_conn import connect; "
             "r = connect(None, Path(sys.argv[1])); r.set('k', 'v'); r.save(); print('up', flush=True); time.sleep(60)")
    owner = subprocess.Popen([sys.executable, "-c", start, str(tmp_path / "instance")], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout.readline().strip() == "up"
        check = ("import sys; from pathlib import Path; from hotline.store.redis_conn import connect; "
                 "print(connect(None, Path(sys.argv[1])).get('k').decode())")
        assert subprocess.run([sys.executable, "-c", check, str(tmp_path / "instance")], env=env,
                              capture_output=True, text=True, timeout=20).stdout.strip() == "v"
        server = [p for p in running(-1, tmp_path / "instance") if "redis-server" in p]
        assert len(server) == 1, server
        owner.kill()
        owner.wait()
        wait_for(lambda: not running(-1, tmp_path / "instance"), 10, "the redis-server outlived its owner")
        assert subprocess.run([sys.executable, "-c", check, str(tmp_path / "instance")], env=env,
                              capture_output=True, text=True, timeout=20).stdout.strip() == "v"
        assert not running(-1, tmp_path / "instance")  # that one stopped at its exit
    finally:
        owner.kill()
        owner.wait()
        for line in running(-1, tmp_path / "instance"):
            os.kill(int(line.split()[0]), signal.SIGKILL)

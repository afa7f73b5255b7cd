"""Issue 29, item 3: Caddy in front of the production web process (the Procfile's web line:
gunicorn on loopback, PostgreSQL and Redis), with deploy/hotline.caddy as the Caddyfile imports
it and `tls internal` for the certificate. Skipped, with the reason, where Caddy is not
installed (`apt-get install caddy`; .ci/run installs it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import threading
import time

import pytest
import requests

from .conftest import ROOT, free_port
from .helpers import sign, sms_form, until

TOKEN = "caddy-test-token"
SLOW = 12  # more than the web process's eight threads (hotline/web/server.py THREADS)
URGENT = 20


def caddyfile(tmp_path, https: int, http: int) -> str:
    file = tmp_path / "Caddyfile"
    file.write_text(f"""{{
	admin off
	skip_install_trust
	auto_https disable_redirects
	http_port {http}
	https_port {https}
	storage file_system {tmp_path / "caddy"}
}}
https://localhost:{https} {{
	tls internal
	import {ROOT / "deploy" / "hotline.caddy"}
}}
""")
    return str(file)


@pytest.fixture
def line(_database_url, redis_client, redis_url, tmp_path):
    """Caddy on https://localhost:PORT in front of the Procfile's web process; yields (base, CA)."""
    caddy = shutil.which("caddy")
    if not caddy:
        pytest.skip("caddy is not installed (apt-get install caddy; .ci/run installs it)")
    database_url = _database_url("postgresql")  # the production store; skipped (and said) without one
    web_port, https, http = free_port(), free_port(), free_port()
    base = f"https://localhost:{https}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PROMETHEUS_", "EXOTEL_"))}
    env.update(REDIS_URL=redis_url, DATABASE_URL=database_url, SECRET_KEY="caddy-test",
               HOTLINE_STAFF=str(ROOT / "tests" / "data" / "staff.yaml"), HOTLINE_INSTANCE=str(tmp_path / "web"),
               PUBLIC_URL=base, HOTLINE_TRUSTED_PROXIES="1", TWILIO_AUTH_TOKEN=TOKEN, WEB_CONCURRENCY="1",
               PORT=str(web_port), LOG_LEVEL="WARNING", PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}")
    web_line = next(line.split(":", 1)[1] for line in (ROOT / "Procfile").read_text().splitlines()
                    if line.startswith("web:"))
    web = subprocess.Popen(["sh", "-c", web_line], env=env, cwd=ROOT, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = subprocess.Popen([caddy, "run", "--config", caddyfile(tmp_path, https, http), "--adapter", "caddyfile"],
                             env=dict(env, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
                                      XDG_CONFIG_HOME=str(tmp_path / "config")),
                             start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ca = tmp_path / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def answering() -> bool:
        try:
            return ca.exists() and requests.get(f"{base}/healthz", verify=str(ca), timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        until(answering, 90, "the web process behind Caddy to answer /healthz over HTTPS",
              state=lambda: f"web {web.poll()}, caddy {proxy.poll()}")
        yield base, str(ca), web_port
    finally:
        for process in (proxy, web):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)


def signed_post(base: str, ca: str, number: str, body: str, **headers) -> requests.Response:
    form = sms_form(number, body)
    headers["X-Twilio-Signature"] = sign(TOKEN, f"{base}/twilio/sms", form)
    # a minute at most: Twilio would have given up at 15 s; a reply held up waits here until then
    return requests.post(f"{base}/twilio/sms", data=form, headers=headers, verify=ca, timeout=60)


def test_caddy_terminates_tls_and_twilio_signatures_validate_through_it(line):
    base, ca, web_port = line
    reply = signed_post(base, ca, "+919876500001", "hi", **{"X-Forwarded-Host": "attacker.example",
                                                            "X-Forwarded-Prefix": "/elsewhere"})
    assert reply.status_code == 200 and "<Message>" in reply.text
    unsigned = requests.post(f"{base}/twilio/sms", data=sms_form("+919876500002", "hi"), verify=ca, timeout=30)
    assert unsigned.status_code == 403
    assert "max-age=" in reply.headers["Strict-Transport-Security"]
    with requests.Session() as browser:
        assert browser.get(f"{base}/console/login", verify=ca, timeout=30).status_code == 200
        cookie = next(c for c in browser.cookies if c.name == "hotline_console")
        assert cookie.secure  # sent only over HTTPS
    assert requests.get(f"{base}/metrics", verify=ca, timeout=30).status_code == 404  # never through Caddy
    assert requests.get(f"http://127.0.0.1:{web_port}/metrics", timeout=30).status_code == 200  # the scraper's way
    with pytest.raises(requests.ConnectionError):  # gunicorn listens on loopback alone
        requests.get(f"http://{outward_address()}:{web_port}/healthz", timeout=5)


def outward_address() -> str:
    """This machine's address on its way out (not loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # no packet is sent: a UDP connect only picks the route
        return s.getsockname()[0]


def test_clients_that_trickle_their_request_do_not_hold_up_an_urgent_reply(line):
    """Slow clients (a request's headers, then its body a byte a second, never done) each held one
    of gunicorn's threads for as long as they kept trickling (its READ_TIMEOUT bounds one read, not
    the request). Behind Caddy, which reads a whole request before passing it on, they hold
    nothing of it: every URGENT is answered while they all still trickle."""
    base, ca, _ = line
    port = int(base.rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=ca)
    done = threading.Event()
    slow = []
    for _ in range(SLOW):
        conn = context.wrap_socket(socket.create_connection(("localhost", port), timeout=10),
                                   server_hostname="localhost")
        # a body under the app's 64 KB limit, its first 8 KB at once (more than a proxy's write
        # buffer, so an unbuffered proxy passes the request on), the rest never
        conn.sendall(f"POST /twilio/sms HTTP/1.1\r\nHost: localhost:{port}\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n".encode()
                     + b"From=" + b"x" * 8192)
        slow.append(conn)

    def trickle(conn) -> None:  # the attack itself: a byte a second, well inside any read timeout
        while not done.wait(1):
            conn.sendall(b"x")

    trickling = [threading.Thread(target=trickle, args=(conn,), daemon=True) for conn in slow]
    for thread in trickling:
        thread.start()
    took = []
    try:
        for i in range(URGENT):
            started = time.perf_counter()
            reply = signed_post(base, ca, f"+91987651{i:04d}", "URGENT")
            took.append(time.perf_counter() - started)
            assert reply.status_code == 200 and "112" in reply.text  # the emergency numbers
        assert all(thread.is_alive() for thread in trickling)  # every slow client still at it
    finally:
        done.set()
        for thread in trickling:
            thread.join(10)
        for conn in slow:
            conn.close()
    took.sort()
    p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
    print(f"URGENT behind {SLOW} trickling clients: median {statistics.median(took) * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {took[-1] * 1000:.0f} ms ({URGENT} requests)")

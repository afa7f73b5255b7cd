"""A local stand-in for Twilio's REST API: the real SDK builds and sends each request; this
server receives it on loopback, keeps it, and answers as Twilio would (or fails on purpose).

WhatsApp: a message to `whatsapp:+…` takes free text (Body) only while that number's 24-hour
window is open (`open_window`); outside it only a template (ContentSid), else it fails as
Twilio's 63016. Media (`media[path] = (bytes, type)`) is served as Twilio serves it: only with
the account's HTTP Basic credentials, by a redirect to a signed URL on another host (localhost
instead of 127.0.0.1), which must be fetched without them.

Message and Call records: each message or call created through it is kept by its path (a test
adds the records of inbound messages and calls, which Twilio creates, with `inbound`), and is
deleted as Twilio deletes one: DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json or
/Calls/{Sid}.json answers 204, or 404 when there is no such record
(https://www.twilio.com/docs/messaging/api/message-resource#delete-a-message-resource,
https://www.twilio.com/docs/voice/api/call-resource#delete-a-call-resource)."""

from __future__ import annotations

import base64
import json
import random
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


class StandIn:
    """`fail_next`: answer that many requests with a 503. `fail_rate`: answer that share of the
    requests with a 503, drawn from a random generator seeded with `seed`, so a run is repeatable
    for the same sequence of requests. Every failure is kept in `failures`."""

    def __init__(self, fail_rate: float = 0.0, seed: int = 0):
        self.requests: list[dict] = []  # accepted: what Twilio would have sent
        self.failures: list[dict] = []  # refused with a 503
        self.fail_next = 0  # answer this many requests with a 503
        self.fail_rate = fail_rate
        self.invalid_to: set[str] = set()  # numbers answered with Twilio's 400 "not a valid phone number"
        self.window: set[str] = set()  # WhatsApp numbers whose 24-hour window is open
        self.media: dict[str, tuple[bytes, str]] = {}  # Twilio media by path
        self.media_requests: list[dict] = []  # each GET: its path and Authorization header
        self.recordings: set[str] = set()  # call recordings Twilio holds, by path
        self.deleted: list[str] = []  # each DELETE Twilio accepted (media, recordings): its path
        self.records: set[str] = set()  # Message and Call records Twilio holds, by path
        self.deleted_records: list[str] = []  # each Message or Call record deleted: its path
        self.credentials: tuple[str, str] | None = None
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                record = {"path": self.path, "form": form, "auth": self.headers.get("Authorization")}
                with standin._lock:
                    fail = standin.fail_next > 0 or (standin.fail_rate and standin._random.random() < standin.fail_rate)
                    if standin.fail_next > 0:
                        standin.fail_next -= 1
                    (standin.failures if fail else standin.requests).append(record)
                if form.get("To") in standin.invalid_to:  # as Twilio does: its message names the number
                    with standin._lock:
                        standin.failures.append(record)
                    self._answer(400, {"code": 21211, "status": 400,
                                       "message": f"The 'To' number {form['To']} is not a valid phone number.",
                                       "more_info": "https://www.twilio.com/docs/errors/21211"})
                    return
                if fail:
                    self._answer(503, {"code": 20503, "message": "Service unavailable", "status": 503})
                    return
                to = form.get("To") or ""
                if to.startswith("whatsapp:") and not form.get("ContentSid") and to[9:] not in standin.window:
                    with standin._lock:  # free text outside her window: Twilio's 63016
                        standin.requests.remove(record)
                        standin.failures.append(record)
                    self._answer(400, {"code": 63016, "status": 400, "message": "outside the allowed window",
                                       "more_info": "https://www.twilio.com/docs/errors/63016"})
                    return
                kind = "CA" if self.path.endswith("/Calls.json") else "SM"
                sid = kind + uuid.uuid4().hex
                with standin._lock:
                    standin.records.add(self.path.removesuffix(".json") + "/" + sid)
                    record["sid"] = sid
                self._answer(201, {"sid": sid, "status": "queued", "to": form.get("To"),
                                   "from": form.get("From"), "body": form.get("Body")})

            def do_DELETE(self):  # noqa: N802 - as Twilio: 204 and gone, 404 when it is not there
                sid, token = standin.credentials or ("", "")
                if self.headers.get("Authorization") != "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode():
                    self._answer(401, {"code": 20003, "status": 401, "message": "Authenticate"})
                    return
                path = self.path.removesuffix(".json")
                with standin._lock:
                    if path in standin.records:  # a Message or Call record
                        standin.records.discard(path)
                        standin.deleted_records.append(path)
                        found = True
                    else:
                        found = standin.media.pop(path, None) is not None or path in standin.recordings
                        standin.recordings.discard(path)
                        if found:
                            standin.deleted.append(path)
                if not found:
                    self._answer(404, {"code": 20404, "status": 404})
                    return
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802 - http.server's name
                with standin._lock:
                    standin.media_requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                                   "host": self.headers.get("Host")})
                if self.path.startswith("/signed/"):  # the short-lived URL: no credentials needed
                    found = standin.media.get(self.path[len("/signed"):])
                    if found is None:
                        self._answer(404, {"status": 404})
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", found[1])
                    self.send_header("Content-Length", str(len(found[0])))
                    self.end_headers()
                    self.wfile.write(found[0])
                    return
                sid, token = standin.credentials or ("", "")
                expected = "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    self._answer(401, {"code": 20003, "status": 401, "message": "Authenticate"})
                    return
                if self.path not in standin.media:
                    self._answer(404, {"code": 20404, "status": 404})
                    return
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{standin.server.server_address[1]}/signed{self.path}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def inbound(self, kind: str, sid: str) -> str:
        """A message or call she made (kind: Messages | Calls): Twilio holds its record. Its path."""
        sid_of_account = (self.credentials or ("AC" + "a" * 32, ""))[0]
        path = f"/2010-04-01/Accounts/{sid_of_account}/{kind}/{sid}"
        with self._lock:
            self.records.add(path)
        return path

    def open_window(self, number: str) -> None:
        """She wrote on WhatsApp: free text may go to her (the tests do not move the stand-in's
        clock: `close_window` when the hotline's has passed 24 hours)."""
        self.window.add(number)

    def close_window(self, number: str) -> None:
        self.window.discard(number)

    def client(self, sid: str, token: str) -> Client:
        base = self.base
        self.credentials = (sid, token)

        class ToStandIn(TwilioHttpClient):
            def request(self, method, url, *args, **kwargs):
                return super().request(method, url.replace("https://api.twilio.com", base), *args, **kwargs)

        return Client(sid, token, http_client=ToStandIn())

    def stop(self):
        self.server.shutdown()

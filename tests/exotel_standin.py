"""A local stand-in for Exotel's REST API (per /work/notes/exotel.md): a real HTTP server on
loopback that keeps every request (`requests`), answers as Exotel does — Sms/send.json with
{"SMSMessage": {"Sid", "Status": "queued", …}}, Calls/connect.json with {"Call": {"Sid", …}} —
and fails on demand: `fail_next` requests get a 503 (Exotel's SMS limit), a number in
`invalid_to` a 400 (<TwilioResponse><RestException>, as Exotel writes its errors), a number in
`dnd` an SMS answered `failed` with DetailedStatus FAILED_DND."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class ExotelStandIn:
    def __init__(self):
        self.requests: list[dict] = []  # accepted
        self.failures: list[dict] = []  # refused
        self.fail_next = 0
        self.invalid_to: set[str] = set()
        self.dnd: set[str] = set()
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                record = {"path": self.path, "form": form, "auth": self.headers.get("Authorization")}
                with standin._lock:
                    fail = standin.fail_next > 0
                    standin.fail_next -= 1 if fail else 0
                    to = form.get("To") or form.get("From")
                    refused = fail or to in standin.invalid_to
                    (standin.failures if refused else standin.requests).append(record)
                if fail:
                    return self._answer(503, "<TwilioResponse><RestException><Status>503</Status><Message>"
                                             "Service Unavailable</Message></RestException></TwilioResponse>", "xml")
                if to in standin.invalid_to:
                    return self._answer(400, "<TwilioResponse><RestException><Status>400</Status><Message>"
                                             "Invalid 'To' number</Message></RestException></TwilioResponse>", "xml")
                sid = uuid.uuid4().hex
                if self.path.endswith("/Calls/connect.json"):
                    return self._answer(200, json.dumps({"Call": {"Sid": sid, "Status": "in-progress",
                                                                  "From": form.get("From")}}))
                status = {"Status": "failed", "DetailedStatus": "FAILED_DND"} if to in standin.dnd else \
                    {"Status": "queued", "DetailedStatus": "PENDING_TO_OPERATOR"}
                self._answer(200, json.dumps({"SMSMessage": {"Sid": sid, "To": to, **status}}))

            def _answer(self, status, body, kind="json"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if kind == "json" else "application/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sms(self, to: str | None = None) -> list[dict]:
        return [r["form"] for r in self.requests if r["path"].endswith("/Sms/send.json")
                and (to is None or r["form"]["To"] == to)]

    def calls(self, to: str | None = None) -> list[dict]:
        return [r["form"] for r in self.requests if r["path"].endswith("/Calls/connect.json")
                and (to is None or r["form"]["From"] == to)]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

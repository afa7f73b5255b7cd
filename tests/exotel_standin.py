"""A local stand-in for Exotel: its REST API on loopback, and (ExotelCall) its applets calling
our dynamic URLs, each held to the format Exotel documents. A request or an answer outside it is
refused (the REST API: 400, kept in `failures`) or fails the test (an applet's answer).

The REST API: a real HTTP server that keeps every request (`requests`), answers as Exotel does —
Sms/send.json with {"SMSMessage": {"Sid", "Status": "queued", …}}, Calls/connect.json with
{"Call": {"Sid", …}} — and fails on demand: `fail_next` requests get a 503 (Exotel's SMS limit),
a number in `invalid_to` a 400 (<TwilioResponse><RestException>, as Exotel writes its errors), a
number in `dnd` an SMS answered `failed` with DetailedStatus FAILED_DND.

Its rules, each from the page that states it:
- SMS (https://developer.exotel.com/docs/sms-api/api-reference/send-sms): From, To, Body
  mandatory, Body at most 2000 characters; DltEntityId mandatory for India; SmsType one of
  transactional, transactional_opt_in, promotional. Without SmsType the body must match a
  template added on the Exotel dashboard ("SmsType … can be used to skip template addition on
  Exotel Dashboard", https://developer.exotel.com/api-console/send-bulk-sms-with-dynamic-content-api-console);
  none is added here (`added_templates`), as on a new account.
- Calls/connect (https://developer.exotel.com/docs/voice-v1/api-reference/connect-to-flow and
  https://support.exotel.com/support/solutions/articles/48278-outbound-call-to-connect-a-customer-to-an-app):
  From and CallerId mandatory; either To (connect two numbers) or Url, which is a flow URL,
  http://my.exotel.com/{sid}/exoml/start_voice/{app_id} (or the older http://my.exotel.in/exoml/start/{app_id}).
  `flow_urls_only=False` lets the alert call's own ExoML URL through (item 2 of #28, not done).
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

SMS_TYPES = {"transactional", "transactional_opt_in", "promotional"}
FLOW_URL = re.compile(r"^https?://my\.exotel\.(com|in)/(\w+/exoml/start_voice|exoml/start)/\d+$")


def refusal(path: str, form: dict, *, flow_urls_only: bool = True, added_templates=()) -> str | None:
    """Why Exotel would refuse this request (its documented rules, above), or None."""
    if path.endswith("/Sms/send.json"):
        missing = [k for k in ("From", "To", "Body", "DltEntityId") if not form.get(k)]
        if missing:
            return f"missing {', '.join(missing)}"
        if len(form["Body"]) > 2000:
            return "Body longer than 2000 characters"
        if "SmsType" in form and form["SmsType"] not in SMS_TYPES:
            return f"SmsType {form['SmsType']!r} is none of {sorted(SMS_TYPES)}"
        if "SmsType" not in form and not any(re.fullmatch(t, form["Body"]) for t in added_templates):
            return "no SmsType, and the body matches no template added on the dashboard"
        return None
    if path.endswith("/Calls/connect.json"):
        missing = [k for k in ("From", "CallerId") if not form.get(k)]
        if missing:
            return f"missing {', '.join(missing)}"
        if not (form.get("To") or form.get("Url")):
            return "neither To nor Url"
        if form.get("Url") and flow_urls_only and not FLOW_URL.match(form["Url"]):
            return f"Url is no Exotel flow URL: {form['Url']}"
        return None
    return f"no such API: {path}"


class ExotelStandIn:
    def __init__(self, flow_urls_only: bool = True):
        self.requests: list[dict] = []  # accepted
        self.failures: list[dict] = []  # refused
        self.fail_next = 0
        self.invalid_to: set[str] = set()
        self.dnd: set[str] = set()
        self.flow_urls_only = flow_urls_only
        self.added_templates: list[str] = []  # regexes of bodies added on the dashboard: none
        # the account's ExoPhones, as "List all ExoPhones" (https://developer.exotel.com/api/exophone-details)
        # returns them; a VoiceUrl is a flow's (https://developer.exotel.com/api/assign-number-to-a-flow)
        self.exophones: list[dict] = []
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                standin.requests.append({"path": self.path, "form": {}, "auth": self.headers.get("Authorization")})
                if self.path.endswith("/IncomingPhoneNumbers") and "/v2_beta/Accounts/" in self.path:
                    return self._answer(200, json.dumps({"IncomingPhoneNumbers": standin.exophones}))
                return self._answer(404, json.dumps({"RestException": {"Status": 404, "Message": "Not Found"}}))

            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                record = {"path": self.path, "form": form, "auth": self.headers.get("Authorization")}
                with standin._lock:
                    fail = standin.fail_next > 0
                    standin.fail_next -= 1 if fail else 0
                    to = form.get("To") or form.get("From")
                    record["refused"] = refusal(self.path, form, flow_urls_only=standin.flow_urls_only,
                                                added_templates=standin.added_templates)
                    refused = fail or to in standin.invalid_to or record["refused"]
                    (standin.failures if refused else standin.requests).append(record)
                if record["refused"]:
                    return self._answer(400, json.dumps({"RestException": {"Status": 400,
                                                                           "Message": record["refused"]}}))
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


# -- the applets of the App Bazaar flow, calling our dynamic URLs -------------------------------

# https://support.exotel.com/support/solutions/articles/3000084635-working-with-gather-applet
# (and the answers of public integrations: gather_prompt {text | audio_url}, max_input_digits, …)
GATHER_FIELDS = {"gather_prompt", "max_input_digits", "finish_on_key", "input_timeout", "repeat_menu",
                 "repeat_gather_prompt"}
# https://support.exotel.com/support/solutions/articles/3000096873-working-with-connect-applet-dynamic-url-
CONNECT_FIELDS = {"fetch_after_attempt", "destination", "outgoing_phone_number", "record", "recording_channels",
                  "max_ringing_duration", "max_conversation_duration", "music_on_hold", "start_call_playback",
                  "parallel_ringing", "dial_passthru_event_url"}
# "Current Version: 1.0" (the Gather and Connect pages): the version the answer is checked against
VERSION = {"Exotel-Version": "1.0"}


def check_gather(answer: dict) -> None:
    assert set(answer) <= GATHER_FIELDS, f"undocumented Gather fields: {set(answer) - GATHER_FIELDS}"
    prompt = answer["gather_prompt"]
    assert isinstance(prompt, dict) and len(prompt) == 1 and set(prompt) <= {"text", "audio_url"}, prompt
    assert all(isinstance(v, str) and v for v in prompt.values()), prompt
    for name in ("max_input_digits", "input_timeout", "repeat_menu"):
        assert name not in answer or (isinstance(answer[name], int) and answer[name] > 0), (name, answer)
    assert answer.get("finish_on_key", "#") in ("#", "*"), answer


def check_connect(answer: dict) -> None:
    assert set(answer) <= CONNECT_FIELDS, f"undocumented Connect fields: {set(answer) - CONNECT_FIELDS}"
    numbers = answer["destination"]["numbers"]
    assert isinstance(numbers, list) and all(isinstance(n, str) for n in numbers), answer
    for name in ("fetch_after_attempt", "record"):
        assert isinstance(answer.get(name, False), bool), (name, answer)
    for name in ("max_ringing_duration", "max_conversation_duration"):
        assert isinstance(answer.get(name, 1), int), (name, answer)


class ExotelCall:
    """One call through the flow the README has the NGO build, its applets calling the app as
    Exotel documents: GET, the call's details as query parameters (CallSid, CallFrom, CallTo,
    Direction; the Passthru's older names From and To too), the Exotel-Version header, a
    Passthru's `digits` in double quotes, the credentials of the URL as basic auth.

        Passthru /exotel/passthru?q=start (CustomField of a call placed through Calls/connect) -> Gather
        Gather /exotel/gather -> Passthru /exotel/passthru: 200 -> the Gather again
          302 -> Passthru ?q=connect: 200 -> Connect /exotel/connect (unanswered -> Passthru ?q=unanswered -> Gather)
            302 -> Passthru ?q=voicemail: 200 -> Voicemail -> Passthru /exotel/recorded -> Gather
              302 -> Hangup
    """

    def __init__(self, client, auth: dict, call_sid: str, caller: str, exophone: str, custom: str | None = None):
        """`custom`: the CustomField of a call placed through Calls/connect (then `caller` is the
        number rung, and the call is outbound)."""
        self.client, self.auth, self.sid = client, auth, call_sid
        self.details = {"CallSid": call_sid, "CallFrom": caller, "CallTo": exophone,
                        "Direction": "outbound-dial" if custom else "incoming"}
        if custom:
            self.details["CustomField"] = custom
        self.started = False
        self.heard: list[str] = []
        self.asking: dict | None = None  # the last Gather answer
        self.at = "gather"  # where the flow is: gather, connect, voicemail, hangup
        self.connect: dict | None = None

    def _get(self, path: str, **params):
        query = {**self.details, "From": self.details["CallFrom"], "To": self.details["CallTo"], **params}
        answer = self.client.get(path, query_string=query, headers={**self.auth, **VERSION})
        assert answer.status_code in (200, 302), (path, answer.status_code)
        return answer

    def hear(self) -> str:
        """The Gather applet: what she hears."""
        assert self.at == "gather", self.at
        if not self.started:  # the flow's first applet: both its branches lead to the Gather
            self.started = True
            self._get("/exotel/passthru", q="start")
        answer = self._get("/exotel/gather")
        assert answer.status_code == 200 and answer.is_json, answer.get_data(as_text=True)
        check_gather(answer.get_json())
        self.asking = answer.get_json()
        said = self.asking["gather_prompt"].get("text") or self.asking["gather_prompt"]["audio_url"]
        self.heard.append(said)
        return said

    def press(self, keys: str | None) -> str:
        """Her keys (None: nothing pressed) to the Passthru, and the flow's branches after it."""
        self.at = self._passthru("/exotel/passthru", digits=f'"{keys or ""}"')
        return self.at

    def _passthru(self, path: str, **params) -> str:
        if self._get(path, **params).status_code == 200:
            return "gather"
        if self._get("/exotel/passthru", q="connect").status_code == 200:
            answer = self._get("/exotel/connect")
            assert answer.is_json
            check_connect(answer.get_json())
            self.connect = answer.get_json()
            return "connect"
        if self._get("/exotel/passthru", q="voicemail").status_code == 200:
            return "voicemail"
        return "hangup"

    def answer(self, keys: str | None) -> str:
        """Her keys, then whatever the flow says before it asks again or leaves the loop (a
        prompt that asks nothing is heard and passed with no keys, as Exotel's Gather would)."""
        self.press(keys)
        while self.at == "gather":
            self.hear()
            if self.asking.get("input_timeout", 5) > 1:
                break
            self.press(None)
        return self.at

    def unanswered(self) -> str:
        """The Connect applet's "nobody answered" branch: a Passthru, then the Gather."""
        assert self.at == "connect"
        self.at = self._passthru("/exotel/passthru", q="unanswered")
        return self.at

    def recorded(self, url: str) -> str:
        """The Voicemail applet's recording, to the Passthru after it."""
        assert self.at == "voicemail"
        self.at = self._passthru("/exotel/recorded", RecordingUrl=url)
        return self.at

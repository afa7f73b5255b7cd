"""The WhatsApp race of #26, live: real HTTP to the app (a server on loopback), a real RQ worker
waiting on every lane in a thread beside it (the same process, so that it reaches Twilio's
stand-in through the SDK as the web app does), and, for each try, a counsellor's words held behind
the template outside her 24-hour window when the survivor sends the safe word, DELETE or STOP.
Before the fix a waiting worker sent "Kavitha: … is he beside you?" within milliseconds, in 11 to
12 tries of 12. Nothing may reach her.

HOTLINE_RACE_TRIES tries per control (2 in `make test`, 20 in `make faults`)."""

from __future__ import annotations

import os
import threading

import pytest
from rq import SimpleWorker
from rq.registry import StartedJobRegistry
from rq.timeouts import TimerDeathPenalty
from sqlalchemy import func, select

from hotline.store.models import (
    Escalation,
    EscalationStatus,
    HeldMessage,
    Notification,
    NotificationStatus,
)

from .helpers import new_sid, post, until
from .test_whatsapp import KAVITHA, SID, TOKEN, WA_NUMBER, line, to
from .twilio_standin import StandIn

TRIES = int(os.environ.get("HOTLINE_RACE_TRIES", "2"))
WAIT = 120  # seconds at most for each step to be done (a bounded poll of the store, not a timing)


@pytest.fixture
def standin():
    server = StandIn()
    yield server
    server.stop()


class ThreadWorker(SimpleWorker):
    """RQ's worker, run in a thread: signals belong to the main thread, so its job timeouts are
    RQ's timer kind, and it is stopped by a flag (RQ's shutdown command would SIGINT the process)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass


def idle(svc) -> bool:
    return not any(len(q) for q in svc.queues) and not any(len(StartedJobRegistry(queue=q)) for q in svc.queues)


@pytest.mark.parametrize("control", ["RECIPE", "DELETE", "STOP"])
def test_live_her_control_on_whatsapp_sends_nothing_that_was_held(make_services, standin, live, sqlite_url, control):
    svc, app = line(make_services, standin, database_url=sqlite_url)
    server = live(app)
    worker = ThreadWorker(list(svc.queues), connection=svc.redis)
    thread = threading.Thread(target=worker.work, kwargs={"logging_level": "WARNING"}, daemon=True)
    thread.start()

    def wa(number: str, body: str) -> None:
        form = {"From": f"whatsapp:{number}", "To": f"whatsapp:{WA_NUMBER}", "Body": body, "MessageSid": new_sid(),
                "AccountSid": SID, "NumMedia": "0"}
        standin.open_window(number)  # her message opens her window, as WhatsApp does
        assert post(server.url, "/twilio/sms", form, token=TOKEN).status_code == 200

    def count(query) -> int:
        with svc.store.read() as s:
            return s.scalar(query) or 0

    try:
        for n in range(TRIES):
            woman = f"+9198765{n:05d}"
            for body in ("hi", "1", "1", "1"):
                wa(woman, body)
            until(lambda n=n: count(select(func.count()).select_from(Escalation)) == n + 1, WAIT, "her request")
            with svc.store.read() as s:
                e_id, code = s.execute(select(Escalation.id, Escalation.code).order_by(Escalation.id.desc())).first()
            until(lambda e_id=e_id: count(select(func.count()).select_from(Notification).where(
                Notification.escalation_id == e_id, Notification.staff_id == svc.staff.find(KAVITHA).id,
                Notification.status == NotificationStatus.SENT)), WAIT, "Kavitha's alert")
            wa(KAVITHA, f"ACK {code}")
            until(lambda e_id=e_id: count(select(func.count()).select_from(Escalation).where(
                Escalation.id == e_id, Escalation.status == EscalationStatus.ACKED)), WAIT, "taken")
            until(lambda: idle(svc), WAIT, "the worker idle")
            svc.clock.advance(hours=25)  # a day later: outside her window, his words wait
            standin.close_window(woman)
            wa(KAVITHA, f"{code} is he beside you?")
            until(lambda: count(select(func.count()).select_from(HeldMessage)) >= 1 and idle(svc), WAIT, "held")
            before = len(to(standin, woman))
            wa(woman, control)
            until(lambda: idle(svc), WAIT, "the worker idle")
            late = [m.get("Body", "") for m in to(standin, woman)[before:]]
            assert not any("beside you" in body for body in late), (n, late)
            svc.clock.advance(hours=1)
    finally:
        worker._stop_requested = True
        svc.queues[-1].enqueue("builtins.len", [])  # wakes it: it stops after this job
        thread.join(10)

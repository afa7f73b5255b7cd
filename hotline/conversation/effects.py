"""Carrying out what the engine raised: one handler per effect type (hotline/engine/effects/),
registered in HANDLERS, so each effect is acted on in exactly one place.

Her controls (the safe word, DELETE, STOP, START) take effect at once, inside the request. Whatever
reaches a person is written to the store first and then queued, so a lost Redis or a dead worker
delays it but never loses it: requests for a person become escalations (hotline/response/chain.py);
resources to send become recorded actions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from hotline.casework import erasure
from hotline.engine.effects import (
    Connect,
    Effect,
    Erase,
    Escalate,
    Forget,
    LapResult,
    OptIn,
    OptOut,
    RequestAccompaniment,
    ScheduleCallback,
    SendResources,
    StaffCommand,
    Voicemail,
)
from hotline.jobs.enqueue import enqueue_perform
from hotline.people.staff import Person
from hotline.response import staff_commands, windows
from hotline.response.chain import Caller, Request, open_escalation
from hotline.response.ending import end_contact
from hotline.services import Services

log = logging.getLogger(__name__)

REFUSAL_TEXT = "voice_controls_by_sms"  # hotline/i18n/texts.yaml: what a call hears for DELETE, STOP, START
POSSIBLE_DANGER = "possible danger"  # the reason flows/survivor.yaml gives its possible_danger alert


@dataclass
class Context:
    """Who raised the effects, and what carrying them out gave back."""
    key: str  # her keyed hash (hotline/privacy/phones.py)
    number: str | None  # None: a withheld caller ID
    channel: str
    words: str | None = None  # the message that raised them: an emergency passes them on (chain.join)
    person: Person | None = None  # the staff member writing, for a staff command
    recorded: list[int] = field(default_factory=list)  # escalations and actions written
    escalated: list[int] = field(default_factory=list)  # the escalations alone (media captioned with danger joins them)
    said: str | None = None  # what to say instead of the flow's outputs
    erased: bool = False
    dial: str | None = None  # a call: the number to put her through to
    record: bool = False  # a call: record her message for the team
    then_say: str | None = None  # a call: said after the flow's words (before the recording)


Handler = Callable[[Services, Effect, Context], None]
HANDLERS: dict[type[Effect], Handler] = {}


def handles(kind: type[Effect]):
    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler
    return register


def carry_out(svc: Services, effects: list[Effect], ctx: Context) -> Context:
    """Carry out each effect through its handler. The safe word stops everything else at once; a
    call proves nothing, so what only her own phone's SMS may do (DELETE, STOP, START) is refused
    on a call, and she is told to text it instead (README, "Controls by voice")."""
    forget = next((e for e in effects if isinstance(e, Forget)), None)
    if forget is not None:
        effects = [forget]
    refused = [e for e in effects if e.sms_only] if ctx.channel == "voice" else []
    if refused:
        effects = [e for e in effects if not e.sms_only]
        ctx.said = svc.catalog.own(REFUSAL_TEXT, refused[0].lang)
    for effect in effects:
        HANDLERS[type(effect)](svc, effect, ctx)
    return ctx


def _escalate(svc: Services, ctx: Context, request: Request, lang: str) -> None:
    # her words go with danger only: an emergency, or possible danger (#27: the alert at high says
    # which word it saw, so a counsellor can judge the knife herself); an officer's last keypress
    # is nobody's words
    danger = request.priority == "emergency" or request.reason == POSSIBLE_DANGER
    words = ctx.words if danger and not request.own_case else None
    escalation_id = open_escalation(svc, Caller(ctx.key, ctx.number, ctx.channel, lang), request, words=words)
    ctx.recorded.append(escalation_id)
    ctx.escalated.append(escalation_id)


@handles(Escalate)
def escalate(svc: Services, e: Escalate, ctx: Context) -> None:
    role = e.role or "counsellor"
    # quiet: she said it is not safe to talk; the alert says so and nothing reaches her until she
    # writes again (response/reach.py, relay.py)
    _escalate(svc, ctx, Request(kind="coordinator" if role == "coordinator" else "counsellor",
                                priority=e.priority or "normal", role=role, reason=e.reason or "",
                                details={"quiet": True} if e.quiet else {}), e.lang)


@handles(Voicemail)
def voicemail(svc: Services, e: Voicemail, ctx: Context) -> None:
    """Raised by the flow, the call records; raised again with the recording (the webhook's
    recording callback), a counsellor is brought in."""
    if not e.recording:
        ctx.record = True
    else:
        _escalate(svc, ctx, Request(kind="voicemail", priority="high", role="counsellor", reason="voicemail",
                                    # sealed like her words (#30): Twilio's recordings are public to whoever has the URL
                                    details={"recording": svc.store.seal(e.recording), "seconds": e.seconds}), e.lang)


@handles(ScheduleCallback)
def schedule_callback(svc: Services, e: ScheduleCallback, ctx: Context) -> None:
    """The alert goes out when her safe window opens; nobody reaches her outside it."""
    details = {"window": e.window, "code_word": e.code_word, "day": e.day}
    start_at = None
    if e.window:
        start_at, end = windows.bounds(e.window, svc.now(), svc.staff.zone, tomorrow=e.day == "tomorrow")
        details.update(window_start=start_at.isoformat(), window_end=end.isoformat())
    _escalate(svc, ctx, Request(kind="callback", priority="normal", role="counsellor", reason="callback requested",
                                details=details, start_at=start_at), e.lang)


def _asked_in(svc: Services, language: str | None, lang: str) -> str:
    """The language an officer asked for, when the line speaks it; else the conversation's."""
    return language if language in svc.catalog.languages else lang


@handles(RequestAccompaniment)
def request_accompaniment(svc: Services, e: RequestAccompaniment, ctx: Context) -> None:
    details = {"area": e.area, "when": e.when, "date": e.date, "case_ref": e.case_ref, "language": e.language}
    details["district"] = str(e.area or "").replace("_", " ").title()  # the key matches staff areas; people read the name
    if e.date and e.when not in (None, "", "now"):
        details["when"] = f"{date.fromisoformat(str(e.date)):%d/%m/%Y} {e.when}"  # a visit another day keeps its day
    _escalate(svc, ctx, Request(kind="accompaniment", priority="high", role="ngo", reason="accompaniment requested",
                                details=details, lang=_asked_in(svc, e.language, e.lang), own_case=True), e.lang)


def lap_screen(e: LapResult) -> dict:
    """A danger screen (LAP) as recorded: the result, its basis, who she fears, each answer
    (yes, no, or None when not answered) and the questions she said yes to."""
    answers = e.answers()
    return {"result": e.result, "basis": e.basis or None, "who": e.who or None, "answers": answers,
            "yes": [int(q[1:]) for q, a in answers.items() if a == "yes"], "worry": e.worry or None,
            "worry_text": e.worry_text or None, "officer_believes": e.believe or None, "language": e.language or None}


@handles(LapResult)
def lap_result(svc: Services, e: LapResult, ctx: Context) -> None:
    """Every screen is kept, screened in or not: the answers, the basis, the officer, the time.
    Screened in, a counsellor who speaks her language calls the officer's phone at once."""
    officer = svc.staff.find(ctx.number)
    screen = {**lap_screen(e), "officer_id": officer.id if officer else None,
              "officer": officer.name if officer else None, "at": svc.now().isoformat()}
    screen_id = svc.store.record_action("lap_screen", ctx.key, ctx.number, ctx.channel, e.lang, screen)
    svc.store.mark(screen_id, "done")
    if e.result != "screened_in":
        ctx.recorded.append(screen_id)
        return
    questions = ", ".join(str(q) for q in screen["yes"]) or "-"
    if screen["basis"] == "officer":
        questions += " + officer"
    _escalate(svc, ctx, Request(kind="lap", priority="emergency", role="counsellor", reason="LAP screened in",
                                details={"screen": screen, "questions": questions, "screen_id": screen_id},
                                lang=_asked_in(svc, e.language, e.lang), own_case=True), e.lang)


@handles(SendResources)
def send_resources(svc: Services, e: SendResources, ctx: Context) -> None:
    """Recorded, then queued: the worker sends (never after STOP: hotline/response/reach.py)."""
    action_id = svc.store.record_action(e.name, ctx.key, ctx.number, ctx.channel, e.lang,
                                        {"category": e.category, "district": e.district, "lang": e.lang,
                                         "flow": e.flow, "node": e.node})
    enqueue_perform(svc, action_id)
    ctx.recorded.append(action_id)


@handles(StaffCommand)
def staff_command(svc: Services, e: StaffCommand, ctx: Context) -> None:
    if ctx.person is not None:
        ctx.said = staff_commands.answer(svc, ctx.person, e.command, e.code or "", e.text or e.after)


@handles(Forget)
def forget(svc: Services, e: Forget, ctx: Context) -> None:
    end_contact(svc, ctx.key, "safe_word")  # everything stops and nothing of her stays (response/ending.py)


@handles(Erase)
def erase(svc: Services, e: Erase, ctx: Context) -> None:
    kept = erasure.keeps_a_dir(svc, ctx.key)  # asked first: afterwards nothing of her is found
    end_contact(svc, ctx.key, "deleted")  # as the safe word, and her records erased
    ctx.erased = True
    if kept and ctx.said is None:  # she is told what the law keeps (README, "DELETE and legal records")
        ctx.said = svc.catalog.own("erased_dir_kept", e.lang)


@handles(OptOut)
@handles(OptIn)
def opt_out_or_in(svc: Services, e: OptOut | OptIn, ctx: Context) -> None:
    svc.store.set_opt_out(ctx.key, isinstance(e, OptOut))
    svc.store.audit(f"caller.{e.name}", ctx.key)


@handles(Connect)
def connect(svc: Services, e: Connect, ctx: Context) -> None:
    """Put her through to the person of the role on shift who speaks her language (the call's
    answer dials them); with nobody on shift, she may leave a message for the team."""
    people = svc.staff.on_shift(svc.now(), e.role or "counsellor", e.lang)
    if people:
        ctx.dial = people[0].phone
    else:
        ctx.then_say, ctx.record = svc.catalog.own("voice_leave_message", e.lang), True

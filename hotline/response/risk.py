"""An escalation's risk, and why (#17): high, elevated or standard, with the reasons a
counsellor reads on the live queue. The queue is ordered by it; alerts lead with it.

Risk is not priority. Priority is what a person or a flow asked for (an emergency keyword, a
counsellor request) and drives the chain's policy; risk is what we know of the danger she is in.
Risk changes neither: it orders the queue and words the alert, so it can never lower a priority a
person set, and it raises none (a higher policy pages more people, faster: that stays a person's
or the flow's call, not an inference from words).

The reasons, each a small JSON object kept on the escalation (`risk_reasons`):
- lap: the police danger screen screened her in ({basis, questions}) - high;
- weapon: a weapon or fire in her words (the lexicons' `weapon` group: knife, kerosene …) - high;
- checklist: the danger indicators a counsellor recorded on the case page ({items}) - high on any
  of LAP 1-3, strangulation or threats with fire, or on four or more items; else elevated;
- danger_words: the lexicons' danger words in her messages ({words}) - elevated;
- repeat: other escalations for her in the last 30 days ({count}) - elevated;
- emergency: raised as an emergency ({keyword}: by an emergency keyword) - elevated.
Danger words from a woman who came to us before in the last 30 days make it high: violence
that returns and is now urgent is the pattern the LAP's repeat-call trigger names.

Everything here is pure but `assess` and `reassess`, which read her earlier escalations.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from hotline.i18n.lexicon import Lexicon, lexicon
from hotline.store.models import ERASED, Case, Escalation

LEVELS = ("high", "elevated", "standard")  # the live queue's order
ORDER = {level: i for i, level in enumerate(LEVELS)}
REPEAT_WINDOW = timedelta(days=30)
# the caller is a police officer: his phone's other requests and his words are not hers
OFFICER_KINDS = ("lap", "accompaniment")

# The counsellor's danger checklist (console case page): the LAP's eleven questions, and what
# dowry violence in Tamil Nadu adds. A yes to any of HIGH_ITEMS, or to FOUR or more items, is high
# (as the LAP: any of 1-3, or four of the rest); non-fatal strangulation and threats with fire or
# kerosene (dowry burnings) are each strong predictors of a killing on their own.
CHECKLIST = {
    "q1": "He used or threatened to use a weapon against her",
    "q2": "He threatened to kill her or her children",
    "q3": "She thinks he might try to kill her",
    "q4": "He has a gun or can get one easily",
    "q5": "He has tried to choke her",
    "q6": "He is violently or constantly jealous, or controls her daily activities",
    "q7": "She has left him or separated",
    "q8": "He is unemployed",
    "q9": "He has tried to kill himself",
    "q10": "She has a child he knows is not his",
    "q11": "He follows or spies on her, or sends her threats",
    "strangled": "Strangled her (neck squeezed, even once)",
    "pregnant": "She is pregnant",
    "worse": "The violence got worse or more frequent in the last year",
    "fire": "Threats with fire or kerosene",
    "in_laws": "In-laws are involved in the violence",
}
HIGH_ITEMS = ("q1", "q2", "q3", "strangled", "fire")
FOUR = 4


def _words(text: str | None, category: str, lex: Lexicon) -> list[str]:
    """The lexicon entries of `category` her text holds, not negated, as the file writes them
    (not her own words: the card shows which danger, not what she wrote)."""
    if not text:
        return []
    found = []
    for hit in lex.hits(text, (category,)):
        word = hit.entry.text.rstrip("*")
        if not hit.negated and word not in found:
            found.append(word)
    return found


def reasons_for(*, kind: str, priority: str, reason: str, details: dict | None, words: str | None,
                earlier: int, lex: Lexicon | None = None) -> list[dict]:
    """The reasons of a new escalation: from what raised it, her words and how often she came."""
    lex = lex or lexicon()
    details = details or {}
    found: list[dict] = []
    screen = details.get("screen") or {}
    if kind == "lap" and screen and screen.get("result", "screened_in") == "screened_in":
        found.append({"why": "lap", "basis": screen.get("basis"), "questions": list(screen.get("yes") or [])})
        words = screen.get("worry_text")  # her own words, as the officer typed them; his "1"/"2" are not
    elif kind in OFFICER_KINDS:
        words = None
    if priority == "emergency" and kind not in OFFICER_KINDS:
        found.append({"why": "emergency", "keyword": reason == "emergency keyword"})
    found += from_words(words, lex)
    if earlier and kind not in OFFICER_KINDS:
        found.append({"why": "repeat", "count": earlier})
    return found


def from_words(words: str | None, lex: Lexicon | None = None) -> list[dict]:
    """Danger words, and weapons or fire, in one message of hers."""
    lex = lex or lexicon()
    found = []
    weapons = _words(words, "weapon", lex)
    if weapons:
        found.append({"why": "weapon", "words": weapons})
    danger = [w for w in _words(words, "danger", lex) + _words(words, "danger_maybe", lex) if w not in weapons]
    if danger:
        found.append({"why": "danger_words", "words": danger})
    return found


def checklist_reason(items: list[str]) -> list[dict]:
    """The counsellor's checklist as a reason (none when nothing is ticked); unknown items dropped."""
    kept = [i for i in CHECKLIST if i in items]
    return [{"why": "checklist", "items": kept}] if kept else []


def merged(old: list[dict] | None, new: list[dict]) -> list[dict]:
    """Reasons of before and now, one of each kind: words joined, counts and items the latest."""
    out = [dict(r) for r in old or []]
    for reason in new:
        same = next((r for r in out if r.get("why") == reason.get("why")), None)
        if same is None:
            out.append(dict(reason))
        elif "words" in reason:
            same["words"] = [*same.get("words", []), *(w for w in reason["words"] if w not in same.get("words", []))]
        else:
            same.update(reason)
    return sorted(out, key=lambda r: WEIGHT_ORDER.get(r.get("why"), 99))


def _checklist_high(items: list[str]) -> bool:
    return any(i in HIGH_ITEMS for i in items) or len(items) >= FOUR


def level(reasons: list[dict] | None) -> str:
    """high, elevated or standard, from the reasons alone."""
    whys = {r.get("why"): r for r in reasons or []}
    if "lap" in whys or "weapon" in whys:
        return "high"
    if "checklist" in whys and _checklist_high(whys["checklist"].get("items", [])):
        return "high"
    if "danger_words" in whys and "repeat" in whys:
        return "high"
    return "elevated" if whys else "standard"


WEIGHT_ORDER = {"lap": 0, "weapon": 1, "checklist": 2, "danger_words": 3, "repeat": 4, "emergency": 5}
BASIS = {"questions_1_3": "a yes to questions 1-3", "four_of_4_11": "four or more of questions 4-11",
         "officer": "the officer's belief"}


def describe(reason: dict) -> str:
    """One reason as a counsellor reads it on the live queue."""
    why = reason.get("why")
    if why == "lap":
        questions = ", ".join(str(q) for q in reason.get("questions") or []) or "none"
        return f"LAP screened in on {BASIS.get(reason.get('basis'), reason.get('basis') or '?')} (yes to {questions})"
    if why == "weapon":
        return "weapon or fire: " + ", ".join(reason.get("words", []))
    if why == "danger_words":
        return "danger words: " + ", ".join(reason.get("words", []))
    if why == "repeat":
        count = reason.get("count", 0)
        return f"{count} other request{'s' if count != 1 else ''} in the last 30 days"
    if why == "emergency":
        return "emergency keyword" if reason.get("keyword") else "raised as an emergency"
    if why == "checklist":
        items = reason.get("items", [])
        return "counsellor's checklist: " + "; ".join(CHECKLIST.get(i, i).lower() for i in items)
    return str(why)


def earlier_requests(s, caller_key: str, now: datetime, but: int | None = None) -> int:
    """Her other escalations opened in the last 30 days (any case of hers)."""
    if not caller_key or caller_key == ERASED:
        return 0
    query = (select(func.count(Escalation.id)).join(Case, Case.id == Escalation.case_id)
             .where(Case.caller_key == caller_key, Escalation.created_at >= now - REPEAT_WINDOW))
    if but is not None:
        query = query.where(Escalation.id != but)
    return s.scalar(query) or 0


def assess(s, e: Escalation, caller_key: str, now: datetime, words: str | None) -> None:
    """Set a new escalation's risk and reasons (in the session that opens it, after its flush)."""
    before = s.scalars(select(Escalation).where(Escalation.case_id == e.case_id, Escalation.id != e.id)
                       .order_by(Escalation.id.desc())).first()
    ticked = checklist_reason(checklist_of(before)) if before is not None else []  # what she told us holds
    e.risk_reasons = merged(None, reasons_for(kind=e.kind, priority=e.priority, reason=e.reason, details=e.details,
                                              words=words, earlier=earlier_requests(s, caller_key, now, e.id))
                            + ticked)
    e.risk = level(e.risk_reasons)


def checklist_of(e: Escalation) -> list[str]:
    """The items ticked on an escalation's checklist (none when nobody recorded one)."""
    return next((list(r.get("items", [])) for r in e.risk_reasons or [] if r.get("why") == "checklist"), [])


def with_checklist(e: Escalation, items: list[str]) -> bool:
    """The counsellor's checklist, as she ticked it now (unticking removes a reason); True when the
    level changed."""
    e.risk_reasons = [r for r in e.risk_reasons or [] if r.get("why") != "checklist"]
    return reassess(e, checklist_reason(items))


def reassess(e: Escalation, new: list[dict]) -> bool:
    """Add reasons to a running escalation (her new message, a raised priority, the checklist);
    True when its level changed."""
    before = e.risk
    e.risk_reasons = merged(e.risk_reasons, new)
    e.risk = level(e.risk_reasons)
    return e.risk != before

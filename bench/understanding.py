"""How well the line understands her words, measured on words nobody here wrote (#27).

The labelled corpus (eval/corpus/, written independently of the code) is split once, by SEED:
within each group (a danger label, an answer's question and label) the messages are ordered by a
hash of the seed and the text, and the first half is the BUILD part, the rest the REPORT part.
Words are tuned on BUILD only; figures are reported on REPORT. The real comments
(eval/codemix/, DravidianCodeMix) have no labels of ours: every one is an ordinary message, so any
escalation they open is a false one, and a Tanglish comment should be answered in Tamil.

Everything here reads the engine as the webhook drives it (engine.step, detect), nothing else.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotline import engine  # noqa: E402
from hotline.engine.answers import (  # noqa: E402
    parse_district,
    parse_time_window,
    parse_visit_time,
    parse_yesno,
)
from hotline.engine.nodes import menu  # noqa: E402
from hotline.i18n import detect  # noqa: E402
from hotline.i18n.text import normalise, script_share  # noqa: E402

SEED = "hotline-27"  # the split's seed: changing it re-splits, and tuned words leak into REPORT
CORPUS = ROOT / "eval" / "corpus"
CODEMIX_SAMPLE = ROOT / "eval" / "codemix" / "tamil_dev_sample.txt"
FLOWS = ROOT / "flows"
FACTS = {"safe_word": "recipe", "channel": "sms", "local_time": "10:30", "local_date": "2026-01-07",
         "on_shift": {"counsellor": ["en", "ta"], "ngo": ["en", "ta"]}, "reachable": True}
WEDNESDAY = date(2026, 1, 7)  # the corpus labels times as if it were Wednesday 10:30
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _order(text: str) -> str:
    return hashlib.sha256(f"{SEED}\n{text}".encode()).hexdigest()


def split(items: list[dict], group) -> tuple[list[dict], list[dict]]:
    """(BUILD, REPORT): half of each group each, by the seeded hash (odd groups: REPORT gets one more)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        groups[group(item)].append(item)
    build, report = [], []
    for key in sorted(groups):
        ordered = sorted(groups[key], key=lambda i: _order(i["text"]))
        half = len(ordered) // 2
        build += ordered[:half]
        report += ordered[half:]
    return build, report


def _label(answer) -> str:
    return answer if isinstance(answer, str) else repr(sorted(answer.items())) if isinstance(answer, dict) else str(answer)


def first_contact(part: str = "report") -> list[dict]:
    items = yaml.safe_load((CORPUS / "danger-and-first-contact.yaml").read_text(encoding="utf-8"))
    build, report = split(items, lambda i: f"{i['danger']}/{i['lang']}")
    return report if part == "report" else build


def answers(part: str = "report") -> list[dict]:
    items = yaml.safe_load((CORPUS / "answers.yaml").read_text(encoding="utf-8"))
    build, report = split(items, lambda i: f"{i['question']}/{_label(i['answer'])[:12]}")
    return report if part == "report" else build


def codemix(part: str = "report", path: str | None = None) -> list[str]:
    """The real comments: the full Tamil dev file (HOTLINE_CODEMIX, as published: text;label;)
    when given, else the sample kept in the repo; split as the corpus is (by the seeded hash:
    words are tuned on BUILD's comments, never on REPORT's)."""
    path = path or os.environ.get("HOTLINE_CODEMIX") or str(CODEMIX_SAMPLE)
    texts = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        head, sep, tail = line.rpartition(";")
        if sep and tail == "" and ";" in head:  # text;label;
            line = head.rpartition(";")[0]
        texts.append(line)
    build = {t for t in texts if int(_order(t), 16) % 2 == 0}
    return [t for t in texts if (t in build) == (part == "build")]


# -- what the line does with a first message --------------------------------------------------

@dataclass
class Outcome:
    priority: str | None  # the escalation it opened: emergency, high, … or None
    numbers: bool  # the emergency numbers on her screen
    asked_safe: bool  # "are you safe right now?"
    lang: str  # the language of the reply
    why: list[str] = field(default_factory=list)
    reason: str | None = None  # the escalation's reason (emergency keyword, possible danger, counsellor requested …)


_FLOWS = None


def flows():
    global _FLOWS
    if _FLOWS is None:
        loaded, problems = engine.load(FLOWS)
        if problems:
            raise SystemExit("the shipped flows have problems: run hotline flows check flows/")
        _FLOWS = loaded
    return _FLOWS


def first_message(text: str) -> Outcome:
    """A first message through the engine, as the webhook sends it (the language detected first)."""
    result = engine.step(flows(), None, engine.Event(text=text, at=1_767_761_400.0, flow="survivor",
                                                     lang=detect(text), facts=FACTS))
    escalations = [e for e in result.effects if e.name == "escalate"]
    priorities = [e.priority for e in escalations]
    said = [o.get("msg") for o in result.outputs]
    return Outcome(reason=escalations[0].reason if escalations else None,
                   priority=priorities[0] if priorities else None,
                   numbers=any(m in ("emergency_raised", "emergency_numbers") for m in said),
                   asked_safe="safe_right_now" in said, lang=result.lang)


def danger_of(outcome: Outcome) -> str:
    """immediate (an emergency), possible (an alert below it, or the safety question) or none."""
    if outcome.priority == "emergency":
        return "immediate"
    if outcome.priority or outcome.asked_safe:
        return "possible"
    return "none"


INTENT_DID = ("emergency", "high alert + question", "question only", "counsellor", "other alert", "no alert")


def did(outcome: Outcome) -> str:
    """What a first message made the line do, as a counsellor would see it."""
    if outcome.priority == "emergency":
        return "emergency"
    if outcome.reason == "possible danger":
        return "high alert + question"
    if outcome.asked_safe:
        return "question only"
    if outcome.reason and "counsellor" in outcome.reason:
        return "counsellor"
    return "other alert" if outcome.priority else "no alert"


def intents(items: list[dict]) -> dict[str, Counter]:
    """Per labelled intent, what the line did with the first message."""
    out: dict[str, Counter] = defaultdict(Counter)
    for item in items:
        out[item["intent"]][did(first_message(item["text"]))] += 1
    return dict(out)


def prf(pairs: list[tuple[str, str]], label: str) -> tuple[float, float, int]:
    """Precision and recall of `label` over (true, predicted) pairs, and its support."""
    tp = sum(1 for t, p in pairs if t == label and p == label)
    predicted = sum(1 for _, p in pairs if p == label)
    support = sum(1 for t, _ in pairs if t == label)
    return (tp / predicted if predicted else 1.0), (tp / support if support else 1.0), support


@dataclass
class DangerFigures:
    pairs: list[tuple[str, str]]  # (label, what the line did)
    escalated_recall: float  # immediate messages that opened any escalation
    escalated_precision: float  # escalations whose message showed danger (immediate or possible)
    emergency_precision: float  # emergencies whose message was immediate danger
    false_escalation: float  # "none" messages that opened an escalation
    numbers_on_none: float  # "none" messages that put the emergency numbers on her screen
    lang_pairs: list[tuple[str, str, str]]  # (script, label, replied in)
    misses: list[str]  # the REPORT messages read wrong (for the note, never for tuning)
    reached_recall: float = 0.0  # immediate messages that opened an escalation or got the safety question
    asked_on_none: float = 0.0  # "none" messages that got the safety question (no page)


def danger_figures(items: list[dict]) -> DangerFigures:
    pairs, lang_pairs, misses = [], [], []
    escalated_any = raised_on_danger = emergencies = emergencies_right = immediate = caught = reached = 0
    none_asked = 0
    none = none_escalated = none_numbers = 0
    for item in items:
        out = first_message(item["text"])
        did = danger_of(out)
        pairs.append((item["danger"], did))
        lang_pairs.append((item["script"], item["lang"], out.lang))
        if item["danger"] == "immediate":
            immediate += 1
            caught += bool(out.priority)
            reached += bool(out.priority or out.asked_safe)
        if out.priority:
            escalated_any += 1
            raised_on_danger += item["danger"] != "none"
        if out.priority == "emergency":
            emergencies += 1
            emergencies_right += item["danger"] == "immediate"
        if item["danger"] == "none":
            none += 1
            none_escalated += bool(out.priority)
            none_numbers += out.numbers
            none_asked += out.asked_safe and not out.priority
        if did != item["danger"]:
            misses.append(f"{item['danger']} read as {did}: {item['text']}")
    return DangerFigures(pairs, caught / immediate if immediate else 1.0,
                         raised_on_danger / escalated_any if escalated_any else 1.0,
                         emergencies_right / emergencies if emergencies else 1.0,
                         none_escalated / none if none else 0.0, none_numbers / none if none else 0.0,
                         lang_pairs, misses, reached / immediate if immediate else 1.0,
                         none_asked / none if none else 0.0)


# -- answers to the line's questions ------------------------------------------------------------

def _read_yesno(text: str) -> str:
    return parse_yesno(text) or "unclear"


def _window_label(answer) -> str:
    if not isinstance(answer, dict):
        return str(answer)
    return f"{answer.get('day')} {answer.get('from')}-{answer.get('to')}"


def _read_window(text: str) -> str:
    got = parse_time_window(text, now="10:30", today=WEDNESDAY.isoformat())
    if got is None or got.unclear:
        return "unclear"
    start, end = str(got).split("-")
    return f"{got.more.get('day', 'today')} {start}-{end}"


def _day_matches(label_day: str, read_day: str) -> bool:
    """A weekday label that falls today/tomorrow/day after is that day to the line (WEDNESDAY)."""
    if label_day == read_day:
        return True
    relative = {"today": 0, "tomorrow": 1, "day_after": 2}
    if label_day in WEEKDAYS and read_day in relative:
        return (WEEKDAYS.index(label_day) - WEDNESDAY.weekday()) % 7 == relative[read_day]
    return False


def window_right(answer, read: str) -> bool:
    if not isinstance(answer, dict):
        return read == "unclear"  # unclear and refuse: the line must not book a time
    if read == "unclear":
        return False
    # her call comes at the hour she gave: the start must be hers; the line keeps two hours from a
    # single time where the labels keep one, so the end is not scored
    day, hours = read.split(" ")
    return _day_matches(answer.get("day"), day) and hours.split("-")[0] == answer.get("from")


def _read_visit(text: str) -> str:
    got = parse_visit_time(text, today=WEDNESDAY.isoformat())
    if got is None:
        return "unclear"
    ahead = (date.fromisoformat(got.more["date"]) - WEDNESDAY).days
    return f"{ahead} {got}"


def visit_right(answer, read: str) -> bool:
    if not isinstance(answer, dict):
        return read == "unclear"
    if read == "unclear":
        return False
    ahead, at = read.split(" ")
    label_day = answer.get("day")
    want = {"today": 0, "tomorrow": 1, "day_after": 2}.get(label_day)
    if want is None and label_day in WEEKDAYS:
        want = (WEEKDAYS.index(label_day) - WEDNESDAY.weekday()) % 7 or 7
    return want == int(ahead) and at == answer.get("from")


@dataclass
class AnswerFigures:
    right: dict[str, tuple[int, int]]  # question -> (right, of)
    yesno: Counter  # (label, read) for safe to talk
    no_read_as_yes: int
    misses: list[str]
    wrong_day: int = 0  # call-backs booked for a day she did not give (the worst mistake: he may be home)


def answer_figures(items: list[dict]) -> AnswerFigures:
    right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    yesno: Counter = Counter()
    no_as_yes = wrong_day = 0
    misses = []
    for item in items:
        q, text, answer = item["question"], item["text"], item["answer"]
        if q == "safe_to_talk":
            read = _read_yesno(text)
            ok = read == answer
            yesno[(answer, read)] += 1
            no_as_yes += answer == "no" and read == "yes"
        elif q == "district":
            read = parse_district(text) or "unclear"
            ok = read.lower() == str(answer).lower()
        elif q == "callback_time":
            read = _read_window(text)
            ok = window_right(answer, read)
            if isinstance(answer, dict) and read != "unclear" and not _day_matches(answer.get("day"), read.split(" ")[0]):
                wrong_day += 1
        elif q == "police_visit_when":
            read = _read_visit(text)
            ok = visit_right(answer, read)
        else:
            continue  # menu: menus() below, through the engine
        right[q][0] += ok
        right[q][1] += 1
        if not ok:
            misses.append(f"{q}: {_label(answer)} read as {read}: {text}")
    return AnswerFigures({q: (r, n) for q, (r, n) in right.items()}, yesno, no_as_yes, misses, wrong_day)


# The corpus' menu has seven options; the line's main menu has five. Her words for an option are
# scored against the line's option holding it (police, legal, medical, shelters: information);
# a number is scored as the line's own key of that number (6 and 7: none, so asked again).
MENU_OF_CORPUS = {1: "check_shift", 2: "info_menu", 3: "info_menu", 4: "info_menu", 5: "info_menu",
                  6: "ask_window", 7: "goodbye"}
NUMBER_WORDS = {"onnu": 1, "ondru": 1, "onru": 1, "ஒன்று": 1, "ஒண்ணு": 1, "rendu": 2, "randu": 2,
                "irandu": 2, "ரெண்டு": 2, "இரண்டு": 2, "moonu": 3, "munu": 3, "மூணு": 3, "மூன்று": 3,
                "naalu": 4, "nalu": 4, "நாலு": 4, "நான்கு": 4, "anju": 5, "ainthu": 5, "அஞ்சு": 5,
                "ஐந்து": 5, "aaru": 6, "ஆறு": 6, "ezhu": 7, "ஏழு": 7}
HANDLER_GOES = {"counsellor": "check_shift", "menu": "main_menu"}


def _number(text: str) -> int | None:
    said = normalise(text)
    return int(said) if said.isdigit() and len(said) == 1 else NUMBER_WORDS.get(said)


def menu_choice(text: str) -> str:
    """Where the line's main menu goes on her words (its handlers first, as the engine hears them)."""
    handler = engine.keyword(flows(), "survivor", text, FACTS)
    if handler in HANDLER_GOES:
        return HANDLER_GOES[handler]
    node = flows().get("survivor").nodes["main_menu"]
    choice, _ = menu.pick(node.data["choices"], text, flows().lexicon, ["en", "ta"])
    return choice["goto"] if choice else "asked again"


def menu_figures(items: list[dict]) -> tuple[int, int, list[str]]:
    """Menu answers at the line's main menu: (right, of, misses)."""
    node = flows().get("survivor").nodes["main_menu"]
    keys = {int(c["key"]): c["goto"] for c in node.data["choices"] if c["key"] and c["key"].isdigit()}
    right = total = 0
    misses = []
    for item in items:
        if item["question"] != "menu":
            continue
        answer, went = item["answer"], menu_choice(item["text"])
        number = _number(item["text"])
        if answer == "unclear":
            want = "asked again"
        elif number is not None:
            want = keys.get(number, "asked again")
        else:
            want = MENU_OF_CORPUS[int(answer)]
        total += 1
        right += went == want
        if went != want:
            misses.append(f"menu {answer} (the line's {want}) went to {went}: {item['text']}")
    return right, total, misses


# -- the real comments ------------------------------------------------------------------------

@dataclass
class CodemixFigures:
    total: int
    escalated: int
    emergencies: int
    numbers: int
    asked: int  # got the safety question, nobody paged
    latin: int  # comments in Latin letters (Tanglish, some English)
    latin_in_tamil: int
    examples: list[str]


def codemix_figures(texts: list[str]) -> CodemixFigures:
    escalated = emergencies = numbers = asked = latin = latin_ta = 0
    examples = []
    for text in texts:
        out = first_message(text)
        escalated += bool(out.priority)
        emergencies += out.priority == "emergency"
        numbers += out.numbers
        asked += out.asked_safe and not out.priority
        if out.priority and len(examples) < 12:
            examples.append(f"{out.priority}: {text[:80]}")
        if script_share(text, "LATIN") >= 0.5:
            latin += 1
            latin_ta += out.lang == "ta"
    return CodemixFigures(len(texts), escalated, emergencies, numbers, asked, latin, latin_ta, examples)


def step_median_us(steps: int = 6000) -> float:
    """The engine bench's conversation (bench/engine.py), median µs a step."""
    from bench.engine import bench_steps

    bench_steps(flows(), 1000)
    timings, _ = bench_steps(flows(), steps)
    return statistics.median(timings) * 1e6


def load_ms(rounds: int = 5) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        engine.load(FLOWS)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1e3


# -- approaches compared (docs/understanding.md) ---------------------------------------------------

def compare_danger(part: str = "report") -> list[tuple[str, dict]]:
    """The line's rules against a character n-gram model trained on BUILD's labels (alarm = any
    danger), and their union: immediate recall, precision of an alarm, alarms on ordinary messages
    and on the real comments."""
    from bench.ngram import NaiveBayes

    build = first_contact("build")
    model = NaiveBayes([(i["text"], "alarm" if i["danger"] != "none" else "none") for i in build])
    items, comments = first_contact(part), codemix(part)

    def rules(text: str) -> bool:
        return first_message(text).priority is not None

    def ngram(text: str) -> bool:
        return model.predict(text) == "alarm"

    out = []
    for name, alarm in (("rules (the line today)", rules), ("character n-gram model", ngram),
                        ("either", lambda t: rules(t) or ngram(t))):
        said = [(i["danger"], alarm(i["text"])) for i in items]
        raised = [d for d, a in said if a]
        out.append((name, {
            "immediate recall": sum(1 for d, a in said if d == "immediate" and a) / max(1, sum(d == "immediate" for d, _ in said)),
            "precision": sum(d != "none" for d in raised) / max(1, len(raised)),
            "alarms on ordinary": sum(1 for d, a in said if d == "none" and a) / max(1, sum(d == "none" for d, _ in said)),
            "alarms on real comments": sum(alarm(t) for t in comments) / max(1, len(comments)),
        }))
    return out


def compare_language(part: str = "report") -> list[tuple[str, dict]]:
    """Tanglish or English, for messages in Latin letters: the lexicons' marker words alone, the
    n-gram model alone, and the two together (the line: markers first, then the model)."""
    from hotline.i18n import lexicon as lexicon_module

    lex = lexicon_module.lexicon()
    items = [i for i in first_contact(part) + answers(part) if i["script"] == "latin"
             and any(ch.isalpha() for ch in i["text"])]
    comments = [t for t in codemix(part) if script_share(t, "LATIN") >= 0.5]

    def model(text: str) -> str:
        toks = [t for t in lexicon_module.keys(text) if lexicon_module.is_latin(t) and not t.isdigit()]
        guess, lead = lex._model().guess(toks) if len(toks) > 1 else (None, 0.0)
        return "ta" if guess == "ta" and lead >= lexicon_module.LEAD else "en"

    def markers(text: str) -> str:
        saved, lexicon_module.LEAD = lexicon_module.LEAD, float("inf")
        try:
            return lex.language_of(text, ["ta"]) or "en"
        finally:
            lexicon_module.LEAD = saved

    def both(text: str) -> str:
        return lex.language_of(text, ["ta"]) or "en"

    out = []
    for name, read in (("marker words", markers), ("character n-gram model", model), ("markers, then the model (the line)", both)):
        said = [(i["lang"], read(i["text"])) for i in items]
        ta = [got for lang, got in said if lang == "ta"]
        en = [got for lang, got in said if lang == "en"]
        out.append((name, {"Tanglish read as Tamil": ta.count("ta") / max(1, len(ta)),
                           "English read as English": en.count("en") / max(1, len(en)),
                           "real comments in Latin letters read as Tamil": sum(read(t) == "ta" for t in comments) / max(1, len(comments))}))
    return out

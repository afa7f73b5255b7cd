"""The engine through `hotline.engine.step`: versions across reloads, expiry, retries and
fallbacks, the first message, no input, and the state the host keeps between messages."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from hotline import engine
from hotline.engine import Event, FlowSet, load_one, step
from hotline.engine.flowset import KEEP_VERSIONS

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_767_261_600.0  # 2026-01-01 10:00 UTC

DEMO = """\
flow: demo
spec: 1
start: menu
expire_after: 30m
retries: 2
messages:
  menu: "{menu_text}"
  opt_help: "Help"
  opt_strict: "Strict"
  help: "{help_text}"
  strict: "One chance only."
  bye: "Bye"
  not_understood: "Sorry?"
  no_input: "We heard nothing."
nodes:
  menu:
    kind: menu
    say: menu
    choices:
      - key: 1
        label: opt_help
        match: [help]
        goto: {help_node}
      - key: 2
        label: opt_strict
        goto: strict
    invalid: not_understood
    no_input: no_input
    fallback: bye
  strict:
    kind: menu
    say: strict
    choices:
      - key: 1
        label: opt_help
        goto: {help_node}
    retries: 0
    invalid: not_understood
    fallback: bye
  {help_node}:
    kind: end
    say: help
  bye:
    kind: end
    say: bye
"""
V1 = {"menu_text": "Reply 1 for help.", "help_text": "Help, as it was.", "help_node": "help"}
V2 = {"menu_text": "Reply 1 for help (new).", "help_text": "Help, as it is now.", "help_node": "new_help"}


def demo(**values) -> str:
    return DEMO.format(**{**V1, **values})


def flowset(*texts: str) -> FlowSet:
    flows = {}
    for text in texts:
        flow, problems = load_one(text)
        assert not problems, "\n".join(map(str, problems))
        flows[flow.name] = flow
    return FlowSet(flows)


class Caller:
    """One caller's conversation: keeps the state between messages as the host would (as JSON)."""

    def __init__(self, flows: FlowSet, flow: str = "demo", at: float = T0, facts: dict | None = None):
        self.flows, self.flow, self.at, self.facts = flows, flow, at, facts or {}
        self.state: dict | None = None
        self.last: engine.Step | None = None

    def send(self, text: str | None, after: float = 10.0) -> list[str]:
        """What the hotline answers (message ids), `after` seconds after the last message."""
        self.at += after
        self.last = step(self.flows, self.state, Event(text=text, at=self.at, flow=self.flow, facts=self.facts))
        self.state = json.loads(json.dumps(self.last.state)) if self.last.state is not None else None
        return [out["msg"] for out in self.last.outputs]


def test_the_demo_flows_are_fine():
    flowset(demo(), DEMO.format(**V2))


# --- versions -----------------------------------------------------------------------------------

def test_a_conversation_keeps_its_version_after_an_edit_and_a_new_one_gets_the_new(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(demo(), encoding="utf-8")
    flows, problems = engine.load(tmp_path)
    assert not problems

    before = Caller(flows)
    assert before.send("hi") == ["menu"]
    assert before.last.outputs[0]["default"] == "Reply 1 for help."
    old_version = before.state["version"]

    path.write_text(DEMO.format(**V2), encoding="utf-8")  # an NGO edits the flow; the host reloads
    reloaded, problems = engine.load(tmp_path)
    assert not problems
    flows.replace(reloaded)
    assert flows.get("demo").version != old_version

    # in progress: still the version it started with, node names and texts and all
    assert before.send("1") == ["help"]
    assert before.last.outputs[0]["default"] == "Help, as it was."
    assert before.last.ended

    # new: the new version
    after = Caller(flows)
    assert after.send("hi") == ["menu"]
    assert after.last.outputs[0]["default"] == "Reply 1 for help (new)."
    assert after.state["version"] == flows.get("demo").version != old_version
    assert after.send("1") == ["help"]
    assert after.last.outputs[0]["default"] == "Help, as it is now."


def test_a_reload_of_an_unchanged_file_keeps_the_version(tmp_path):
    (tmp_path / "demo.yaml").write_text(demo(), encoding="utf-8")
    first, _ = engine.load(tmp_path)
    second, _ = engine.load(tmp_path)
    assert first.get("demo").version == second.get("demo").version


def test_a_forgotten_version_goes_on_in_the_current_one_or_starts_over(tmp_path):
    flows = flowset(demo())
    waiting_at_menu = Caller(flows)
    waiting_at_menu.send("hi")
    waiting_at_strict = Caller(flows)
    waiting_at_strict.send("2")
    assert waiting_at_strict.state["node"] == "strict"
    for n in range(KEEP_VERSIONS + 1):  # so many edits that the first version is no longer kept
        flows.replace(flowset(demo(help_text=f"Help, edit {n}.")))
    assert flows.get("demo", waiting_at_menu.state["version"]) is flows.get("demo")

    # the current version has the node it waits at: it goes on there
    assert waiting_at_menu.send("1") == ["help"]
    assert waiting_at_menu.last.outputs[0]["default"] == f"Help, edit {KEEP_VERSIONS}."

    # the node is gone in the current version: it starts over, it is not left stranded
    flows.replace(flowset(DEMO.format(**V2).replace("strict", "careful")))
    assert waiting_at_strict.send("hello") == ["menu"]
    assert waiting_at_strict.state["version"] == flows.get("demo").version


# --- expiry -------------------------------------------------------------------------------------

QUESTIONS = """\
flow: questions
spec: 1
start: age
expire_after: 30m
messages:
  ask_age: "How old are you?"
  ask_name: "What is your name?"
  thanks: "Thank you."
nodes:
  age:
    kind: ask
    say: ask_age
    answer: number
    save: age
    next: name
    fallback: name
  name:
    kind: ask
    say: ask_name
    answer: text
    save: name
    next: thanks
    fallback: thanks
  thanks:
    kind: end
    say: thanks
"""


def test_a_conversation_goes_on_before_it_expires():
    caller = Caller(flowset(QUESTIONS), flow="questions")
    assert caller.send("40") == ["ask_name"]
    assert caller.send("Asha", after=29 * 60) == ["thanks"]
    assert caller.last.ended


def test_an_expired_conversation_starts_over():
    caller = Caller(flowset(QUESTIONS), flow="questions")
    assert caller.send("40") == ["ask_name"]
    assert caller.state["vars"] == {"age": 40}
    # 31 minutes later "Asha" is the first message of a new conversation: the first question
    # is asked again (without a complaint), and nothing of the old one is kept
    assert caller.send("Asha", after=31 * 60) == ["ask_age"]
    assert caller.state["node"] == "age"
    assert caller.state["vars"] == {}
    assert caller.state["tries"] == 0


def test_expiry_is_the_flows_own():
    flows = flowset(demo(), QUESTIONS.replace("expire_after: 30m", "expire_after: 2h"))
    long_lived = Caller(flows, flow="questions")
    long_lived.send("40")
    assert long_lived.send("Asha", after=90 * 60) == ["thanks"]
    short_lived = Caller(flows)
    short_lived.send("hi")
    assert short_lived.send("1", after=90 * 60) == ["help"]  # "1" answers the menu of a new conversation
    assert short_lived.last.outputs[0]["default"] == "Help, as it was."


# --- retries, fallbacks, no input -----------------------------------------------------------------

def test_retries_then_the_fallback():
    caller = Caller(flowset(demo()))
    assert caller.send("hi") == ["menu"]
    assert caller.send("what") == ["not_understood", "menu"]
    assert caller.state["tries"] == 1
    assert caller.send("eh") == ["not_understood", "menu"]
    assert caller.state["tries"] == 2
    assert caller.send("no idea") == ["bye"]  # the flow's retries: 2, then the fallback
    assert caller.last.ended


def test_a_nodes_own_retries_win_over_the_flows():
    caller = Caller(flowset(demo()))
    assert caller.send("2") == ["strict"]
    assert caller.send("what") == ["bye"]  # retries: 0


def test_a_right_answer_after_wrong_ones_goes_on():
    caller = Caller(flowset(demo()))
    caller.send("hi")
    caller.send("what")
    caller.send("eh")
    assert caller.send("help") == ["help"]


def test_no_input_counts_like_a_wrong_answer_with_its_own_message():
    caller = Caller(flowset(demo()))
    assert caller.send(None) == ["menu"]  # a call that starts in silence: just the question
    assert caller.state["tries"] == 0
    assert caller.send(None) == ["no_input", "menu"]
    assert caller.state["tries"] == 1
    assert caller.send("what") == ["not_understood", "menu"]
    assert caller.state["tries"] == 2
    assert caller.send("   ") == ["bye"]  # blank is no input too; three misses: the fallback


def test_a_node_without_a_no_input_message_just_asks_again():
    caller = Caller(flowset(demo().replace("    no_input: no_input\n", "")))
    caller.send("hi")
    assert caller.send(None) == ["menu"]
    assert caller.state["tries"] == 1


# --- the first message ----------------------------------------------------------------------------

def test_a_first_message_that_answers_the_first_question_skips_it():
    caller = Caller(flowset(demo()))
    assert caller.send("1") == ["help"]
    assert caller.last.ended


def test_a_first_message_that_does_not_answer_is_not_a_wrong_answer():
    caller = Caller(flowset(demo()))
    assert caller.send("hello, is anyone there?") == ["menu"]  # no "Sorry?"
    assert caller.state["tries"] == 0
    assert caller.send("what") == ["not_understood", "menu"]
    assert caller.send("eh") == ["not_understood", "menu"]  # still two re-asks before the fallback
    assert caller.send("hm") == ["bye"]


def test_what_comes_before_the_first_question_is_still_said():
    text = demo().replace("start: menu", "start: welcome").replace("nodes:\n", """\
nodes:
  welcome:
    kind: message
    say: bye
    next: menu
""")
    caller = Caller(flowset(text))
    assert caller.send("1") == ["bye", "help"]  # the welcome, then the answer's node; no menu


def test_a_first_message_in_tamil_picks_tamil_on_the_shipped_flow(shipped):
    caller = Caller(shipped, flow="survivor", facts=FACTS)
    assert caller.send("வணக்கம்") == ["safe_to_talk"]  # "hello" in Tamil: the language is answered
    assert caller.last.lang == "ta"
    caller = Caller(shipped, flow="survivor", facts=FACTS)
    assert caller.send("2") == ["safe_to_talk"]  # choice 2 of the language menu
    assert caller.last.lang == "ta"
    caller = Caller(shipped, flow="survivor", facts=FACTS)
    assert caller.send("hi") == ["choose_language"]


# --- purity ---------------------------------------------------------------------------------------

def test_step_does_not_change_the_state_it_is_given():
    flows = flowset(demo())
    caller = Caller(flows)
    caller.send("hi")
    state = caller.state
    kept = copy.deepcopy(state)
    first = step(flows, state, Event(text="what", at=T0 + 60, flow="demo"))
    assert state == kept
    second = step(flows, state, Event(text="what", at=T0 + 60, flow="demo"))
    assert (first.state, first.outputs, first.effects) == (second.state, second.outputs, second.effects)


# --- the state on the shipped survivor flow -------------------------------------------------------

FACTS = {"safe_word": "recipe", "channel": "sms", "local_time": "14:00",
         "on_shift": {"counsellor": ["en", "ta"], "ngo": ["en", "ta"]}}

SURVIVOR_CONVERSATION = [
    "hi", "1", "yes",                            # English, safe to talk
    "2", "1", "Chennai",                         # shelter in Chennai
    "2", "2", "Madras",                          # legal aid
    "2", "3", "மதுரை",                           # medical, Madurai in Tamil
    "2", "4", "somewhere", "nowhere", "what",     # one-stop centre, district not understood: fallback
    "2", "5", "Trichy",                          # police help desk
    "3", "whenever", "4-6pm",                    # a callback at a safe time
    "3", "மாலை 4 - 6",
    "4",                                         # emergency numbers
    "1",                                         # a counsellor
    "தமிழ்",                                      # switch to Tamil
    "2", "0",                                    # info, back
    "URGENT",                                    # emergency keyword, the menu again
    "blah", "blah", "blah",                      # the menu's fallback
    "MENU", "3", "between 10 and 12", "2", "1", "Coimbatore", "4", "1",
]


@pytest.fixture(scope="module")
def shipped() -> FlowSet:
    flows, problems = engine.load(ROOT / "flows")
    assert not problems, "\n".join(map(str, problems))
    return flows


def test_the_state_stays_small_and_json_through_a_long_survivor_conversation(shipped):
    caller = Caller(shipped, flow="survivor", facts=FACTS)
    sizes, actions = [], []
    for text in SURVIVOR_CONVERSATION * 3:
        caller.send(text, after=60)
        assert caller.last.state is not None, f"the conversation ended at {text!r}"
        as_json = json.dumps(caller.last.state, ensure_ascii=False)
        assert json.loads(as_json) == caller.last.state  # nothing that JSON would change
        sizes.append(len(as_json.encode("utf-8")))
        actions += [a.name for a in caller.last.effects]
    assert max(sizes) < 1024, max(sizes)
    # the conversation went where it was meant to: every kind of help was asked for
    assert {"send_resources", "schedule_callback", "escalate"} <= set(actions)
    assert caller.last.lang == "ta"


def test_the_safe_word_keeps_nothing(shipped):
    caller = Caller(shipped, flow="survivor", facts=FACTS)
    for text in ["hi", "1", "yes", "3", "4-6pm"]:
        caller.send(text)
    assert caller.send("Recipe") == ["innocuous"]
    assert caller.last.forgotten and caller.last.ended and caller.state is None
    assert [a.name for a in caller.last.effects] == ["forget"]

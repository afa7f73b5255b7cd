"""The engine: step(flows, state, event) -> Step. Pure: no I/O, no clock, no randomness.

The webhooks, the terminal chat, the simulator and the transcript tests all call `step`, so one
set of tests covers every channel. The state is a small JSON-able dict the host keeps between
messages; outputs are message ids (with their English defaults) for a channel renderer; effects
(hotline/engine/effects/) are what the host must carry out (escalate, send resources, erase …).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.engine import conditions, effects
from hotline.engine.effects import Effect
from hotline.engine.flowset import FlowSet
from hotline.engine.model import Flow, Handler, Node
from hotline.engine.nodes import KINDS, menu
from hotline.i18n.text import contains_phrase, normalise

MAX_HOPS = 100  # the linter forbids loops that never wait; this guards against what it cannot see


@dataclass
class Event:
    """What the caller did. `text` None means no input (a voice prompt that heard nothing)."""

    text: str | None = None
    at: float = 0.0  # seconds since the epoch, from the host's clock
    flow: str = "survivor"  # where a new conversation starts
    lang: str | None = None  # the language remembered for this caller, if any
    facts: dict = field(default_factory=dict)  # role, channel, local_time, on_shift, safe_word


@dataclass
class Step:
    state: dict | None  # None: the conversation ended (or was forgotten); keep nothing of it
    outputs: list[dict]
    effects: list[Effect]
    lang: str
    ended: bool = False
    forgotten: bool = False  # the safe word: the host keeps nothing, not even the language
    node: str | None = None  # where the conversation waits now


class FlowError(Exception):
    """A flow that passed no check, or a runtime guard tripped; the host answers with its fallback."""


class Run:
    """One step's working state. Node kinds call its methods; nothing here touches the world."""

    def __init__(self, flows: FlowSet, event: Event):
        self.flows = flows
        self.event = event
        self.facts = event.facts
        self.outputs: list[dict] = []
        self.effects: list[Effect] = []
        self.flow: Flow | None = None
        self.node: str | None = None
        self.next: str | None = None
        self.vars: dict = {}
        self.lang = "en"
        self.tries = 0
        self.finished = False
        self.forgotten = False

    # -- what node kinds call -------------------------------------------------------------
    def say(self, ids) -> None:
        for msg_id in ids if isinstance(ids, list) else [ids]:
            self.outputs.append(self._message("say", msg_id))

    def prompt(self, ids, choices: list[dict], answer: str) -> None:
        ids = ids if isinstance(ids, list) else [ids]
        self.say(ids[:-1])
        out = self._message("prompt", ids[-1])
        out["answer"] = answer
        out["choices"] = [
            {"key": c["key"], "msg": c["label"], "default": self.flow.message(c["label"])} for c in choices
        ]
        picks = menu.language_picks(self._node_choices())
        for choice in out["choices"]:
            if str(choice["key"]) in picks:
                choice["lang"] = str(picks[str(choice["key"])])
        self.outputs.append(out)

    def _node_choices(self) -> list[dict]:
        node = self.flow.nodes.get(self.node) if self.node else None
        return node.data.get("choices", []) if node is not None else []

    def act(self, action: dict) -> None:
        effect = effects.raised(action, self.vars, lang=self.lang, flow=self.flow.name, node=self.node)
        if isinstance(effect, effects.Forget):
            self.forgotten = True
        self.effects.append(effect)

    def assign(self, values: dict) -> None:
        for key, value in values.items():
            if key == "lang":
                self.lang = str(value)
            else:
                self.vars[key] = value

    def goto(self, node_id: str) -> None:
        self.next = node_id

    def finish(self) -> None:
        self.finished = True

    def switch(self, flow_name: str, node_id: str | None) -> None:
        flow = self.flows.get(flow_name)
        if flow is None:
            raise FlowError(f'flow "{flow_name}" is not loaded')
        self.flow = flow
        self.next = node_id or flow.start

    def holds(self, when: dict) -> bool:
        return conditions.holds(when, self.vars, self.lang, self.facts)

    # -- the machinery ----------------------------------------------------------------------
    def _message(self, kind: str, msg_id: str) -> dict:
        return {"type": kind, "flow": self.flow.name, "msg": msg_id,
                "default": self.flow.message(msg_id), "params": dict(self.vars)}

    def run(self) -> None:
        """Enter nodes from self.next until one waits for the caller or the conversation ends."""
        hops = 0
        while self.next is not None and not self.finished:
            hops += 1
            if hops > MAX_HOPS:
                raise FlowError(f"flow {self.flow.name} went through {MAX_HOPS} nodes without waiting")
            node = self.flow.nodes.get(self.next)
            if node is None:
                raise FlowError(f'flow {self.flow.name} has no node "{self.next}"')
            self.next = None
            self.node = node.id
            self.tries = 0
            KINDS[node.kind].enter(self, node)

    def current(self) -> Node:
        return self.flow.nodes[self.node]

    def heard(self, text: str, otherwise: bool = False) -> Handler | None:
        """The handler a message calls: its keyword alone (or anywhere, with `anywhere:`), the
        safe word (in Latin letters or typed in another script's: ரெசிபி), or a lexicon category
        (danger) in any language; `otherwise` handlers only when asked for (the step could not
        read the message)."""
        said = normalise(text)
        words = self.flows.lexicon
        safe_word = normalise(self.facts.get("safe_word") or "")
        written = []  # the language the message is written in, read once, when a handler asks
        for handler in self.flow.handlers:
            if handler.otherwise != otherwise:
                continue
            if handler.written and handler.lexicon and not handler.match and not any(
                    words.shows(text, category) for category in handler.lexicon):
                continue  # its words first: the language is worth reading only for a message that has them
            if handler.written:
                if not written:
                    written.append(words.language_of(text, self.flow.languages))
                if written[0] != handler.written:
                    continue
            if handler.channel and self.facts.get("channel", "sms") != handler.channel:
                continue
            for word in handler.match:
                if word == "$safe_word":
                    if safe_word and (said == safe_word or words.spelled(text, safe_word)):
                        return handler
                elif word and (said == word or (handler.anywhere and contains_phrase(said, word))):
                    return handler
            if any(words.shows(text, category) for category in handler.lexicon):
                return handler
        return None

    def apply(self, handler: Handler, new: bool) -> None:
        self.assign(handler.set)
        for action in handler.actions:
            self.act(action)
        self.say(handler.say)
        if self.forgotten or handler.then == "end":
            self.finish()
        elif handler.then == "hold" and self.facts.get("channel") == "voice" and not new:
            KINDS[self.current().kind].enter(self, self.current())  # a call needs its question again
        elif handler.then == "hold" and self.facts.get("channel") == "voice":
            self.goto(self.flow.start)
            self.run()
        elif handler.then == "hold" and new:
            # wait at the first question without asking it: the reply stays short (an emergency)
            said = len(self.outputs)
            self.goto(self.flow.start)
            self.run()
            del self.outputs[said:]
            return
        elif handler.then == "hold":
            return  # wait where she was; the question is not asked again
        elif handler.then == "restart":
            self.vars = {}
            self.goto(self.flow.start)
        elif handler.then == "resume" and new:
            self.goto(self.flow.start)  # nothing to resume yet: begin, with what the handler set
        elif handler.then == "resume" and (choice := menu.answered(self.current(), handler.set)):
            self.goto(choice["goto"])  # the handler gave this menu's answer ("Tamil" at the language menu)
        elif handler.then == "resume":
            KINDS[self.current().kind].enter(self, self.current())  # ask again, as it was
        else:
            self.goto(handler.then)
        self.run()

    def answer(self, text: str | None) -> None:
        node = self.current()
        kind = KINDS[node.kind]
        if text is not None and text.strip() and kind.receive(self, node, text):
            self.run()
            return
        if text is not None and text.strip() and (handler := self.heard(text, otherwise=True)):
            self.apply(handler, False)  # not an answer, but her words say what she needs (fear, abuse)
            return
        self.tries += 1
        if self.tries > node.spec.get("retries", self.flow.retries):
            self.goto(node.spec["fallback"])
            self.run()
            return
        complaint = node.spec.get("no_input" if text is None or not text.strip() else "invalid")
        if complaint:
            self.say(complaint)
        tries = self.tries
        kind.enter(self, node)
        self.tries = tries


def step(flows: FlowSet, state: dict | None, event: Event) -> Step:
    run = Run(flows, event)
    if state is not None:
        flow = flows.get(state.get("flow", ""), state.get("version"))
        expired = event.at - state.get("at", 0) > (flow.expire_after if flow else 0)
        if flow is None or expired or state.get("node") not in flow.nodes:
            state = None  # start over cleanly: an old or unknown conversation is not resumed
    new = state is None
    if new:
        run.flow = flows.get(event.flow)
        if run.flow is None:
            raise FlowError(f'flow "{event.flow}" is not loaded')
        run.lang = event.lang if event.lang in run.flow.languages else run.flow.languages[0]
    else:
        run.flow = flow
        run.node = state["node"]
        run.vars = dict(state.get("vars", {}))
        run.lang = state.get("lang", "en")
        run.tries = state.get("tries", 0)

    text = event.text
    handler = run.heard(text) if text else None
    if handler is not None:
        run.apply(handler, new)
    elif new:
        run.goto(run.flow.start)
        run.run()
        # The first message may already answer the first question ("தமிழ்" at the language menu):
        # then the question is not asked; otherwise it is asked, with no complaint.
        if text and text.strip() and not run.finished:
            mark = len(run.outputs) - 1
            node = run.current()
            if run.outputs and run.outputs[-1]["type"] == "prompt" and KINDS[node.kind].receive(run, node, text):
                del run.outputs[mark]
                run.run()
            elif handler := run.heard(text, otherwise=True):
                del run.outputs[mark:]
                run.apply(handler, False)
    else:
        run.answer(text)

    ended = run.finished or run.forgotten
    new_state = None if ended else {
        "flow": run.flow.name,
        "version": run.flow.version,
        "node": run.node,
        "lang": run.lang,
        "vars": run.vars,
        "tries": run.tries,
        "at": event.at,
    }
    return Step(new_state, run.outputs, run.effects, run.lang, ended, run.forgotten, None if ended else run.node)


def keyword(flows: FlowSet, flow_name: str, text: str | None, facts: dict | None = None) -> str | None:
    """The id of the flow's handler that `text` calls (URGENT, STOP, the safe word …), or None.

    The host asks this before passing a message on to a counsellor: a keyword is always the
    hotline's to act on, even in the middle of a relayed conversation."""
    flow = flows.get(flow_name)
    if flow is None or not text:
        return None
    run = Run(flows, Event(text=text, facts=facts or {}))
    run.flow = flow
    handler = run.heard(text)
    return handler.id if handler else None

"""Transcript tests: what a caller sends, what the hotline answers, which actions it raises.

    flow: survivor
    facts: {safe_word: recipe, on_shift: {counsellor: [en, ta]}}   # for every test
    tests:
      - name: emergency keyword at the first message
        facts: {on_shift: {}}              # merged over the file's facts
        lang: ta                           # a language remembered for the caller (optional)
        steps:
          - send: URGENT
            reply: [emergency_raised, emergency_numbers, choose_language]
            actions: [{escalate: {priority: emergency}}]
          - wait: 3h                       # the clock moves on
          - silence: true                  # no input (a voice prompt that heard nothing)
            reply: [no_input, safe_to_talk]
          - send: recipe
            ended: true

A step checks only what it names: `reply` (message ids in order, or {text: part of the English}),
`actions` (in order; each a name or {name: {setting: value}} naming a subset of settings),
`node`, `lang`, `ended`, `vars` (a subset).
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.config import schema
from hotline.config.yamlsource import Map, Problem, YAMLSourceError, load, read
from hotline.engine.effects import Effect
from hotline.engine.flowset import FlowSet
from hotline.engine.stepper import Event, FlowError, step

T0 = 1_767_261_600.0  # 2026-01-01 10:00 UTC: transcripts run on a fixed clock
STEP_GAP = 10.0
STEP_KEYS = {"send", "silence", "wait", "reply", "actions", "node", "lang", "ended", "vars"}
TEST_KEYS = {"name", "facts", "lang", "flow", "steps"}


@dataclass
class Case:
    file: str
    flow: str
    name: str
    line: int
    spec: Map
    facts: dict


@dataclass
class Failure:
    file: str
    line: int
    test: str
    message: str

    def __str__(self) -> str:
        return f'{self.file}:{self.line}: test "{self.test}": {self.message}'


def read_cases(path: str) -> tuple[list[Case], list[Problem]]:
    try:
        data = load(read(path), path)
    except YAMLSourceError as exc:
        return [], exc.problems
    if not isinstance(data, Map) or not isinstance(data.get("tests"), list):
        return [], [Problem(path, 1, "a transcript file is a mapping with flow: and tests:")]
    cases, problems = [], []
    base_facts = dict(data.get("facts") or {})
    for i, spec in enumerate(data["tests"]):
        line = data["tests"].line_of(i)
        if not isinstance(spec, Map) or not isinstance(spec.get("steps"), list):
            problems.append(Problem(path, line, "a test is a mapping with name: and steps:"))
            continue
        for key in spec:
            if key not in TEST_KEYS:
                problems.append(Problem(path, spec.line_of(key), f'unknown key "{key}" in a test ({", ".join(sorted(TEST_KEYS))})'))
        for j, st in enumerate(spec["steps"]):
            if not isinstance(st, Map):
                problems.append(Problem(path, spec["steps"].line_of(j), "a step is a mapping (send:, reply: …)"))
                continue
            for key in st:
                if key not in STEP_KEYS:
                    problems.append(Problem(path, st.line_of(key), f'unknown key "{key}" in a step ({", ".join(sorted(STEP_KEYS))})'))
            if isinstance(st.get("send"), bool):  # bare yes/no: YAML sends "True", which no caller types
                problems.append(Problem(path, st.line_of("send"), 'send: put yes, no, on and off in quotes ("no")'))
        facts = {**base_facts, **dict(spec.get("facts") or {})}
        name = str(spec.get("name", f"test {i + 1}"))
        cases.append(Case(path, str(spec.get("flow", data.get("flow", "survivor"))), name, line, spec, facts))
    return cases, problems


def _action_matches(expected, raised: Effect) -> bool:
    if isinstance(expected, str):
        return raised.name == expected
    if isinstance(expected, dict) and len(expected) == 1:
        name, settings = next(iter(expected.items()))
        return raised.name == name and all(str(getattr(raised, k, None)) == str(v) for k, v in (settings or {}).items())
    return False


def _reply_matches(expected, output: dict) -> bool:
    if isinstance(expected, dict) and "text" in expected:
        return str(expected["text"]).lower() in output["default"].lower()
    return output["msg"] == str(expected)


def run_case(flows: FlowSet, case: Case) -> Failure | None:
    """Walk one test; the first step that differs is the failure."""
    state, at = None, T0
    for index, st in enumerate(case.spec["steps"], 1):
        line = case.spec["steps"].line_of(index - 1)
        if "wait" in st:
            at += schema.seconds(st["wait"]) or 0
            if "send" not in st and "silence" not in st:
                continue
        at += STEP_GAP
        text = None if st.get("silence") else str(st.get("send", ""))
        what = "silence" if text is None else f'send "{text}"'
        event = Event(text=text, at=at, flow=case.flow, lang=case.spec.get("lang"), facts=case.facts)
        try:
            result = step(flows, state, event)
        except FlowError as exc:
            return Failure(case.file, line, case.name, f"step {index} ({what}): the engine failed: {exc}")
        state = result.state

        def fail(message: str, _index=index, _what=what, _line=line) -> Failure:
            return Failure(case.file, _line, case.name, f"step {_index} ({_what}): {message}")

        if "reply" in st:
            expected = st["reply"] if isinstance(st["reply"], list) else [st["reply"]]
            got = [o["msg"] for o in result.outputs]
            if len(expected) != len(got) or not all(map(_reply_matches, expected, result.outputs)):
                return fail(f"expected reply {list(expected)} but got {got}")
        if "actions" in st:
            expected = st["actions"] or []
            if len(expected) != len(result.effects) or not all(map(_action_matches, expected, result.effects)):
                return fail(f"expected actions {list(expected)} but got {[_brief(a) for a in result.effects]}")
        if "node" in st and result.node != st["node"]:
            return fail(f'expected to wait at node "{st["node"]}" but waits at "{result.node}"')
        if "lang" in st and result.lang != st["lang"]:
            return fail(f'expected language "{st["lang"]}" but it is "{result.lang}"')
        if "ended" in st and result.ended != bool(st["ended"]):
            return fail("expected the conversation to end" if st["ended"] else "the conversation ended")
        if "vars" in st:
            held = (state or {}).get("vars", {})
            for key, value in (st["vars"] or {}).items():
                if str(held.get(key)) != str(value):
                    return fail(f'expected {key} = "{value}" but it is "{held.get(key)}"')
    return None


def _brief(effect: Effect) -> dict:
    return {effect.name: {k: v for k, v in effect.settings().items() if v is not None}}


def transcript_files(path: str) -> list[str]:
    from pathlib import Path

    p = Path(path)
    if p.is_file():
        return [str(p)]
    folder = p / "tests" if (p / "tests").is_dir() else p
    return [str(f) for f in sorted(folder.glob("*.yaml"))]

"""Escalation policies from policies.yaml: chains of steps, each notifying people and waiting."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.config import schema
from hotline.config.vocabulary import RESPONDER_ROLES
from hotline.config.yamlsource import Map, Problem, YAMLSourceError, load, read

NOTIFY = ("person", "team", "coordinator")
VIA = ("sms", "voice")


@dataclass(frozen=True)
class Rung:
    """One rung of an escalation policy: whom to alert, how, and how long to wait for an answer."""
    notify: str  # person | team | coordinator
    wait: int  # seconds before the next step
    via: tuple[str, ...] = ("sms",)
    role: str | None = None  # None: the escalation's own role


@dataclass
class Policy:
    name: str
    steps: list[Rung] = field(default_factory=list)  # `times: N` already expanded
    repeat: int = 0


def load_policies(path: str) -> dict[str, Policy]:
    """Read policies.yaml; YAMLSourceError lists every problem with file and line."""
    data = load(read(path), path)
    problems: list[Problem] = []
    if not isinstance(data, Map) or not isinstance(data.get("policies"), Map):
        raise YAMLSourceError([Problem(path, 1, "a policies file is a mapping with policies:")])
    policies = {}
    for name, raw in data["policies"].items():
        line = data["policies"].line_of(name)
        if not isinstance(raw, Map) or not isinstance(raw.get("steps"), list) or not raw["steps"]:
            problems.append(Problem(path, line, f'policy "{name}" needs steps:'))
            continue
        for key in raw:
            if key not in ("steps", "repeat"):
                problems.append(Problem(path, raw.line_of(key), f'policy "{name}": unknown key "{key}" (steps, repeat)'))
        repeat = raw.get("repeat", 0)
        if schema.integer(repeat):
            problems.append(Problem(path, raw.line_of("repeat"), f'policy "{name}": repeat must be a whole number'))
            repeat = 0
        steps = []
        for i, item in enumerate(raw["steps"]):
            sline = raw["steps"].line_of(i)
            step = _step(item, f'policy "{name}" step {i + 1}', path, sline, problems)
            if step:
                steps += [step] * (item.get("times", 1) if isinstance(item.get("times", 1), int) else 1)
        policies[str(name)] = Policy(str(name), steps, repeat)
    for needed in ("counsellor", "emergency", "ngo", "coordinator"):
        if needed not in policies and not problems:
            problems.append(Problem(path, data.line_of("policies"), f'policy "{needed}" is missing'))
    if problems:
        raise YAMLSourceError(problems)
    return policies


def _step(item, what: str, path: str, line: int, problems: list[Problem]) -> Rung | None:
    if not isinstance(item, Map):
        problems.append(Problem(path, line, f"{what} must be a mapping with notify: and wait:"))
        return None
    for key in item:
        if key not in ("notify", "wait", "via", "role", "times"):
            problems.append(Problem(path, item.line_of(key), f'{what}: unknown key "{key}" (notify, wait, via, role, times)'))
    notify, wait = item.get("notify"), schema.seconds(item.get("wait"))
    via = item.get("via", ["sms"])
    ok = True
    if notify not in NOTIFY:
        problems.append(Problem(path, item.line_of("notify"), f"{what}: notify must be one of {', '.join(NOTIFY)}"))
        ok = False
    if not wait:
        problems.append(Problem(path, item.line_of("wait") if "wait" in item else line,
                                f"{what}: wait must be a duration such as 5m"))
        ok = False
    if not isinstance(via, list) or not via or any(v not in VIA for v in via):
        problems.append(Problem(path, item.line_of("via"), f"{what}: via must be a list of sms, voice"))
        ok = False
    if "role" in item and item["role"] not in RESPONDER_ROLES:
        problems.append(Problem(path, item.line_of("role"), f"{what}: role must be one of {', '.join(RESPONDER_ROLES)}"))
        ok = False
    if "times" in item and (schema.integer(item["times"]) or item["times"] < 1 or notify != "person"):
        problems.append(Problem(path, item.line_of("times"), f"{what}: times is a number of people, for notify: person"))
        ok = False
    return Rung(notify, wait, tuple(via), item.get("role")) if ok else None


def policy_for(priority: str, role: str) -> str:
    """Which policy an escalation follows: an emergency skips ahead; otherwise by the role asked."""
    return "emergency" if priority == "emergency" else role if role in RESPONDER_ROLES else "counsellor"

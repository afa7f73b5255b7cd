"""The actions a flow can raise. The engine only names them; the host carries them out.

An action in YAML is a name (`- erase`), a name with its main value (`- send_resources: shelter`)
or a name with a mapping (`- escalate: {priority: emergency, reason: keyword}`). A value that
starts with `$` is read from the conversation's variables when the action is raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.config import schema
from hotline.config.yamlsource import Map, Problem

ROLES = ("counsellor", "ngo", "coordinator", "police")
PRIORITIES = ("emergency", "high", "normal")


@dataclass(frozen=True)
class ActionKind:
    name: str
    doc: str
    params: dict[str, schema.Check] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    main: str | None = None  # the parameter a bare value fills in


def _value(value: object) -> str | None:
    """A parameter: text, a number, or a $variable."""
    return None if isinstance(value, (str, int)) and not isinstance(value, bool) else "must be text or $variable"


KINDS: dict[str, ActionKind] = {
    kind.name: kind
    for kind in [
        ActionKind(
            "escalate",
            "bring in a person: priority emergency|high|normal, the reason, the role to reach",
            {"priority": schema.one_of(*PRIORITIES), "reason": schema.text, "role": schema.one_of(*ROLES[:3])},
            ("priority", "reason"),
            "priority",
        ),
        ActionKind(
            "send_resources",
            "send the referrals of a category (shelter, legal, medical, one_stop, police, emergency)",
            {"category": schema.ident, "district": _value},
            ("category",),
            "category",
        ),
        ActionKind(
            "schedule_callback",
            "a counsellor calls back inside the safe window the caller gave",
            {"window": _value, "code_word": _value, "day": _value},
            ("window",),
            "window",
        ),
        ActionKind(
            "request_accompaniment",
            "police ask for an NGO representative to come on a home visit",
            {"area": _value, "when": _value, "date": _value, "case_ref": _value, "language": _value},
            ("area", "when"),
        ),
        ActionKind("connect", "voice: put the caller through to the on-call person of a role",
                   {"role": schema.one_of(*ROLES[:3])}, (), "role"),
        ActionKind("voicemail", "voice: record a message for the team"),
        ActionKind("staff", "a staff command on an alert: ack, pass, done, note, followup",
                   {"command": schema.one_of("ack", "pass", "done", "note", "followup"),
                    "code": _value, "text": _value, "after": _value},
                   ("command", "code"), "command"),
        ActionKind("erase", "erase everything held about this number"),
        ActionKind("forget", "end now and keep nothing of this conversation (the safe word)"),
        ActionKind("opt_out", "no more outbound to this number (STOP)"),
        ActionKind("opt_in", "outbound to this number again (START)"),
        ActionKind(
            "lap_result",
            "police: the result of a danger screen (LAP): recorded on the case; screened_in brings a counsellor now",
            {"result": schema.one_of("screened_in", "not_screened_in"), "basis": _value, "who": _value,
             **{f"q{i}": _value for i in range(1, 12)}, "worry": _value, "worry_text": _value,
             "believe": _value, "language": _value},
            ("result",),
            "result",
        ),
    ]
}


def parse(raw: object, file: str, line: int, problems: list[Problem]) -> dict | None:
    """One action from YAML into {'type': name, **params}; problems are appended."""
    if isinstance(raw, str):
        name, params, pline = raw, {}, line
    elif isinstance(raw, dict) and len(raw) == 1:
        name, params = next(iter(raw.items()))
        pline = raw.line_of(name) if isinstance(raw, Map) else line
    else:
        problems.append(Problem(file, line, "an action is a name, or one name with its settings"))
        return None
    kind = KINDS.get(name)
    if kind is None:
        problems.append(Problem(file, line, f'unknown action "{name}"; known: {", ".join(KINDS)}'))
        return None
    if params is None:
        params = {}
    if not isinstance(params, dict):
        if kind.main is None:
            problems.append(Problem(file, pline, f'action "{name}" takes no value'))
            return None
        params = {kind.main: params}
    result: dict = {"type": name}
    for key, value in params.items():
        kline = params.line_of(key) if isinstance(params, Map) else pline
        check = kind.params.get(key)
        if check is None:
            known = ", ".join(kind.params) or "nothing"
            problems.append(Problem(file, kline, f'action "{name}" has no setting "{key}" (it takes {known})'))
            continue
        wrong = check(value) if not (isinstance(value, str) and value.startswith("$")) else None
        if wrong:
            problems.append(Problem(file, kline, f'action "{name}": {key} {wrong}'))
        result[key] = value
    for key in kind.required:
        if key not in result:
            problems.append(Problem(file, pline, f'action "{name}" needs "{key}"'))
    return result


def resolve(action: dict, variables: dict) -> dict:
    """The action as raised: $variables replaced by their values (None when unset)."""
    return {
        key: variables.get(value[1:]) if isinstance(value, str) and value.startswith("$") else value
        for key, value in action.items()
    }

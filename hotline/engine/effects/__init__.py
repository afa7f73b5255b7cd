"""The effects a flow can raise, one module each (as goflow keeps its actions). The engine only
names them; the host carries each type out in one handler (hotline/conversation/effects.py).

In YAML an effect is a name (`- erase`), a name with its main value (`- send_resources: shelter`)
or a name with a mapping (`- escalate: {priority: emergency, reason: keyword}`). A value that
starts with `$` is read from the conversation's variables when the effect is raised.
"""

from __future__ import annotations

from hotline.config.yamlsource import Map, Problem
from hotline.engine.effects.base import Effect
from hotline.engine.effects.connect import Connect
from hotline.engine.effects.erase import Erase
from hotline.engine.effects.escalate import Escalate
from hotline.engine.effects.forget import Forget
from hotline.engine.effects.lap_result import LapResult
from hotline.engine.effects.opt_in import OptIn
from hotline.engine.effects.opt_out import OptOut
from hotline.engine.effects.request_accompaniment import RequestAccompaniment
from hotline.engine.effects.schedule_callback import ScheduleCallback
from hotline.engine.effects.send_resources import SendResources
from hotline.engine.effects.staff_command import StaffCommand
from hotline.engine.effects.voicemail import Voicemail

KINDS: dict[str, type[Effect]] = {
    cls.name: cls
    for cls in (Escalate, SendResources, ScheduleCallback, RequestAccompaniment, Connect, Voicemail,
                StaffCommand, Erase, Forget, OptOut, OptIn, LapResult)
}

__all__ = ["KINDS", "Connect", "Effect", "Erase", "Escalate", "Forget", "LapResult", "OptIn", "OptOut",
           "RequestAccompaniment", "ScheduleCallback", "SendResources", "StaffCommand", "Voicemail", "parse",
           "raised"]


def parse(raw: object, file: str, line: int, problems: list[Problem]) -> dict | None:
    """One effect as written in YAML into {'type': name, **settings}; problems are appended."""
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


def raised(written: dict, variables: dict, *, lang: str, flow: str | None, node: str | None) -> Effect:
    """The effect as raised: its $variables replaced by their values (None when unset)."""
    settings = {key: variables.get(value[1:]) if isinstance(value, str) and value.startswith("$") else value
                for key, value in written.items() if key != "type"}
    return KINDS[written["type"]](**settings, lang=lang, flow=flow, node=node)

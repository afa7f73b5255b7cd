"""Conditions of a branch: `when:` mappings whose every key must hold.

    when: {var: safe, is: "no"}          a variable's value (or `in: [..]`, or `set: false`)
    when: {lang: ta}                     the caller's language (one or a list)
    when: {role: police}                 who the caller is (facts from the host)
    when: {channel: voice}               sms, whatsapp or voice
    when: {time: "20:00-08:00"}          local time of day inside a window (may wrap midnight)
    when: {on_shift: counsellor}         someone of that role on shift who speaks the caller's
                                         language (or `language: en`)
    when: {relay: true}                  someone holds her case: her texts go to that person
    when: {reachable: false}             her number is withheld or unknown: nothing can be sent
                                         to her later, so no call-back is offered
    when: {count_of: [q4, q5, q6], is: "yes", at_least: 2}
                                         how many of these variables have the value (`is:` or
                                         `in:`): at least `at_least` (default 1); a screen's score
"""

from __future__ import annotations

from hotline.config import schema
from hotline.config.yamlsource import Map, Problem

KEYS: dict[str, schema.Check] = {
    "var": schema.ident,
    "is": lambda v: None if isinstance(v, (str, int, bool)) else "must be a value",
    "in": schema.sequence,
    "set": schema.boolean,
    "lang": lambda v: None if isinstance(v, (str, list)) else "must be a language code or a list",
    "role": lambda v: None if isinstance(v, (str, list)) else "must be a role or a list",
    "channel": schema.one_of("sms", "voice", "whatsapp"),
    "time": schema.window,
    "on_shift": schema.one_of("counsellor", "ngo", "coordinator", "police"),
    "language": schema.text,
    "relay": schema.boolean,
    "reachable": schema.boolean,
    "count_of": lambda v: None if isinstance(v, list) and v and not any(schema.ident(x) for x in v)
    else "must be a list of variable names",
    "at_least": lambda v: None if isinstance(v, int) and not isinstance(v, bool) and v >= 1
    else "must be a whole number, 1 or more",
}


def check(when: object, file: str, line: int, problems: list[Problem]) -> None:
    if not isinstance(when, dict) or not when:
        problems.append(Problem(file, line, "when: must be a mapping of conditions"))
        return
    for key, value in when.items():
        kline = when.line_of(key) if isinstance(when, Map) else line
        if key not in KEYS:
            problems.append(Problem(file, kline, f'unknown condition "{key}"; known: {", ".join(KEYS)}'))
            continue
        wrong = KEYS[key](value)
        if wrong:
            problems.append(Problem(file, kline, f"condition {key} {wrong}"))
    if ({"is", "in", "set"} & when.keys()) and "var" not in when and "count_of" not in when:
        problems.append(Problem(file, line, "is/in/set need a var: to compare"))
    if "var" in when and "count_of" in when:
        problems.append(Problem(file, line, "var: and count_of: cannot share a condition: write two cases"))
    if "count_of" in when:
        if "set" in when or not ({"is", "in"} & when.keys()):
            problems.append(Problem(file, line, "count_of: counts the variables that have a value: give is: or in:"))
        names = when["count_of"] if isinstance(when["count_of"], list) else []
        if isinstance(when.get("at_least"), int) and names and when["at_least"] > len(names):
            problems.append(Problem(file, when.line_of("at_least") if isinstance(when, Map) else line,
                                    f"at_least: {when['at_least']} of {len(names)} variables can never hold"))
    if "at_least" in when and "count_of" not in when:
        problems.append(Problem(file, line, "at_least: goes with count_of:"))
    if "language" in when and "on_shift" not in when:
        problems.append(Problem(file, line, "language: goes with on_shift:"))


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _in_window(now: str | None, window: str) -> bool:
    if not now:
        return False
    start, end = window.split("-")
    return start <= now < end if start <= end else now >= start or now < end


def _matches(value: object, when: dict) -> bool:
    if "is" in when and str(value) != str(when["is"]):
        return False
    return "in" not in when or str(value) in {str(v) for v in when["in"]}


def holds(when: dict, variables: dict, lang: str, facts: dict) -> bool:
    if "count_of" in when:
        counted = sum(1 for name in when["count_of"] if name in variables and _matches(variables[name], when))
        if counted < when.get("at_least", 1):
            return False
    if "var" in when:
        value = variables.get(when["var"])
        if "is" in when and str(value) != str(when["is"]):
            return False
        if "in" in when and str(value) not in {str(v) for v in when["in"]}:
            return False
        if "is" not in when and "in" not in when and (value is not None) != when.get("set", True):
            return False
    if "lang" in when and lang not in _as_list(when["lang"]):
        return False
    if "role" in when and facts.get("role", "survivor") not in _as_list(when["role"]):
        return False
    if "channel" in when and facts.get("channel", "sms") != when["channel"]:
        return False
    if "time" in when and not _in_window(facts.get("local_time"), when["time"]):
        return False
    if "relay" in when and bool(facts.get("relay")) != when["relay"]:
        return False
    if "reachable" in when and bool(facts.get("reachable", True)) != when["reachable"]:
        return False
    if "on_shift" in when:
        language = when.get("language", lang)
        if language.startswith("$"):
            language = variables.get(language[1:]) or lang
        if language not in facts.get("on_shift", {}).get(when["on_shift"], []):
            return False
    return True

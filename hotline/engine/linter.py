"""Checks across a whole flow (and across flows) that no single field can see."""

from __future__ import annotations

import difflib
import re

from hotline.config.yamlsource import Problem
from hotline.engine.loader import THEN_SPECIAL, says
from hotline.engine.model import Flow, Node
from hotline.engine.nodes import KINDS

VAR_REF = re.compile(r"^\$([a-z][a-z0-9_]*)$")
BUILTIN_VARS = {"lang"}
HOST_PARAMS = {"safe_word"}  # what the webhooks give every message (hotline/web/twilio/sms.py, voice.py)


def lint_flow(flow: Flow) -> list[Problem]:
    problems: list[Problem] = []
    file = flow.file

    def at(line: int, message: str) -> None:
        problems.append(Problem(file, line, message))

    # a node of no known kind was reported at its kind:; what goes to it is not unknown, and where
    # it leads is not known either (so nothing after it is called unreachable)
    known = set(flow.nodes) | flow.broken
    if flow.start and flow.start not in known:
        at(flow.start_line, f'start goes to unknown node "{flow.start}"')

    edges: dict[str, list[str]] = {b: [] for b in flow.broken}
    unsure = {n.id for n in flow.nodes.values() if _unsure(n)} | flow.broken
    for node in flow.nodes.values():
        edges[node.id] = []
        for target, line, what in _targets(node):
            if not isinstance(target, str):
                continue
            if target not in known:
                at(line, f'{what} goes to unknown node "{target}"')
            else:
                edges[node.id].append(target)
        for msg_id, line in says(node):
            if msg_id not in flow.messages:
                at(line, f'node "{node.id}" says unknown message "{msg_id}"')

    entries = [flow.start]
    for handler in flow.handlers:
        for msg_id in handler.say:
            if msg_id not in flow.messages:
                at(handler.line, f'handler "{handler.id}" says unknown message "{msg_id}"')
        if handler.then not in THEN_SPECIAL:
            if handler.then not in known:
                at(handler.line, f'handler "{handler.id}" then goes to unknown node "{handler.then}"')
            entries.append(handler.then)

    # The paths through the flow. A node whose own problems hide where it leads (a missing next:,
    # choices that could not be read) might lead anywhere: rather than report its consequences
    # as problems of their own (every node after it "unreachable"), say nothing about them until
    # that node is fixed.
    reachable = _reach([e for e in entries if e in known], edges)
    if not (unsure & reachable):
        for node in flow.nodes.values():
            if node.id not in reachable:
                at(node.line, f'node "{node.id}" is unreachable: nothing goes to it')

    # a conversation must always come to rest: waiting for the caller, ended, or in another flow
    rests = {n.id for n in flow.nodes.values() if KINDS[n.kind].waits or n.kind in ("end", "flow")}
    can_rest = _reach_back(rests | unsure, edges)
    for node in flow.nodes.values():
        if node.id not in can_rest:
            at(node.line, f'node "{node.id}" loops forever without waiting for the caller or ending')
    ends = {n.id for n in flow.nodes.values() if n.kind in ("end", "flow")}
    if flow.nodes and not (ends & reachable) and not (unsure & reachable):
        at(flow.line, "no path of this flow ever ends: add a node of kind end")

    _lint_keywords(flow, at)
    _lint_variables(flow, at)
    return problems


def _unsure(node: Node) -> bool:
    """True when the node's own problems hide where it may lead."""
    kind = KINDS[node.kind]
    if node.data.get("unread"):
        return True
    for key in kind.required:
        if key not in node.spec or kind.fields[key](node.spec[key]):
            return True
    for key in ("next", "fallback", "else"):
        if key in node.spec and key in kind.fields and kind.fields[key](node.spec[key]):
            return True
    parts = node.spec.get("choices") if node.kind == "menu" else node.spec.get("cases") if node.kind == "branch" else []
    return any(not isinstance(part, dict) or not isinstance(part.get("goto"), str) for part in parts or [])


def _targets(node: Node) -> list[tuple[str, int, str]]:
    try:
        return KINDS[node.kind].targets(node)
    except (KeyError, TypeError, AttributeError):  # a node with problems of its own, reported already
        return []


def _reach(starts: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen, todo = set(starts), list(starts)
    while todo:
        for nxt in edges.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _reach_back(goals: set[str], edges: dict[str, list[str]]) -> set[str]:
    back: dict[str, list[str]] = {}
    for src, targets in edges.items():
        for dst in targets:
            back.setdefault(dst, []).append(src)
    return _reach(list(goals), back)


def _lint_keywords(flow: Flow, at) -> None:
    handler_words: dict = {}
    for handler in flow.handlers:
        for word in handler.match:
            if word in handler_words and handler_words[word] is not handler:
                at(handler.line, f'keyword "{word}" of handler "{handler.id}" is taken by handler '
                                 f'"{handler_words[word].id}" before it, so this handler never hears it')
            handler_words.setdefault(word, handler)
    for node in flow.nodes.values():
        for choice in node.data.get("choices", []):
            for word in choice["words"]:
                if word in handler_words:
                    at(choice["line"], f'keyword "{word}" of node "{node.id}" is taken by handler '
                                       f'"{handler_words[word].id}", so this choice never hears it')


def _lint_variables(flow: Flow, at) -> None:
    assigned = set(BUILTIN_VARS)
    for handler in flow.handlers:
        assigned |= set(handler.set)
    for node in flow.nodes.values():
        spec = node.spec
        if node.kind == "ask" and isinstance(spec.get("save"), str):
            assigned.add(spec["save"])
            if spec.get("answer") in ("time_window", "half_of_day"):  # the day it tells: answers.Answer.more
                assigned |= {f"{spec['save']}_day", f"{spec['save']}_said"}
        if node.kind == "set" and isinstance(spec.get("set"), dict):
            assigned |= set(spec["set"])
        for choice in node.data.get("choices", []):
            named = [*choice["set"], *choice["args"], *([choice["rest"]] if choice.get("rest") else [])]
            assigned |= {name for name in named if isinstance(name, str)}
    used: list[tuple[str, int, str]] = []
    for node in flow.nodes.values():
        for action in node.data.get("actions", []):
            used += [(m.group(1), node.line_of("do"), action["type"])
                     for v in action.values() if isinstance(v, str) and (m := VAR_REF.match(v))]
    for handler in flow.handlers:
        for action in handler.actions:
            used += [(m.group(1), handler.line, action["type"])
                     for v in action.values() if isinstance(v, str) and (m := VAR_REF.match(v))]
    for name, line, action in used:
        if name not in assigned:
            at(line, f'action "{action}" reads ${name}, which no node sets')
    from hotline.i18n.catalog import (
        placeholders,  # here: the catalog module loads the engine's flows
    )

    # a message's {placeholders}: the flow's variables or what the hotline gives every message;
    # anything else would be sent empty ("call {phone}" -> "call ")
    for msg_id, text in flow.messages.items():
        line = flow.message_lines.get(msg_id, flow.line)
        names = placeholders(text)
        if names is None:
            at(line, f'message "{msg_id}" has a broken placeholder (an unpaired {{ or }}): write {{name}}')
            continue
        for name in sorted(names - assigned - HOST_PARAMS):
            close = difflib.get_close_matches(name, sorted(assigned | HOST_PARAMS), n=1)
            hint = f' (did you mean {{{close[0]}}}?)' if close else ""
            at(line, f'message "{msg_id}" uses {{{name}}}, which nothing supplies: no node sets it and the hotline '
                     f'gives only {", ".join("{" + p + "}" for p in sorted(HOST_PARAMS))}{hint}')


def lint_set(flows: dict[str, Flow]) -> list[Problem]:
    """Across flows: a `flow` node must name a flow (and node) that exists."""
    problems = []
    for flow in flows.values():
        for node in flow.nodes.values():
            if node.kind != "flow":
                continue
            name, target = node.spec.get("flow"), node.spec.get("node")
            if not isinstance(name, str) or (target is not None and not isinstance(target, str)):
                continue  # reported already: must be a name
            other = flows.get(name)
            if other is None:
                problems.append(Problem(flow.file, node.line_of("flow"), f'node "{node.id}" goes to unknown flow "{name}"'))
            elif target and target not in other.nodes:
                problems.append(Problem(flow.file, node.line_of("node"),
                                        f'node "{node.id}" goes to unknown node "{target}" of flow "{other.name}"'))
    return problems

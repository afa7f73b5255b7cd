"""Checks across a whole flow (and across flows) that no single field can see."""

from __future__ import annotations

import re

from .loader import THEN_SPECIAL, says
from .model import Flow
from .nodes import KINDS
from .yamlsource import Problem

VAR_REF = re.compile(r"^\$([a-z][a-z0-9_]*)$")
BUILTIN_VARS = {"lang"}


def lint_flow(flow: Flow) -> list[Problem]:
    problems: list[Problem] = []
    file = flow.file

    def at(line: int, message: str) -> None:
        problems.append(Problem(file, line, message))

    if flow.start and flow.start not in flow.nodes:
        at(flow.line, f'start goes to unknown node "{flow.start}"')

    edges: dict[str, list[str]] = {}
    for node in flow.nodes.values():
        kind = KINDS[node.kind]
        edges[node.id] = []
        for target, line, what in kind.targets(node):
            if not isinstance(target, str):
                continue
            if target not in flow.nodes:
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
            if handler.then not in flow.nodes:
                at(handler.line, f'handler "{handler.id}" then goes to unknown node "{handler.then}"')
            entries.append(handler.then)

    reachable = _reach([e for e in entries if e in flow.nodes], edges)
    for node in flow.nodes.values():
        if node.id not in reachable:
            at(node.line, f'node "{node.id}" is unreachable: nothing goes to it')

    # a conversation must always come to rest: waiting for the caller, ended, or in another flow
    rests = {n.id for n in flow.nodes.values() if KINDS[n.kind].waits or n.kind in ("end", "flow")}
    can_rest = _reach_back(rests, edges)
    for node in flow.nodes.values():
        if node.id not in can_rest:
            at(node.line, f'node "{node.id}" loops forever without waiting for the caller or ending')
    ends = {n.id for n in flow.nodes.values() if n.kind in ("end", "flow")}
    if flow.nodes and not (ends & reachable):
        at(flow.line, "no path of this flow ever ends: add a node of kind end")

    _lint_keywords(flow, at)
    _lint_variables(flow, at)
    return problems


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
    handler_words = {w: h for h in flow.handlers for w in h.match}
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
        if node.kind == "set" and isinstance(spec.get("set"), dict):
            assigned |= set(spec["set"])
        for choice in node.data.get("choices", []):
            assigned |= set(choice["set"]) | set(choice["args"])
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


def lint_set(flows: dict[str, Flow]) -> list[Problem]:
    """Across flows: a `flow` node must name a flow (and node) that exists."""
    problems = []
    for flow in flows.values():
        for node in flow.nodes.values():
            if node.kind != "flow":
                continue
            other = flows.get(node.spec.get("flow"))
            if other is None:
                problems.append(Problem(flow.file, node.line_of("flow"), f'goes to unknown flow "{node.spec.get("flow")}"'))
            elif node.spec.get("node") and node.spec["node"] not in other.nodes:
                problems.append(Problem(flow.file, node.line_of("node"),
                                        f'goes to unknown node "{node.spec["node"]}" of flow "{other.name}"'))
    return problems

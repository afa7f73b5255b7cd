"""Reading flow files: YAML with line numbers into Flow objects, every problem reported at once."""

from __future__ import annotations

import hashlib

from hotline.config import schema
from hotline.config.yamlsource import Map, Problem, YAMLSourceError, parse, read
from hotline.engine.model import Flow, Handler, Node
from hotline.engine.nodes import KINDS
from hotline.engine.nodes.action import parse_actions
from hotline.engine.nodes.set import check_variables
from hotline.i18n.lexicon import CATEGORIES
from hotline.i18n.text import normalise

SPEC = 1  # the flow language's version; files of older specs are migrated on read

TOP: dict[str, schema.Check] = {
    "flow": schema.ident,
    "spec": schema.integer,
    "description": schema.text,
    "start": schema.ident,
    "expire_after": schema.duration,
    "retries": schema.integer,
    "languages": schema.sequence,
    "region": schema.text,
    "districts": schema.mapping,
    "messages": schema.mapping,
    "handlers": schema.sequence,
    "nodes": schema.mapping,
}
TOP_REQUIRED = ("flow", "spec", "start", "messages", "nodes")

HANDLER: dict[str, schema.Check] = {
    "id": schema.ident,
    "match": schema.words,
    "anywhere": schema.boolean,
    "say": schema.ids,
    "do": schema.sequence,
    "set": schema.mapping,
    "then": schema.ident,
    "lexicon": schema.words,
    "written": schema.text,
    "otherwise": schema.boolean,
    "channel": schema.one_of("sms", "voice", "whatsapp"),
}
THEN_SPECIAL = ("resume", "restart", "end", "hold")


def _fields(spec: Map, fields: dict, required: tuple, file: str, what: str, problems: list[Problem]) -> None:
    for key, value in spec.items():
        check = fields.get(key)
        if check is None:
            hint = _nearest(str(key), fields)
            problems.append(Problem(file, spec.line_of(key), f'{what}: unknown key "{key}"{hint}'))
        elif wrong := check(value):
            problems.append(Problem(file, spec.line_of(key), f"{what}: {key} {wrong}"))
    for key in required:
        if key not in spec:
            problems.append(Problem(file, spec.line, f"{what}: missing {key}:"))


def _nearest(key: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1)
    return f' (did you mean "{close[0]}"?)' if close else f" (known: {', '.join(known)})"


def load_text(text: str, file: str) -> tuple[Flow | None, list[Problem]]:
    """One flow from its text. A Flow comes back whenever it could be built, even with problems."""
    try:
        data, problems = parse(text, file)
    except YAMLSourceError as exc:
        return None, exc.problems
    if not isinstance(data, Map):
        return None, problems + [Problem(file, 1, "a flow file is a mapping with flow:, spec:, start:, messages:, nodes:")]
    _fields(data, TOP, TOP_REQUIRED, file, "flow", problems)
    if isinstance(data.get("spec"), int) and data["spec"] > SPEC:
        problems.append(Problem(file, data.line_of("spec"), f"spec {data['spec']} is newer than this hotline ({SPEC})"))

    messages = data.get("messages") if isinstance(data.get("messages"), Map) else Map()
    for msg_id, msg_text in messages.items():
        if wrong := schema.ident(msg_id):
            problems.append(Problem(file, messages.line_of(msg_id), f'message id "{msg_id}" {wrong}'))
        if not isinstance(msg_text, str) or not msg_text.strip():
            problems.append(Problem(file, messages.line_of(msg_id), f'message "{msg_id}" needs its English text'))

    nodes: dict[str, Node] = {}
    broken: set[str] = set()
    raw_nodes = data.get("nodes") if isinstance(data.get("nodes"), Map) else Map()
    for node_id, spec in raw_nodes.items():
        line = raw_nodes.line_of(node_id)
        if wrong := schema.ident(node_id):
            problems.append(Problem(file, line, f'node id "{node_id}" {wrong}'))
        if not isinstance(spec, Map):
            problems.append(Problem(file, line, f'node "{node_id}" must be a mapping with kind:'))
            continue
        kind = KINDS.get(spec.get("kind")) if isinstance(spec.get("kind"), str) else None
        if kind is None:
            # one problem, where the typo is; the nodes that go to it are not "unknown" because of it
            close = _nearest(str(spec.get("kind", "")), KINDS) if spec.get("kind") else f" (known: {', '.join(KINDS)})"
            wrong = f'kind "{spec["kind"]}" is no kind{close}' if spec.get("kind") else f"missing kind:{close}"
            problems.append(Problem(file, spec.line_of("kind") if "kind" in spec else line, f'node "{node_id}": {wrong}'))
            broken.add(str(node_id))
            continue
        node = Node(str(node_id), kind.name, spec, line)
        fields = {"kind": schema.text, **kind.fields}
        _fields(spec, fields, kind.required, file, f'node "{node_id}"', problems)
        _check_node(kind, node, fields, file, problems)
        nodes[node.id] = node

    handlers = _handlers(data.get("handlers"), file, problems)
    try:
        default_retries = int(data.get("retries", 2))
    except (TypeError, ValueError):
        default_retries = 2
    districts = {
        str(k): [str(x) for x in v] if isinstance(v, list) else []
        for k, v in (data.get("districts") or {}).items()
    } if isinstance(data.get("districts"), dict) else {}
    flow = Flow(
        name=str(data.get("flow", "")),
        file=file,
        version=hashlib.sha1(text.encode()).hexdigest()[:10],
        start=str(data.get("start", "")),
        expire_after=schema.seconds(data.get("expire_after", "2h")) or 7200,
        retries=default_retries,
        languages=[str(x) for x in data["languages"]] if isinstance(data.get("languages"), list) and data["languages"] else ["en"],
        region=str(data.get("region", "IN")),
        messages={str(k): str(v) for k, v in messages.items()},
        message_lines=dict(messages.key_lines) if isinstance(messages, Map) else {},
        handlers=handlers,
        nodes=nodes,
        districts=districts,
        line=data.line,
        start_line=data.line_of("start"),
        languages_line=data.line_of("languages") if "languages" in data else data.line,
        broken=broken,
    )
    return flow, problems


def _check_node(kind, node: Node, fields: dict, file: str, problems: list[Problem]) -> None:
    """The kind's own checks, which parse its parts (choices, cases, actions) into node.data.

    They read the node's structure (a menu's choices, a branch's cases), so they run whenever that
    structure is there and of the right type, even when another field (a missing fallback:) has a
    problem: otherwise a menu's choices would go unread and every node they lead to would be
    reported unreachable. A part of the wrong shape that a kind's check trips over is reported,
    not raised: the checker names problems, it does not crash on them."""
    structure = [k for k in kind.required if fields[k] in (schema.sequence, schema.mapping)]
    if not all(k in node.spec and not fields[k](node.spec[k]) for k in structure):
        node.data["unread"] = True
        return
    before = len(problems)
    try:
        kind.check(node, file, problems)
    except (TypeError, ValueError, KeyError, AttributeError):
        node.data["unread"] = True
        if len(problems) == before:
            problems.append(Problem(file, node.line, f'node "{node.id}" could not be read: check the shape of its fields'))


def _handlers(raw, file: str, problems: list[Problem]) -> list[Handler]:
    handlers = []
    for i, spec in enumerate(raw if isinstance(raw, list) else []):
        line = raw.line_of(i)
        if not isinstance(spec, Map):
            problems.append(Problem(file, line, "a handler is a mapping with match: and then:"))
            continue
        required = ("id", "then") if "lexicon" in spec else ("id", "match", "then")
        _fields(spec, HANDLER, required, file, f"handler {spec.get('id', i + 1)}", problems)
        for category in _list(spec.get("lexicon")):
            if str(category) not in CATEGORIES:
                problems.append(Problem(file, spec.line_of("lexicon"), f'handler {spec.get("id", i + 1)}: lexicon '
                                        f'"{category}" is no lexicon category (known: {", ".join(CATEGORIES)})'))
        if isinstance(spec.get("set"), dict):
            check_variables(spec["set"], file, problems)
        handlers.append(Handler(
            id=str(spec.get("id", i + 1)),
            match=[w if str(w) == "$safe_word" else normalise(str(w)) for w in _list(spec.get("match"))],
            anywhere=bool(spec.get("anywhere", False)),
            say=_ids(spec.get("say")),
            actions=parse_actions(spec["do"], file, problems) if isinstance(spec.get("do"), list) else [],
            set=dict(spec["set"]) if isinstance(spec.get("set"), dict) else {},
            then=str(spec.get("then", "resume")),
            line=line,
            lexicon=[str(c) for c in _list(spec.get("lexicon"))],
            written=str(spec["written"]) if spec.get("written") else None,
            otherwise=bool(spec.get("otherwise", False)),
            channel=str(spec["channel"]) if spec.get("channel") in ("sms", "voice", "whatsapp") else None,
        ))
    return handlers


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _ids(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def says(node: Node) -> list[tuple[str, int]]:
    """Every message id a node uses, with its line: the prompt, the labels, invalid, no_input."""
    found = [(m, node.line_of("say")) for m in _ids(node.spec.get("say"))]
    for key in ("invalid", "no_input"):
        if isinstance(node.spec.get(key), str):
            found.append((node.spec[key], node.line_of(key)))
    found += [(c["label"], c["line"]) for c in node.data.get("choices", []) if isinstance(c["label"], str)]
    return found


def load_file(path: str) -> tuple[Flow | None, list[Problem]]:
    try:
        text = read(path)
    except YAMLSourceError as exc:
        return None, exc.problems
    return load_text(text, path)

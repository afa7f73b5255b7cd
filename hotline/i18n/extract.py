"""Babel extraction methods: `pybabel extract -F babel.cfg` reads the flows as it reads Python.

Registered under the `babel.extractors` entry point (pyproject.toml):

    flows          flows/*.yaml: each message of `messages:` as pgettext("<flow>.<id>", English);
                   hotline/i18n/texts.yaml: each text of `texts:` as pgettext("hotline.<id>", …),
                   npgettext for a text with one:/other: plural forms
    hotline_texts  a Python module's dict literal of texts (TEXTS = {"id": "English", …}), each as
                   pgettext("hotline.<id>", …); option `names` (default TEXTS), `context` (hotline)

Each message carries the line of its id in the file, and the comment lines right above it
(no blank line between) as translator comments, so the translator reads what the flow's author
wrote for her:

    messages:
      # {window} is a time of day such as "4-6 pm"
      callback_booked: "A counsellor will call you between {window}."
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from hotline.config.yamlsource import Map, YAMLSourceError, parse

Result = tuple[int, str, tuple, list[str]]


def _comments_above(lines: list[str], line: int) -> list[str]:
    """The comment lines right above 1-based `line`, without their '#', as one paragraph (the
    .po file wraps it at its own width)."""
    found = []
    index = line - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        found.append(lines[index].strip().lstrip("#").strip())
        index -= 1
    text = " ".join(c for c in reversed(found) if c)
    return [text] if text else []


def _text(fileobj, options) -> tuple[str, str]:
    raw = fileobj.read()
    name = str(getattr(fileobj, "name", "<yaml>"))
    if isinstance(raw, bytes):
        raw = raw.decode(options.get("encoding", "utf-8")).removeprefix("\ufeff")
    return raw.replace("\r\n", "\n").replace("\r", "\n"), name


def _entries(context: str, items: Map, lines: list[str]) -> Iterator[Result]:
    for msg_id, value in items.items():
        line = items.line_of(msg_id)
        comments = _comments_above(lines, line)
        ctx = f"{context}.{msg_id}"
        if isinstance(value, str) and value.strip():
            yield line, "pgettext", (ctx, value), comments
        elif isinstance(value, dict) and isinstance(value.get("one"), str) and isinstance(value.get("other"), str):
            yield line, "npgettext", (ctx, value["one"], value["other"]), comments


def extract_flows(fileobj, keywords, comment_tags, options) -> Iterator[Result]:
    """Messages of a flow file (context: the flow's name) or of the hotline's texts file
    (context: hotline). A file that is not valid YAML gives nothing here: `hotline flows check`
    names its problem."""
    text, name = _text(fileobj, options or {})
    try:
        data, _ = parse(text, name)
    except YAMLSourceError as exc:
        for problem in exc.problems:
            print(f"warning: {problem}", file=sys.stderr)
        return
    if not isinstance(data, Map):
        return
    lines = text.split("\n")
    if isinstance(data.get("flow"), str) and isinstance(data.get("messages"), Map):
        yield from _entries(data["flow"], data["messages"], lines)
    elif isinstance(data.get("texts"), Map):
        yield from _entries(str((options or {}).get("context") or "hotline"), data["texts"], lines)



"""India's DLT templates (TRAI): every SMS sent through an Indian carrier must be a registered
template, its `{#var#}` slots filled with at most 30 characters each, and nothing else. The
registrations live in dlt.yaml at the root (HOTLINE_DLT):

    entity: "1101000000000000001"          # the Principal Entity ID from the DLT portal
    templates:
      hotline.esc_alert:                     # the message's catalog context
        en: {id: "1107000000000000001", text: "{#var#}Hotline alert {#var#}: ..."}
        ta: {id: "1107000000000000002", text: "..."}

A provider that sends DLT SMS (transport/exotel.py, and the outbox standing in for it) finds the
template a rendered text is an instance of (`Registry.find`): a text that is none — a
counsellor's own words — is refused before it leaves. `hotline flows check` proves every text
that can go out this way, in every language with realistic values, is one (checks/dlt.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hotline.config.yamlsource import Map, Problem, YAMLSourceError, load, read

VAR = "{#var#}"
VAR_LIMIT = 30  # characters a variable may carry (the registrars' rule; Exotel's docs say none)
TEMPLATE_ID = re.compile(r"^\d{19}$")  # DLT template and entity ids: 19 digits


@dataclass(frozen=True)
class Template:
    key: str  # the message's catalog context: hotline.esc_alert, survivor.main_menu
    lang: str
    id: str
    entity: str
    text: str
    file: str = ""
    line: int = 0
    pattern: re.Pattern = field(compare=False, repr=False, default=None)

    @property
    def literal(self) -> int:
        """How much of the template is its own words: the most specific match wins."""
        return len(self.text.replace(VAR, ""))

    def match(self, body: str) -> list[str] | None:
        """The variables when `body` is this template filled in (each within VAR_LIMIT), else None."""
        found = self.pattern.fullmatch(body)
        return list(found.groups()) if found else None


def compile_template(text: str) -> re.Pattern:
    parts = text.split(VAR)
    return re.compile(f"(.{{0,{VAR_LIMIT}}}?)".join(re.escape(p) for p in parts), re.DOTALL)


def placeholders_to_vars(text: str) -> str:
    """A catalog text as the template to register: each {placeholder} a {#var#}."""
    return re.sub(r"\{[a-z_]+\}", VAR, text)


@dataclass
class Registry:
    entity: str | None = None
    templates: dict[tuple[str, str], Template] = field(default_factory=dict)  # (key, lang) -> template

    def get(self, key: str, lang: str) -> Template | None:
        return self.templates.get((key, lang))

    def find(self, body: str) -> tuple[Template, list[str]] | None:
        """The registered template `body` is an instance of, and its variables; None when none."""
        best = None
        for template in self.templates.values():
            values = template.match(body)
            if values is not None and (best is None or template.literal > best[0].literal):
                best = (template, values)
        return best


class NoTemplate(Exception):
    """The text is no registered DLT template: it cannot be sent by SMS in India."""

    status = None
    code = "no_dlt_template"


def dlt_fields(templates: Registry, body: str) -> dict:
    """The DLT fields of an SMS: its template, entity and variables. Raises NoTemplate."""
    found = templates.find(body)
    if found is None:
        raise NoTemplate()
    template, values = found
    return {"key": template.key, "lang": template.lang, "template": template.id, "entity": template.entity,
            "variables": values}


def parse(path: str) -> tuple[Registry, list[Problem]]:
    """dlt.yaml read, with every problem at its line (a missing file is an empty registry)."""
    if not Path(path).exists():
        return Registry(), []
    try:
        data = load(read(path), path)
    except YAMLSourceError as exc:
        return Registry(), list(exc.problems)
    problems: list[Problem] = []
    if not isinstance(data, Map) or not isinstance(data.get("templates"), Map):
        return Registry(), [Problem(path, 1, "a DLT file is a mapping with entity: and templates:")]
    entity = str(data.get("entity") or "")
    if not TEMPLATE_ID.match(entity):
        problems.append(Problem(path, data.line_of("entity"), "entity: the Principal Entity ID (19 digits) from "
                                "the DLT portal"))
    registry = Registry(entity or None)
    for key, langs in data["templates"].items():
        line = data["templates"].line_of(key)
        if not isinstance(langs, Map):
            problems.append(Problem(path, line, f'template "{key}": give each language its id: and text:'))
            continue
        for lang, entry in langs.items():
            at = langs.line_of(lang)
            if not isinstance(entry, Map) or not isinstance(entry.get("text"), str):
                problems.append(Problem(path, at, f'template "{key}" ({lang}): needs id: and text:'))
                continue
            template_id = str(entry.get("id") or "")
            if not TEMPLATE_ID.match(template_id):
                problems.append(Problem(path, entry.line_of("id"), f'template "{key}" ({lang}): id must be the '
                                        "19-digit Template ID the DLT portal gave"))
            own_entity = str(entry.get("entity") or entity)
            registry.templates[(str(key), str(lang))] = Template(
                str(key), str(lang), template_id, own_entity, entry["text"], path, entry.line_of("text"),
                compile_template(entry["text"]))
    return registry, problems


_loaded: dict[tuple, Registry] = {}


def registry(path: str) -> Registry:
    """The registry of `path`, read once while the file is unchanged; a broken file is an empty
    registry (every DLT send refused, and `hotline flows check` says why)."""
    file = Path(path)
    stamp = (str(file.resolve()), file.stat().st_mtime_ns if file.exists() else 0)
    if stamp not in _loaded:
        _loaded.clear()
        _loaded[stamp] = parse(path)[0]
    return _loaded[stamp]

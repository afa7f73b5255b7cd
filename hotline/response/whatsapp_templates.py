"""The WhatsApp templates of whatsapp.yaml: outside a person's 24-hour window WhatsApp takes only a
template approved by Meta, sent by its content SID with its variables (Twilio's Content API). Each
template stands for one of the hotline's own texts (hotline/i18n/texts.yaml), which is what the
local outbox and the simulator show. Checked by `hotline flows check` with file:line."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from hotline.config.yamlsource import Map, Problem, YAMLSourceError, load, read

NEEDED = ("survivor_message", "staff_alert", "staff_message")  # the names the hotline sends
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
CONTINUE = "continue"  # a button that lets a held message through (survivor_message, staff_message)


@dataclass(frozen=True)
class Template:
    name: str
    stands_for: str  # a text id of hotline/i18n/texts.yaml
    content_sid: dict[str, str]  # language -> HX…
    variables: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    line: int = 0

    def sid(self, lang: str) -> str:
        """The approved copy in her language, else the English one."""
        return self.content_sid.get(lang) or self.content_sid.get("en") or next(iter(self.content_sid.values()))

    def values(self, params: dict) -> dict[str, str]:
        """Twilio's ContentVariables: {"1": …, "2": …} in the order of `variables`. WhatsApp
        refuses an empty variable, so none is sent empty."""
        return {str(i): (str(params.get(name, "")).strip() or "-") for i, name in enumerate(self.variables, 1)}


@dataclass
class Templates:
    by_name: dict[str, Template] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Template:
        return self.by_name[name]


def load_templates(path: str, own: dict | None = None, languages=None) -> Templates:
    """Read whatsapp.yaml; YAMLSourceError lists every problem with file and line. `own`: the
    hotline's texts (id -> English), whose placeholders a template's variables must be;
    `languages`: the language codes that may have a content SID."""
    if own is None:
        from hotline.i18n.catalog import OWN as own
    data = load(read(path), path)
    problems: list[Problem] = []
    if not isinstance(data, Map) or not isinstance(data.get("templates"), list):
        raise YAMLSourceError([Problem(path, 1, "a WhatsApp templates file is a mapping with templates:")])
    found: dict[str, Template] = {}
    for i, raw in enumerate(data["templates"]):
        line = data["templates"].line_of(i)
        if not isinstance(raw, Map):
            problems.append(Problem(path, line, "each template is a mapping with name:, stands_for:, content_sid:"))
            continue
        name = str(raw.get("name") or "")
        what = f'template "{name or "?"}"'
        for key in raw:
            if key not in ("name", "stands_for", "content_sid", "variables", "buttons"):
                problems.append(Problem(path, raw.line_of(key), f'{what}: unknown key "{key}" '
                                        "(name, stands_for, content_sid, variables, buttons)"))
        if not name:
            problems.append(Problem(path, line, "a template needs a name:"))
        elif name in found:
            problems.append(Problem(path, raw.line_of("name"), f'{what} is declared twice (also line {found[name].line})'))
        stands_for = str(raw.get("stands_for") or "")
        placeholders: set[str] = set()
        if stands_for not in own:
            problems.append(Problem(path, raw.line_of("stands_for"), f'{what}: stands_for "{stands_for}" is not a '
                                    "text of hotline/i18n/texts.yaml"))
        else:
            english = own[stands_for]
            english = english if isinstance(english, str) else next(iter(english.values()), "")
            placeholders = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        sids = raw.get("content_sid")
        if not isinstance(sids, Map) or not sids:
            problems.append(Problem(path, raw.line_of("content_sid"), f"{what}: content_sid is a mapping of "
                                    "language to the approved template's SID (en: HX…)"))
            sids = Map()
        for lang, sid in sids.items():
            if languages is not None and lang not in languages:
                problems.append(Problem(path, sids.line_of(lang), f'{what}: "{lang}" is not a language of the '
                                        f"hotline ({', '.join(sorted(languages))})"))
            if not CONTENT_SID.match(str(sid)):
                problems.append(Problem(path, sids.line_of(lang), f'{what}: "{sid}" is not a content SID '
                                        "(HX and 32 hex digits, from the Content Template Builder)"))
        if sids and "en" not in sids:
            problems.append(Problem(path, raw.line_of("content_sid"), f"{what}: needs an en copy, sent where "
                                    "her language has none"))
        variables = raw.get("variables") or []
        if not isinstance(variables, list) or any(not isinstance(v, str) for v in variables):
            problems.append(Problem(path, raw.line_of("variables"), f"{what}: variables is a list of names"))
            variables = []
        for v in variables:
            if placeholders and v not in placeholders:
                problems.append(Problem(path, raw.line_of("variables"), f'{what}: variable "{v}" is not a '
                                        f'placeholder of "{stands_for}" ({", ".join(sorted(placeholders))})'))
        missing = placeholders - set(variables)
        if missing:
            problems.append(Problem(path, raw.line_of("variables") if "variables" in raw else line,
                                    f'{what}: "{stands_for}" has {", ".join(sorted(missing))}, which variables: '
                                    "does not list"))
        buttons = raw.get("buttons") or []
        if not isinstance(buttons, list) or len(buttons) > 3:
            problems.append(Problem(path, raw.line_of("buttons"), f"{what}: buttons is a list of at most 3 ids"))
            buttons = []
        if name:
            found[name] = Template(name, stands_for, {str(k): str(v) for k, v in sids.items()},
                                   tuple(variables), tuple(str(b) for b in buttons), line)
    for needed in NEEDED:
        if needed not in found and not problems:
            problems.append(Problem(path, data.line_of("templates"), f'template "{needed}" is missing: the '
                                    "hotline sends it"))
    if problems:
        raise YAMLSourceError(problems)
    return Templates(found)

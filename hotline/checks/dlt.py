"""The DLT lint of `hotline flows check`: every text that can go out by SMS through Exotel is a
registered template of dlt.yaml (transport/dlt.py), in every language, with realistic values.

What can go out that way: every reply the flows send by SMS, one message at a time (a message
and its menu lines are one SMS: hotline/web/exotel/sms.py), and every one of the hotline's own
texts sent by SMS (alerts, notices, command replies: hotline/i18n/texts.yaml) — except the relay's
carriers of free text, which never go as DLT SMS (hotline/response/reach.py `free_text`), the texts
only WhatsApp carries (its templates, whatsapp.yaml), and the pieces other texts are built from. Each problem is `file:line: message`.

Texts built from others: `{what}` (what she asks: esc_what_…) is often longer than a variable's
30 characters, so a text that carries it is registered once for each of them, as
`hotline.esc_alert#callback`; every other value is a {#var#}. A text with plural forms is
registered once a form (`#one`, `#other`). `hotline flows dlt` writes the templates to register.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from hotline.checks.catalog import SAMPLE, locales_for, own_messages, replies, shown
from hotline.config.yamlsource import Problem
from hotline.engine.model import Flow
from hotline.i18n.catalog import OWN, Catalog, fill, placeholders
from hotline.transport.dlt import VAR_LIMIT, Registry, parse, placeholders_to_vars

# never sent as DLT SMS: they carry someone's own words (reach.free_text moves the relay to a call)
FREE_TEXT = frozenset({"relay_prefix_staff", "relay_urgent_staff", "relay_prefix_survivor"})
# sent on WhatsApp only (hotline/response/whatsapp.py, conversation/media.py): its templates, and
# the answers to a voice message or file, which only WhatsApp carries
WHATSAPP_ONLY = frozenset({"whatsapp_survivor_template", "whatsapp_staff_alert", "esc_level",
                           "whatsapp_staff_message", "whatsapp_voice_received", "whatsapp_media_received"})
# pieces of other texts, never sent alone
PARTS = frozenset({"sms_choice", "esc_urgent", "esc_high_danger", "esc_elevated", "esc_who_survivor",
                   "esc_who_police", "esc_when_now"} | {k for k in OWN if k.startswith("esc_what_")})
INLINE = ("what",)  # a placeholder whose texts are written into the template, one variant each
WHAT_PARAMS = {"window": "16:30-18:30", "district": "Tiruvannamalai", "when": "01/12/2026 10:00",
               "questions": "1, 2, 3 + officer"}


HEADER = """\
# India's DLT SMS templates (TRAI): every SMS the hotline sends through Exotel must be one of these,
# registered on a DLT portal (Jio, Airtel, Vi, BSNL) under the NGO's Principal Entity ID.
# SAMPLE IDS: the entity and template ids below are made up for the demo. Before going live,
# register each text exactly as written here (Service-Implicit; Tamil as Unicode), and put the ids
# the portal gives in place of these. `hotline flows dlt` writes this file again from the catalogs
# (keeping the ids of texts that did not change); `hotline flows check` fails on any text Exotel
# may send that is not a template here, in any language. Keys: the message's catalog context;
# `#callback` (…) a variant for each esc_what_ text, `#one`/`#other` each plural form.
"""


@dataclass
class Needed:
    """One text that can go out by DLT SMS: its template key, language, the template to register
    (placeholders as {#var#}) and its renderings with realistic values."""

    key: str
    lang: str
    template: str
    renders: list[str] = field(default_factory=list)
    file: str = ""
    line: int = 0


def _samples(catalog: Catalog, lang: str, langs: list[str]) -> dict[str, list]:
    """Realistic values of the own texts' placeholders, in `lang`: the longest a real one carries."""
    own = catalog.own
    return {
        "code": ["48213"], "next": ["55102"], "codes": ["48213, 55102"], "name": ["Kavitha", "SI Ramesh"],
        "window": ["16:30-18:30"], "number": ["+91•••••••001"], "when": ["3 Dec 10:00"], "note": [""],
        "district": ["Tiruvannamalai"], "questions": ["1, 2, 3 + officer"], "safe_word": ["RECIPE"],
        "urgent": ["", own("esc_urgent", lang), own("esc_high_danger", lang), own("esc_elevated", lang)],
        "who": [own("esc_who_survivor", lang), own("esc_who_police", lang)],
        "language": [catalog.language_name(c, lang) for c in langs],
        "text": [""],
    }


def _what(catalog: Catalog, lang: str) -> dict[str, tuple[str, str]]:
    """Each esc_what_ text: (its raw translation, with its placeholders; rendered realistically)."""
    found = {}
    for key in sorted(k for k in OWN if k.startswith("esc_what_")):
        raw = catalog.translations(lang).pgettext(f"hotline.{key}", OWN[key])
        found[key.removeprefix("esc_what_")] = (raw, fill(raw, WHAT_PARAMS, catalog.locale(lang)))
    return found


def _combinations(names: list[str], samples: dict[str, list]) -> list[dict]:
    """Each value of each placeholder at least once, the others at their first."""
    base = {n: samples.get(n, [""])[0] for n in names}
    found = [base]
    for n in names:
        found += [{**base, n: value} for value in samples.get(n, [""])[1:]]
    return found


def own_needed(catalog: Catalog, langs: list[str], root: Path) -> list[Needed]:
    lines = {m.context: (m.file, m.line) for m in own_messages(root)}
    needed = []
    for key, default in OWN.items():
        context = f"hotline.{key}"
        sms = not (key.startswith("voice_") or "_voice_" in key)
        if not sms or key in FREE_TEXT or key in PARTS or key in WHATSAPP_ONLY:
            continue
        file, line = lines.get(context, ("hotline/i18n/texts.yaml", 1))
        for lang in langs:
            samples = _samples(catalog, lang, langs)
            translations = catalog.translations(lang)
            forms = ([("one", translations.npgettext(context, default["one"], default["other"], 1), 1),
                      ("other", translations.npgettext(context, default["one"], default["other"], 15), 15)]
                     if isinstance(default, dict) else [("", translations.pgettext(context, default), None)])
            for form_name, raw, count in forms:
                names = sorted(placeholders(raw) or set())
                inline = [n for n in names if n in INLINE]
                variants = _what(catalog, lang).items() if inline else [("", ("", ""))]
                for what_name, (what_raw, what_text) in variants:
                    suffix = "#".join(x for x in (form_name, what_name) if x)
                    template = placeholders_to_vars(fill(raw, {"what": what_raw, **{
                        n: "{" + n + "}" for n in names if n != "what"}}))
                    entry = Needed(f"{context}#{suffix}" if suffix else context, lang, template, [], file, line)
                    for values in _combinations([n for n in names if n not in ("what", "count")], samples):
                        params = {**values, "what": what_text, "count": count}
                        entry.renders.append(fill(raw, params, catalog.locale(lang)))
                    needed.append(entry)
    return needed


def flow_needed(catalog: Catalog, flows: dict[str, Flow]) -> list[Needed]:
    """Each message of every SMS reply, as one DLT SMS with its menu lines."""
    found: dict[tuple, Needed] = {}
    variants: dict[tuple, list] = {}
    for flow in flows.values():
        for line, _, chain in replies(flow):
            for msg_id, choices in chain:
                context = f"{flow.name}.{msg_id}"
                shape = tuple((c["key"], c["label"]) for c in choices)
                seen = variants.setdefault((context,), [])
                if shape not in seen:
                    seen.append(shape)
                index = seen.index(shape)
                for lang in flow.languages:
                    key = context if index == 0 else f"{context}#{index + 1}"
                    if (key, lang) in found:
                        continue
                    raw = catalog.translations(lang).pgettext(context, flow.message(msg_id))
                    out = {"flow": flow.name, "msg": msg_id, "default": flow.message(msg_id), "params": SAMPLE}
                    menu = [catalog.own("sms_choice", lang, key=c["key"], label=catalog.choice(
                        out, {"msg": c["label"], "default": flow.message(c["label"]),
                              **({"lang": c["lang"]} if c.get("lang") else {})}, lang)) for c in choices]
                    template = "\n".join([placeholders_to_vars(raw)] + menu)
                    rendered = "\n".join([catalog.output(out, lang)] + menu)
                    found[(key, lang)] = Needed(key, lang, template, [rendered], flow.file,
                                                flow.message_lines.get(msg_id, line))
    return list(found.values())


def needed(flows_path: str | Path, flows: dict[str, Flow]) -> tuple[list[Needed], Path | None]:
    locales = locales_for(flows_path)
    if locales is None:
        return [], None
    catalog = Catalog(locales)
    langs = list(catalog.languages.codes)
    return own_needed(catalog, langs, locales.parent) + flow_needed(catalog, flows), locales.parent / "dlt.yaml"


def check(flows_path: str | Path, flows: dict[str, Flow]) -> list[Problem]:
    """Every text that can go out by SMS on Exotel has its template, and each rendering of it, in
    each language, is that template filled in (every variable within 30 characters)."""
    items, path = needed(flows_path, flows)
    if path is None or not path.exists():
        return []  # no dlt.yaml beside the flows: a deployment that sends no DLT SMS
    registry, problems = parse(str(path))
    if problems:
        return problems
    for item in items:
        template = registry.get(item.key, item.lang)
        where = shown(item.file)
        if template is None:
            problems.append(Problem(where, item.line, f'"{item.key}" can go out by SMS on Exotel but has no {item.lang} '
                                    f"DLT template in {shown(path)} (hotline flows dlt writes the text to register)"))
            continue
        for text in item.renders:
            if template.match(text) is None:
                problems.append(Problem(shown(path), template.line, f'the {item.lang} template of "{item.key}" does not '
                                        f"match the text as sent ({_why(template.text, item.template)}): "
                                        f"{text[:60]!r}… — register the text again (hotline flows dlt)"))
                break
    return problems


def _why(registered: str, expected: str) -> str:
    if registered != expected:
        return "its words differ from the catalog's"
    return f"a value is longer than {VAR_LIMIT} characters"


def draft(flows_path: str | Path, flows: dict[str, Flow], registry: Registry | None = None,
          sample_ids: bool = False) -> str:
    """dlt.yaml's templates as they must be registered: the ids of those registered unchanged are
    kept; a new or changed text gets an empty id (or, `sample_ids`, a made-up one for the demo)."""
    items, _ = needed(flows_path, flows)
    registry = registry or Registry()
    # made-up ids go on from the highest already held: a new text never takes a registered one's id
    taken = [int(t.id[4:]) for t in registry.templates.values() if t.id and t.id.startswith("1107") and t.id[4:].isdigit()]
    counter = itertools.count(max(taken, default=0) + 1)
    lines = HEADER.splitlines() + [f'entity: "{registry.entity or "1101000000000000001"}"', "templates:"]
    by_key: dict[str, list[Needed]] = {}
    for item in items:
        by_key.setdefault(item.key, []).append(item)
    for key, entries in by_key.items():
        lines.append(f"  {key}:")
        for item in entries:
            held = registry.get(item.key, item.lang)
            same = held is not None and held.text == item.template
            template_id = held.id if same else (f"1107{next(counter):015d}" if sample_ids else "")
            text = item.template.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            lines.append(f'    {item.lang}: {{id: "{template_id}", text: "{text}"}}')
    return "\n".join(lines) + "\n"


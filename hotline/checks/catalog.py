"""The catalog lint of `hotline flows check`: what the translations lack, or get wrong.

For every message the hotline says (the flows' `messages:`, hotline/i18n/texts.yaml and any other
texts file babel.cfg names) and every catalog under locales/:

- a message missing from a catalog, or with no translation, or translated from an English text
  that has since changed (the .po has the id under an older English): at the message's line;
- a fuzzy translation (gettext ignores it: the caller hears English): at its .po line;
- a translation whose placeholders ({window}, {code} …) differ from the English: at its .po line;
- an SMS text longer than two segments - 306 GSM-7 characters (160 in one, 153 a part), or 134
  for anything else, Tamil included (UCS-2: 70 in one, 67 a part): at its line;
- a whole reply as sent (every message of one step, its menu lines, realistic values) longer than
  two segments in any language of its flow: at the node or handler it follows;
- a compiled messages.mo that differs from its messages.po (not compiled since an edit);
- a language without a voice (locales/languages.yaml) and a recorded audio file missing for one
  of the messages a call says.

Each problem is `file:line: message`, as the flow checker reports.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog as POCatalog
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import PoFileError, read_po

from hotline.config.yamlsource import Map, Problem, YAMLSourceError, load, read
from hotline.engine.model import Flow
from hotline.i18n import gsm
from hotline.i18n.catalog import TEXTS_FILE, placeholders
from hotline.i18n.extract import extract_flows
from hotline.i18n.languages import SETTINGS_FILE, Languages

MAX_SEGMENTS = 2
TEXT_METHODS = {"flows": extract_flows}
SPOKEN_OWN = ("voice_", "safe_reply", "esc_voice_")  # own texts a call says (recorded for voiceless languages)


@dataclass
class Message:
    context: str  # survivor.main_menu, hotline.safe_reply
    english: str | tuple[str, str]  # the msgid, or (singular, plural)
    file: str
    line: int
    sms: bool = True  # sent by SMS (not only spoken)
    spoken: bool = True  # said on a call

    @property
    def forms(self) -> tuple[str, ...]:
        return self.english if isinstance(self.english, tuple) else (self.english,)


def shown(path: str | os.PathLike) -> str:
    """A path as a person at the terminal would type it: relative to here when below here."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


# -- what the hotline says --------------------------------------------------------------------

def flow_messages(flows: dict[str, Flow]) -> list[Message]:
    found = []
    for flow in flows.values():
        for msg_id, text in flow.messages.items():
            # a flow's voice_ messages are only spoken (the nodes behind a `channel: voice` case),
            # its whatsapp_ ones only sent on WhatsApp (no SMS segments there)
            found.append(Message(f"{flow.name}.{msg_id}", text, flow.file, flow.message_lines.get(msg_id, flow.line),
                                 sms=not msg_id.startswith(("voice_", "whatsapp_"))))
    return found


def text_sources(root: Path) -> list[tuple[Path, str, dict]]:
    """(file, extraction method, options) of the hotline's own texts that babel.cfg names; not
    the flows: those are the flows being checked."""
    cfg = root / "babel.cfg"
    if not cfg.exists():
        return [(TEXTS_FILE, "flows", {})]
    with open(cfg, encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(cfg))
    found: list[tuple[Path, str, dict]] = []
    for pattern, method in method_map:
        if method not in TEXT_METHODS:
            continue
        glob = pattern.replace("**", "**/*") if "**" in pattern and "**/" not in pattern else pattern
        for path in sorted(p for p in root.glob(glob) if p.is_file()):
            if method == "flows" and not _is_texts_file(path):
                continue
            if all(path != known for known, _, _ in found):
                found.append((path, method, options_map.get(pattern, {})))
    return found


def _is_texts_file(path: Path) -> bool:
    try:
        data = load(read(str(path)), str(path))
    except YAMLSourceError:
        return False
    return isinstance(data, Map) and "texts" in data and "flow" not in data


def own_messages(root: Path) -> list[Message]:
    found = []
    for path, method, options in text_sources(root):
        with open(path, "rb") as fh:
            for line, _, args, _ in TEXT_METHODS[method](fh, (), (), options):
                context, english = args[0], (args[1] if len(args) == 2 else (args[1], args[2]))
                msg_id = context.split(".", 1)[1]
                voice_only = msg_id.startswith(("voice_", "whatsapp_")) or "_voice_" in msg_id
                found.append(Message(context, english, str(path), line, sms=not voice_only,
                                     spoken=msg_id.startswith(SPOKEN_OWN)))
    return found


# -- the catalogs -----------------------------------------------------------------------------

def _po(path: Path, lang: str) -> POCatalog:
    with open(path, "rb") as fh:
        # abort_invalid: a line Babel cannot read is a problem named at its file and line (Babel
        # would otherwise print a warning without the file, skip the line and call the catalog fine)
        return read_po(fh, locale=lang, abort_invalid=True)


def translations_of(catalog: POCatalog) -> dict:
    """(context, msgid) -> msgstr of every translated, non-fuzzy message: what a .mo holds."""
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)):
            (m.string if isinstance(m.string, str) else tuple(m.string))
            for m in catalog if m.id and not m.fuzzy and (any(m.string) if isinstance(m.string, tuple) else m.string)}


def compiled(catalog: POCatalog) -> dict:
    """What `pybabel compile` would write for this catalog, read back."""
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return translations_of(read_mo(buf))


def mo_problem(po_path: Path, lang: str) -> str | None:
    """Why messages.mo beside this messages.po is not its compiled form, or None."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return "messages.mo is missing: run pybabel compile -d locales"
    with open(mo_path, "rb") as fh:
        held = translations_of(read_mo(fh))
    # by content, not by date: a clone or a pull sets dates as it pleases, and a .po edited only
    # in its comments compiles to the same .mo
    if held != compiled(_po(po_path, lang)):
        return "messages.mo differs from messages.po (edited since it was compiled): run pybabel compile -d locales"
    return None


def _sms_problem(text: str, what: str) -> str | None:
    count = gsm.segments(text)
    if count <= MAX_SEGMENTS:
        return None
    encoding, units = gsm.units(text)
    kind = "GSM-7" if encoding == "gsm7" else "UCS-2"
    return (f"{what} is {units} characters of {kind}: {count} SMS segments, more than {MAX_SEGMENTS} "
            f"(at most {gsm.limit(text, MAX_SEGMENTS)})")


def _placeholder_problem(english: tuple[str, ...], translated: tuple[str, ...]) -> str | None:
    expected: set[str] = set()
    for form in english:
        expected |= placeholders(form) or set()
    for form in translated:
        got = placeholders(form)
        if got is None:
            return f'the translation "{form}" has a broken placeholder (an unpaired {{ or }})'
        missing = expected - got - ({"count"} if len(translated) > 1 else set())
        extra = got - expected
        if missing or extra:
            parts = []
            if missing:
                parts.append("lacks " + ", ".join(f"{{{p}}}" for p in sorted(missing)))
            if extra:
                parts.append("has " + ", ".join(f"{{{p}}}" for p in sorted(extra)) + " the English has not")
            return f"the translation {' and '.join(parts)}"
    return None


def lint(flows: dict[str, Flow], locales: Path | str, root: Path | str | None = None) -> list[Problem]:
    """Every problem of the catalogs under `locales` with these flows and the hotline's texts."""
    locales = Path(locales)
    root = Path(root) if root else locales.parent
    problems: list[Problem] = []
    settings = locales / SETTINGS_FILE
    if settings.exists():
        try:
            load(read(str(settings)), str(settings))
        except YAMLSourceError as exc:
            problems += [Problem(shown(p.file), p.line, p.message) for p in exc.problems]
    langs = Languages(locales)
    messages = flow_messages(flows) + own_messages(root)

    for flow in flows.values():
        for code in flow.languages:
            if code != langs.source and code not in langs.catalogs:
                problems.append(Problem(flow.file, flow.line, f'flow "{flow.name}" speaks "{code}" but there is no '
                                        f"catalog {shown(locales / code / 'LC_MESSAGES' / 'messages.po')}"))

    for message in messages:  # the English itself
        if message.sms:
            for form in message.forms:
                if wrong := _sms_problem(form, f'the English of "{message.context}"'):
                    problems.append(Problem(shown(message.file), message.line, wrong))

    for code in langs.catalogs:
        po_path = locales / code / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            problems.append(Problem(shown(po_path.with_suffix(".mo")), 1,
                                    "messages.mo without its messages.po: translators work on the .po"))
            continue
        try:
            catalog = _po(po_path, code)
        except Exception as exc:  # noqa: BLE001 - a broken catalog is a problem to name, not a crash
            detail = str(exc).rsplit(" on ", 1)[0] if isinstance(exc, PoFileError) else exc  # Babel adds " on <line>"
            line = f": {exc.line.strip()!r}" if isinstance(exc, PoFileError) else ""
            problems.append(Problem(shown(po_path), getattr(exc, "lineno", 0) + 1, f"cannot read: {detail}{line}"))
            continue
        po = shown(po_path)
        if wrong := mo_problem(po_path, code):
            problems.append(Problem(shown(po_path.with_suffix(".mo")), 1, wrong))
        by_context = {m.context: m for m in catalog if m.id and m.context}
        source = code == langs.source
        for message in messages:
            held = catalog.get(message.english if isinstance(message.english, str) else message.english[0],
                               message.context)
            if held is None:
                old = by_context.get(message.context)
                if old is not None:
                    problems.append(Problem(shown(message.file), message.line,
                                            f'the English of "{message.context}" changed since its {code} translation '
                                            f"({po}:{old.lineno}): run pybabel update, then translate it again"))
                else:
                    problems.append(Problem(shown(message.file), message.line,
                                            f'message "{message.context}" is missing from {po}: run pybabel '
                                            "extract and update"))
                continue
            strings = held.string if isinstance(held.string, tuple) else (held.string,)
            if held.fuzzy and any(strings):
                problems.append(Problem(po, held.lineno, f'the {code} translation of "{message.context}" is fuzzy: '
                                        "it is not used until a translator checks it and removes the fuzzy flag"))
                continue
            if not all(strings):
                if not source:
                    problems.append(Problem(shown(message.file), message.line,
                                            f'message "{message.context}" has no {code} translation in {po}'))
                continue
            if wrong := _placeholder_problem(message.forms, strings):
                problems.append(Problem(po, held.lineno, f'"{message.context}": {wrong}'))
            if message.sms:
                for form in strings:
                    if wrong := _sms_problem(form, f'the {code} text of "{message.context}"'):
                        problems.append(Problem(po, held.lineno, wrong))

    problems += _audio(langs, messages, locales)
    problems += reply_problems(flows, locales)
    return problems


def _audio(langs: Languages, messages: list[Message], locales: Path) -> list[Problem]:
    """A language without a voice plays recordings: name each one a call would miss."""
    problems = []
    settings = shown(langs.settings_file)
    for code in langs.catalogs:
        language = langs.get(code)
        if language.has_voice:
            continue
        if not language.audio_url:
            problems.append(Problem(settings, _line_of(langs.settings_file, code),
                                    f'"{code}" has no voice (say:) and no audio_url for recorded audio: a call in '
                                    f"{language.english_name} cannot be spoken"))
        folder = locales / code / "audio"
        for message in messages:
            if message.spoken and not (folder / f"{message.context}.mp3").exists():
                problems.append(Problem(shown(message.file), message.line,
                                        f'no recording of "{message.context}" for {code}, which has no voice: add '
                                        f"{shown(folder / (message.context + '.mp3'))}"))
    return problems


def _line_of(path: Path, code: str) -> int:
    try:
        data = load(read(str(path)), str(path))
    except YAMLSourceError:
        return 1
    langs = data.get("languages") if isinstance(data, Map) else None
    return langs.line_of(code) if isinstance(langs, Map) else 1


def locales_for(flows_path: str | os.PathLike) -> Path | None:
    """The catalogs of a flows folder: the locales/ beside it (flows/ and locales/ of a hotline)."""
    path = Path(flows_path)
    folder = path.parent if path.is_file() else path
    candidate = folder.resolve().parent / "locales"
    return candidate if candidate.is_dir() else None


def check(flows_path: str | os.PathLike, flows: dict[str, Flow]) -> list[Problem]:
    """What `hotline flows check PATH` adds: the English SMS lengths always, and the catalogs of
    the locales/ beside the flows where there is one."""
    locales = locales_for(flows_path)
    if locales is None:
        # a flow that speaks more than English needs the catalogs: without them every caller
        # would hear English, so "all flows are fine" would be untrue
        path = Path(flows_path)
        expected = (path.parent if path.is_file() else path).resolve().parent / "locales"
        problems = [Problem(flow.file, flow.languages_line,
                            f'flow "{flow.name}" speaks {", ".join(c for c in flow.languages if c != "en")} but '
                            f"there is no {shown(expected)}/ beside its folder (it should hold "
                            f"<lang>/LC_MESSAGES/messages.po): copy the hotline's locales/ there, or check the path")
                    for flow in flows.values() if any(c != "en" for c in flow.languages)]
        for message in flow_messages(flows):
            for form in message.forms:
                if wrong := _sms_problem(form, f'the English of "{message.context}"'):
                    problems.append(Problem(message.file, message.line, wrong))
        return problems
    return lint(flows, locales)


# -- whole replies, as sent --------------------------------------------------------------------

# Realistic values for a reply's placeholders: what the longest real reply would carry.
SAMPLE = {"safe_word": "RECIPE", "window": "16:30-18:30", "code": "48213", "name": "Kavitha",
          "area": "Tiruvannamalai", "when": "now", "count": 15, "key": "5"}


def _prompt(node) -> list[tuple[str, list]]:
    from hotline.engine.loader import _ids

    ids = _ids(node.spec.get("say"))
    listed = [c for c in node.data.get("choices", []) if c.get("key")]
    return [(m, []) for m in ids[:-1]] + ([(ids[-1], listed)] if ids else [])


def _chains(flow, node_id: str, seen: frozenset = frozenset()) -> list[list[tuple[str, list]]]:
    """Every sequence of messages from entering a node to the next wait (or the end), by SMS."""
    from hotline.engine.loader import _ids
    from hotline.engine.nodes import KINDS

    node = flow.nodes.get(node_id)
    if node is None or node_id in seen:
        return [[]]
    seen = seen | {node_id}
    if KINDS[node.kind].waits:
        return [_prompt(node)]
    said = [(m, []) for m in _ids(node.spec.get("say"))] if node.kind in ("message", "action", "end") else []
    if node.kind == "branch":
        nexts = [c.get("goto") for c in node.spec.get("cases", []) if isinstance(c, dict)
                 and (c.get("when") or {}).get("channel") not in NOT_SMS] + [node.spec.get("else")]
    elif node.kind == "end" or node.kind == "flow":
        nexts = []
    else:
        nexts = [node.spec.get("next")]
    nexts = [n for n in nexts if isinstance(n, str)]
    if not nexts:
        return [said]
    return [said + rest for n in nexts for rest in _chains(flow, n, seen)]


NOT_SMS = ("voice", "whatsapp")  # branches an SMS never takes: a call, and WhatsApp (no segments there)


def _by_sms(flow) -> set[str]:
    """The nodes an SMS conversation can reach (not those behind a `channel: voice` or
    `channel: whatsapp` case)."""
    todo = [flow.start] + [h.then for h in flow.handlers if h.then in flow.nodes and h.channel not in NOT_SMS]
    seen: set[str] = set()
    while todo:
        node = flow.nodes.get(todo.pop())
        if node is None or node.id in seen:
            continue
        seen.add(node.id)
        if node.kind == "branch":
            todo += [c.get("goto") for c in node.spec.get("cases", []) if isinstance(c, dict)
                     and (c.get("when") or {}).get("channel") not in NOT_SMS] + [node.spec.get("else")]
        else:
            todo += [c.get("goto") for c in node.data.get("choices", [])]
            todo += [node.spec.get(k) for k in ("next", "unclear", "dont_know", "fallback")]
        todo = [t for t in todo if isinstance(t, str)]
    return seen


def replies(flow) -> list[tuple[int, str, list[tuple[str, list]]]]:
    """(line, what, messages) of every reply the flow can send by SMS: after each answer, each
    re-ask, each handler."""
    from hotline.engine.loader import _ids
    from hotline.engine.nodes import KINDS

    found = [(flow.start_line, "the first reply", chain) for chain in _chains(flow, flow.start)]
    by_sms = _by_sms(flow)
    for node in flow.nodes.values():
        if not KINDS[node.kind].waits or node.id not in by_sms:
            continue
        targets = [c["goto"] for c in node.data.get("choices", []) if isinstance(c.get("goto"), str)]
        targets += [node.spec[k] for k in ("next", "unclear", "dont_know", "fallback") if isinstance(node.spec.get(k), str)]
        for target in dict.fromkeys(targets):
            for chain in _chains(flow, target):
                found.append((node.line, f'after an answer at "{node.id}"', chain))
        complaint = [(m, []) for m in _ids(node.spec.get("invalid"))]
        found.append((node.line, f'the re-ask of "{node.id}"', complaint + _prompt(node)))
    waiting = [n for n in flow.nodes.values() if KINDS[n.kind].waits and n.id in by_sms]
    for handler in flow.handlers:
        if handler.channel in NOT_SMS:
            continue  # only on a call (or on WhatsApp): no SMS is sent
        said = [(m, []) for m in handler.say]
        if handler.then in flow.nodes:
            chains = [said + c for c in _chains(flow, handler.then)]
        elif handler.then == "resume":
            chains = [said + _prompt(n) for n in waiting]
        else:
            chains = [said]
        found += [(handler.line, f'handler "{handler.id}"', c) for c in chains]
    return found


def reply_problems(flows: dict[str, Flow], locales: Path | str) -> list[Problem]:
    """Every SMS reply as sent (its messages, its menu lines, realistic values) within two
    segments in every language of its flow."""
    from hotline.i18n.catalog import Catalog

    catalog = Catalog(locales)
    problems, reported = [], set()
    for flow in flows.values():
        for line, what, chain in replies(flow):
            for lang in flow.languages:
                parts = []
                for msg_id, choices in chain:
                    out = {"flow": flow.name, "msg": msg_id, "default": flow.message(msg_id), "params": SAMPLE}
                    parts.append(catalog.output(out, lang))
                    for c in choices:
                        label = catalog.choice(out, {"msg": c["label"], "default": flow.message(c["label"])}, lang)
                        parts.append(catalog.own("sms_choice", lang, key=c["key"], label=label))
                text = "\n".join(parts)
                ids = " + ".join(m for m, _ in chain)
                if ids and (wrong := _sms_problem(text, f"the {lang} reply {what} ({ids})")) and (lang, ids) not in reported:
                    reported.add((lang, ids))
                    problems.append(Problem(flow.file, line, wrong))
    return problems

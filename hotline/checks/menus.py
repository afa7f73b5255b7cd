"""The menu lint of `hotline flows check` (#27): every menu option is understood by its own words.
A caller reads "2 - Shelter, legal aid and other help" and may type back the words rather than the
number, in either language: each option's label, as her language's catalog shows it, must select
that very option (a menu's keywords, or a keyword inside the sentence; see nodes/menu.py `pick`).
A flow handler that hears the words first (COUNSELLOR, MENU …) counts when it goes where the
option goes."""

from __future__ import annotations

from pathlib import Path

from hotline.config.yamlsource import Problem
from hotline.engine.model import Flow
from hotline.engine.nodes import menu


def _same(flow: Flow, node, choice: dict, picked: dict | None, text: str) -> bool:
    """The words select this option, or one that does the same (goes and sets alike), or a flow
    handler with this keyword alone goes there ("English" at the language menu: its handler)."""
    if picked is choice or picked is not None and (picked["goto"], picked["set"]) == (choice["goto"], choice["set"]):
        return True
    said = menu.normalise(text)
    for h in flow.handlers:
        if said not in [menu.normalise(str(w)) for w in h.match]:
            continue
        if h.then == choice["goto"] or h.then == "resume" and (menu.answered(node, h.set) or {}).get("goto") == choice["goto"]:
            return True
        if h.then == "resume" and "lang" in (h.set or {}):
            # a language's name switches the caller's own language wherever she is (README, "Safety
            # words and keywords"), by design: such a label is left to that handler
            return True
    return False


def label_problems(flows: dict[str, Flow], locales: Path | str, words=None) -> list[Problem]:
    from hotline.checks.catalog import _by_sms
    from hotline.i18n.catalog import Catalog
    from hotline.i18n.lexicon import lexicon

    catalog = Catalog(locales)
    words = words if words is not None else lexicon(str(locales)) if any(Path(locales).glob("*/lexicon.yaml")) else lexicon()
    problems = []
    for flow in flows.values():
        typed = _by_sms(flow)  # a call's menus are answered on the keypad
        for node in flow.nodes.values():
            if node.kind != "menu" or node.id not in typed:
                continue
            choices = node.data.get("choices", [])
            for choice in choices:
                if not choice.get("label") or not choice.get("key"):
                    continue
                for lang in flow.languages:
                    out = {"flow": flow.name, "msg": node.id, "default": "", "params": {}}
                    label = catalog.choice(out, {"msg": choice["label"], "default": flow.message(choice["label"])}, lang)
                    picked, _ = menu.pick(choices, label, words, flow.languages)
                    if _same(flow, node, choice, picked, label):
                        continue
                    went = f'option {picked["key"] or picked["goto"]}' if picked else "nothing"
                    problems.append(Problem(flow.file, choice["line"], (
                        f'menu {node.id}: the {lang} label of option {choice["key"]} ("{label}"), typed back, '
                        f'selects {went}: give the option a keyword from its label (match:)')))
    return problems

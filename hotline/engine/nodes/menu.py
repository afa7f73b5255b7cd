"""menu: numbered choices, each with keywords and synonyms; waits for the caller.

    main_menu:
      kind: menu
      say: main_menu                 # the question
      choices:
        - key: 1                     # what to press or reply
          label: opt_counsellor      # message id shown or spoken for this choice
          match: [counsellor, talk, ஆலோசகர்]
          goto: want_counsellor
        - match: [ack]               # no key: not listed, only typed
          args: [code]               # 'ACK 482' sets code = 482 (one word each)
          goto: staff_ack
        - match: [note]
          args: [code]
          rest: text                 # 'NOTE 482 she is safe' sets text = 'she is safe'
          goto: staff_note
        - script: tamil              # any text mostly in Tamil script
          set: {lang: ta}
          goto: safe_to_talk
        - written: ta                # any text in Tamil: its script, or Tanglish (the lexicon's words)
          goto: safe_to_talk
        - key: 1
          label: answer_yes
          lexicon: "yes"             # yes/no in any language, negation first ('safe illa' is no);
          goto: main_menu            # or any lexicon category (dont_know …)
      retries: 2                     # re-asks before the fallback (the flow's default otherwise)
      invalid: not_understood        # said before re-asking (optional)
      fallback: main_menu_help       # where a caller goes after the last re-ask
"""

from __future__ import annotations

from hotline.config import schema
from hotline.config.yamlsource import Map, Problem
from hotline.engine.nodes.base import RETRY_FIELDS, NodeKind
from hotline.engine.nodes.set import check_variables
from hotline.i18n.lexicon import Lexicon, lexicon
from hotline.i18n.text import normalise, written_in

CHOICE_FIELDS = {
    "key": lambda v: None if isinstance(v, (int, str)) and not isinstance(v, bool) else "must be a number or a word",
    "label": schema.ident,
    "match": schema.words,
    "script": schema.one_of("tamil", "latin", "devanagari", "telugu", "kannada", "malayalam"),
    "args": lambda v: None if isinstance(v, list) and v and not any(schema.ident(a) for a in v) else "must be a list of variable names",
    "rest": schema.ident,
    "set": schema.mapping,
    "goto": schema.ident,
    "written": schema.text,
    "lexicon": schema.text,
}


class Menu(NodeKind):
    name = "menu"
    doc = "numbered choices with keywords and synonyms; waits for the caller"
    fields = {"say": schema.ids, "choices": schema.sequence, **RETRY_FIELDS}
    required = ("say", "choices", "fallback")
    waits = True

    def check(self, node, file, problems):
        choices = []
        owner: dict[str, int] = {}
        for i, raw in enumerate(node.spec["choices"]):
            line = node.spec["choices"].line_of(i)
            if not isinstance(raw, Map):
                problems.append(Problem(file, line, f"choice {i + 1} must be a mapping with goto:"))
                continue
            for key, value in raw.items():
                check = CHOICE_FIELDS.get(key)
                if check is None:
                    known = ", ".join(CHOICE_FIELDS)
                    problems.append(Problem(file, raw.line_of(key), f'unknown key "{key}" in choice {i + 1} (known: {known})'))
                elif wrong := check(value):
                    problems.append(Problem(file, raw.line_of(key), f"choice {i + 1}: {key} {wrong}"))
            if "goto" not in raw:
                problems.append(Problem(file, line, f"choice {i + 1} needs goto:"))
            if "key" in raw and "label" not in raw:
                problems.append(Problem(file, line, f"choice {i + 1} has a key but no label: to show"))
            if not ({"key", "match", "script", "written", "lexicon"} & raw.keys()):
                problems.append(Problem(file, line, f"choice {i + 1} can never be chosen: give it key:, match:, script:, "
                                                    "written: or lexicon:"))
            if isinstance(raw.get("set"), dict):
                check_variables(raw["set"], file, problems)
            words = [normalise(str(w)) for w in ([raw["key"]] if "key" in raw else []) + list(raw.get("match") or [])]
            for word in words:
                if word in owner and owner[word] != i:
                    problems.append(Problem(
                        file, line, f'keyword "{word}" of choice {i + 1} is also a keyword of choice {owner[word] + 1}'))
                owner.setdefault(word, i)
            choices.append({
                "key": str(raw["key"]) if "key" in raw else None,
                "label": raw.get("label"),
                "words": words,
                "script": raw.get("script"),
                "written": raw.get("written"),
                "lexicon": str(raw["lexicon"]).lower() if "lexicon" in raw else None,
                "args": list(raw.get("args") or []),
                "rest": raw.get("rest"),
                "set": dict(raw.get("set") or {}),
                "goto": raw.get("goto"),
                "line": line,
            })
        node.data["choices"] = choices

    def targets(self, node):
        found = [(node.spec["fallback"], node.line_of("fallback"), "fallback")] if "fallback" in node.spec else []
        for i, choice in enumerate(node.data.get("choices", [])):
            if isinstance(choice["goto"], str):
                found.append((choice["goto"], choice["line"], f"menu choice {choice['key'] or i + 1}"))
        return found

    def enter(self, run, node):
        listed = [{"key": c["key"], "label": c["label"]} for c in node.data["choices"] if c["key"]]
        run.prompt(node.spec["say"], choices=listed, answer="menu")

    def receive(self, run, node, text):
        choice, args = pick(node.data["choices"], text, run.flows.lexicon, run.flow.languages)
        if choice is None:
            return False
        run.assign({**choice["set"], **args})
        run.goto(choice["goto"])
        return True


def pick(choices: list[dict], text: str, words: Lexicon | None = None,
         languages: list[str] | None = None) -> tuple[dict | None, dict]:
    """The choice a caller meant, and the arguments she gave with it ('ACK 482'): a key or keyword
    alone, a command with its arguments, the language it is written in, its meaning by the
    lexicons (yes, no …), then a keyword inside a sentence (with the lexicons' endings:
    தங்குமிடத்துக்கு is தங்குமிடம்)."""
    words = words if words is not None else lexicon()
    said = normalise(text)
    if not said:  # no words, but perhaps a meaning: a thumb up or down for yes or no
        meant = [c for c in choices if c.get("lexicon") and _means(words, text, c["lexicon"])]
        return (meant[0], {}) if len(meant) == 1 else (None, {})
    for choice in choices:
        if said in choice["words"] and not choice["args"]:
            return choice, {}
    first = said.split(" ", 1)[0]
    given = text.split()[1:]  # as typed: a note keeps its case and punctuation
    for choice in choices:
        wanted = len(choice["args"])
        if wanted and first in choice["words"] and len(given) >= wanted:
            if len(given) > wanted and not choice["rest"]:
                continue  # 'ACK 482 thanks' is not 'ACK 482': ask again rather than guess
            values = dict(zip(choice["args"], given[:wanted], strict=True))
            if choice["rest"]:
                if len(given) == wanted:
                    continue  # 'NOTE 482' with no note
                values[choice["rest"]] = " ".join(given[wanted:])
            return choice, values
    for choice in choices:
        if choice["script"] and written_in(text, choice["script"]):
            return choice, {}
        if choice.get("written") and words.language_of(text, languages) == choice["written"]:
            return choice, {}
    meant = [c for c in choices if c.get("lexicon") and _means(words, text, c["lexicon"])]
    if len(meant) == 1:
        return meant[0], {}
    # a keyword inside a sentence ("I want to talk to a counsellor"), when only one choice has it
    hits = [c for c in choices if not c["args"] and any(words.contains(text, w) for w in c["words"] if len(w) > 2 and not w.isdigit())]
    return (hits[0], {}) if len(hits) == 1 else (None, {})


def _means(words: Lexicon, text: str, category: str) -> bool:
    if category in ("yes", "no"):
        return words.yesno(text) == category
    return words.shows(text, category)


def language_picks(choices: list[dict]) -> dict[str, str]:
    """key -> language, for the choices that pick one: such a choice is shown and spoken in its
    own language ("தமிழ்" on an English menu), so the renderer needs to know which."""
    return {str(c.get("key")): c["set"]["lang"] for c in choices
            if c.get("key") is not None and isinstance(c.get("set"), dict) and c["set"].get("lang")}


def answered(node, values: dict) -> dict | None:
    """The menu choice that sets exactly what a handler has just set, if the caller waits at one.

    A handler's keyword wins over the node's own words, so "Tamil" typed at the language menu
    is heard by the language handler; re-asking "choose a language" then would be wrong: the
    handler has already given the answer one of the choices stands for.
    """
    if not values:
        return None
    given = {str(k): str(v) for k, v in values.items()}
    for choice in node.data.get("choices", []):
        if choice["set"] and {str(k): str(v) for k, v in choice["set"].items()} == given:
            return choice
    return None

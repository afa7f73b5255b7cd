"""Every word the hotline says comes through here: flow messages and the hotline's own texts.

Catalogs are gettext files under locales/<lang>/LC_MESSAGES/messages.mo, read with Babel
(babel.support.Translations). A message is looked up by context (`survivor.main_menu`,
`hotline.voice_choice`) with its English default as msgid, so a translator sees the English
beside each id and an edited English text marks its translation fuzzy at `pybabel update`. A
message missing from a catalog falls back to English.

The hotline's own texts (menus as each channel renders them, fallbacks, alerts) live in
texts.yaml beside this file, where the flows extractor reads them like a flow's messages.
Placeholders are filled after translation, times and dates written as the caller's locale
writes them (see formatting.py).
"""

from __future__ import annotations

import string
from pathlib import Path

from babel.support import NullTranslations, Translations

from hotline.config.yamlsource import Map, load, read
from hotline.i18n.formatting import format_value, language_name
from hotline.i18n.languages import LOCALES, Languages, languages

DOMAIN = "messages"
TEXTS_FILE = Path(__file__).with_name("texts.yaml")


def load_texts(path: Path | str = TEXTS_FILE) -> tuple[dict, dict[str, int]]:
    """The hotline's own texts: id -> English (or {one:, other:} for plural forms), and lines."""
    data = load(read(str(path)), str(path))
    texts = data.get("texts") if isinstance(data, Map) else None
    if not isinstance(texts, Map):
        raise ValueError(f"{path}: expected a mapping texts: id -> English text")
    return ({str(k): dict(v) if isinstance(v, dict) else str(v) for k, v in texts.items()},
            {str(k): texts.line_of(k) for k in texts})


# The hotline's own words (not from a flow), by id: a string, or {one:, other:} for a plural.
OWN, OWN_LINES = load_texts()


class _Params(dict):
    """A message's parameters, each written in the caller's locale when the message uses it."""

    def __init__(self, params: dict, locale: str):
        super().__init__(params)
        self.locale = locale

    def __getitem__(self, key):
        return format_value(super().__getitem__(key), self.locale)

    def __missing__(self, key: str) -> str:  # a missing parameter shows as nothing, never a crash
        return ""


def fill(template: str, params: dict, locale: str = "en") -> str:
    try:
        return string.Formatter().vformat(template, (), _Params(params, locale))
    except (ValueError, IndexError, AttributeError, KeyError):
        return template  # a broken placeholder in a translation: say it as written


def placeholders(template: str) -> set[str] | None:
    """The names of a text's placeholders ({window} -> 'window'); None when it cannot be parsed."""
    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template)
                if name is not None}
    except ValueError:
        return None


class Catalog:
    def __init__(self, folder: Path | str = LOCALES):
        self.folder = Path(folder)
        self.languages: Languages = languages(str(self.folder))
        self._loaded: dict[str, NullTranslations] = {}

    def translations(self, lang: str) -> NullTranslations:
        if lang not in self._loaded:
            # the source language needs no catalog (msgid is its text) but may have one
            self._loaded[lang] = Translations.load(str(self.folder), [lang], domain=DOMAIN)
        return self._loaded[lang]

    def translated(self, context: str, msgid: str, lang: str) -> bool:
        """True when `lang`'s catalog has its own text for this message."""
        held = getattr(self.translations(lang), "_catalog", {})
        return f"{context}\x04{msgid}" in held or (f"{context}\x04{msgid}", 0) in held

    def locale(self, lang: str) -> str:
        return self.languages.get(lang).locale

    def text(self, context: str, default: str, lang: str, params: dict | None = None) -> str:
        return fill(self.translations(lang).pgettext(context, default), params or {}, self.locale(lang))

    def plural(self, context: str, one: str, other: str, count: int, lang: str, params: dict | None = None) -> str:
        """A text with plural forms, chosen by Babel's plural rule of `lang` (the catalog's
        Plural-Forms header) for `count`."""
        template = self.translations(lang).npgettext(context, one, other, count)
        return fill(template, {"count": count, **(params or {})}, self.locale(lang))

    def own(self, msg_id: str, lang: str, **params) -> str:
        default = OWN[msg_id]
        if isinstance(default, dict):
            count = params.pop("count", 0)
            try:
                count = int(count)
            except (TypeError, ValueError):
                count = 0
            return self.plural(f"hotline.{msg_id}", default["one"], default["other"], count, lang, params)
        return self.text(f"hotline.{msg_id}", default, lang, params)

    def output(self, output: dict, lang: str, params: dict | None = None) -> str:
        """The text of one engine output (a said message or a prompt) in a language."""
        merged = {**output.get("params", {}), **(params or {})}
        return self.text(f"{output['flow']}.{output['msg']}", output["default"], lang, merged)

    def choice(self, output: dict, choice: dict, lang: str) -> str:
        """A menu choice's label. A choice that picks a language is labelled in that language,
        whatever the caller's: its catalog's text, else the name Babel gives it ('தமிழ்')."""
        context = f"{output['flow']}.{choice['msg']}"
        own = choice.get("lang")
        if own:
            if own == self.languages.source or self.translated(context, choice["default"], own):
                return self.text(context, choice["default"], own)
            return language_name(own)
        return self.text(context, choice["default"], lang)

    def language_name(self, code: str, in_language: str | None = None) -> str:
        """'தமிழ்' (its own name), or 'Tamil' as English staff read it (in_language='en')."""
        return language_name(code, in_language)

"""Every word the hotline says comes through here: flow messages and the hotline's own texts.

Catalogs are gettext files under locales/<lang>/LC_MESSAGES/messages.mo, read with Babel. A
message is looked up by context (`survivor.main_menu`, `hotline.voice_choice`) with its English
default as msgid, so a translator sees the English beside each id and an edited English text
marks its translation fuzzy. A message missing from a catalog falls back to English.
"""

from __future__ import annotations

import string
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).resolve().parents[2] / "locales"

# The hotline's own words (not from a flow): menus as each channel renders them, fallbacks.
OWN = {
    "sms_choice": "{key} - {label}",
    "voice_choice": "For {label}, press {key}.",
    "voice_no_input": "We did not hear anything.",
    "voice_goodbye": "Goodbye.",
    "safe_reply": "We got your message and will reply soon. In danger? Call Police 112. Women Helpline 181.",
    "error_reply": "Sorry, something went wrong. In danger? Call Police 112. Women Helpline 181.",
}


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a missing parameter shows as nothing, never a crash
        return ""


def fill(template: str, params: dict) -> str:
    try:
        return string.Formatter().vformat(template, (), _Params(params))
    except (ValueError, IndexError, AttributeError):
        return template  # a broken placeholder in a translation: say it as written


class Catalog:
    def __init__(self, folder: Path | str = LOCALES):
        self.folder = Path(folder)
        self._loaded: dict[str, NullTranslations] = {}

    def translations(self, lang: str) -> NullTranslations:
        if lang not in self._loaded:
            self._loaded[lang] = (
                Translations.load(str(self.folder), [lang], domain="messages") if lang != "en" else NullTranslations()
            )
        return self._loaded[lang]

    def text(self, context: str, default: str, lang: str, params: dict | None = None) -> str:
        return fill(self.translations(lang).pgettext(context, default), params or {})

    def own(self, msg_id: str, lang: str, **params) -> str:
        return self.text(f"hotline.{msg_id}", OWN[msg_id], lang, params)

    def output(self, output: dict, lang: str, params: dict | None = None) -> str:
        """The text of one engine output (a said message or a prompt) in a language."""
        merged = {**output.get("params", {}), **(params or {})}
        return self.text(f"{output['flow']}.{output['msg']}", output["default"], lang, merged)

    def choice(self, output: dict, choice: dict, lang: str) -> str:
        return self.text(f"{output['flow']}.{choice['msg']}", choice["default"], lang)

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
    "voice_goodbye": "Thank you for calling. Goodbye.",
    "voice_leave_message": "Nobody could answer just now. Please leave a message after the tone, and a counsellor will call you back.",
    "safe_reply": "We got your message and will reply soon. In danger? Call Police 112. Women Helpline 181.",
    "error_reply": "Sorry, something went wrong. In danger? Call Police 112. Women Helpline 181.",
    "alert_emergency": "URGENT hotline alert {code}: a survivor ({language}) needs help now. Reply ACK {code} to take it.",
    "alert_escalate": "Hotline alert {code}: a survivor ({language}) asks for a counsellor. Reply ACK {code} to take it, PASS {code} to pass.",
    "alert_callback": "Hotline alert {code}: a survivor ({language}) asks for a call back between {window}. Reply ACK {code} to take it.",
    "alert_accompany": "Hotline alert {code}: police ask for an NGO representative in {area}, {when}, ({language}). Reply ACK {code} to go.",
    "alert_voicemail": "Hotline alert {code}: a survivor ({language}) left a voicemail. Reply ACK {code} to take it.",
    "staff_noted": "Noted: {command} {code}.",
    "resources_emergency": "Emergency: Police 112. Women Helpline 181. Ambulance 108.",
    "resources_general": "Women Helpline 181 (24 hours) can give you the nearest shelter, legal aid and medical help.",
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

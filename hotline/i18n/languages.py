"""The languages the hotline speaks: one catalog each under locales/, the rest from Babel.

A language is spoken as soon as locales/<code>/LC_MESSAGES/messages.po exists. Babel gives its
own name ("தமிழ்"), its English name ("Tamil"), its script (CLDR likely subtags: ta -> Taml)
and its date and time formats; locales/languages.yaml adds only what Babel cannot know: the
Twilio voice, the speech recognition language, recorded audio. So an NGO adds a third language
with a translator and a catalog, not with a programmer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from hotline.config.yamlsource import YAMLSourceError, load, read
from hotline.i18n.text import normalise, script_share

LOCALES = Path(__file__).resolve().parents[2] / "locales"
SETTINGS_FILE = "languages.yaml"
SOURCE = "en"  # the language of the English defaults: msgid = the English text

# ISO 15924 script codes (as CLDR names them) -> the prefix of the Unicode names of their letters.
SCRIPTS = {
    "Taml": "TAMIL", "Deva": "DEVANAGARI", "Telu": "TELUGU", "Knda": "KANNADA", "Mlym": "MALAYALAM",
    "Beng": "BENGALI", "Gujr": "GUJARATI", "Guru": "GURMUKHI", "Orya": "ORIYA", "Sinh": "SINHALA",
    "Arab": "ARABIC", "Latn": "LATIN",
}


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, from Babel: "தமிழ்"
    english_name: str  # "Tamil"
    script: str | None  # Unicode script of its letters ("TAMIL"); None when unknown
    locale: str  # the Babel locale that formats its dates and times: "ta_IN"
    say_voice: str | None = None  # Twilio <Say> voice; None: no voice, recorded audio instead
    say_language: str | None = None  # Twilio <Say> language
    speech: str | None = None  # <Gather> speech recognition language; None: keypad only
    audio_url: str | None = None  # where the recorded audio of a voiceless language is served
    keywords: frozenset = field(default_factory=frozenset)  # words that pick it ("tamil", "தமிழ்")
    exotel_say: str | None = None  # Exotel's <Say language=…> (exotel: {say: ta}); None: recorded audio on Exotel

    @property
    def has_voice(self) -> bool:
        return bool(self.say_voice or self.say_language)


def _babel_locale(code: str, region: str) -> Locale | None:
    for tag in (f"{code}_{region}", code):
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def _script(code: str) -> str | None:
    likely = get_global("likely_subtags").get(code, "")
    parts = likely.split("_")
    return SCRIPTS.get(parts[1]) if len(parts) > 2 else None


def describe(code: str, settings: dict | None = None, region: str = "IN") -> Language:
    """A language as Babel knows it, with the voice settings of locales/languages.yaml."""
    settings = settings or {}
    locale = _babel_locale(code, region)
    base = _babel_locale(code, "") or locale
    name = (base.display_name if base else None) or code
    english = (base.english_name if base else None) or code
    say = settings.get("say") if isinstance(settings.get("say"), dict) else {}
    exotel = settings.get("exotel") if isinstance(settings.get("exotel"), dict) else {}
    # not the code itself: "hi" (Hindi) is a greeting, "en" nothing at all
    words = {normalise(name), normalise(english)} | {
        normalise(str(w)) for w in settings.get("keywords") or []}
    return Language(
        code=code, name=name, english_name=english,
        script=str(settings["script"]).upper() if settings.get("script") else _script(code),
        locale=str(locale) if locale else "en",
        say_voice=str(say["voice"]) if say.get("voice") else None,
        say_language=str(say["language"]) if say.get("language") else None,
        speech=str(settings["speech"]) if settings.get("speech") else None,
        audio_url=str(settings["audio_url"]) if settings.get("audio_url") else None,
        keywords=frozenset(w for w in words if w),
        exotel_say=str(exotel["say"]) if exotel.get("say") else None,
    )


class Languages:
    """The languages of one locales/ folder: the source language and every catalog."""

    def __init__(self, folder: Path | str = LOCALES):
        self.folder = Path(folder)
        self.settings_file = self.folder / SETTINGS_FILE
        data = _settings(self.settings_file)
        self.region = str(data.get("region") or "IN")
        self.source = str(data.get("source") or SOURCE)
        configured = data.get("languages") if isinstance(data.get("languages"), dict) else {}
        self._settings = {str(k): (v if isinstance(v, dict) else {}) for k, v in configured.items()}
        self.catalogs = sorted(p.parent.name for p in self.folder.glob("*/LC_MESSAGES")
                               if (p / "messages.po").exists() or (p / "messages.mo").exists())
        self.codes = [self.source] + [c for c in self.catalogs if c != self.source]
        self._known: dict[str, Language] = {}

    def get(self, code: str) -> Language:
        if code not in self._known:
            self._known[code] = describe(code, self._settings.get(code), self.region)
        return self._known[code]

    def __iter__(self):
        return (self.get(code) for code in self.codes)

    def __contains__(self, code: str) -> bool:
        return code in self.codes

    def detect(self, text: str | None) -> str | None:
        """The language a message shows: a first word naming a language ("Tamil", "தமிழ்"),
        else a script most of its letters are written in, else a language's own words in Latin
        letters (Tanglish: "enakku romba bayama irukku" is Tamil). Plain English tells nothing:
        it is the default."""
        if not text:
            return None
        words = normalise(text).split()
        if words:
            for language in self:
                if words[0] in language.keywords:
                    return language.code
        best, share = None, 0.5
        for language in self:
            if language.script and language.script != "LATIN":
                found = script_share(text, language.script)
                if found >= share:
                    best, share = language.code, found
        if best is None:
            # Latin letters with enough of a language's own words (Tanglish is Tamil): the
            # lexicons' markers (locales/<lang>/lexicon.yaml); "en" (Tanglish "my") picks nothing
            from hotline.i18n.lexicon import lexicon

            best = lexicon(str(self.folder)).language_of(text, [c for c in self.codes if c != self.source])
        return best


def _settings(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        data = load(read(str(path)), str(path))
    except YAMLSourceError:
        return {}  # `hotline flows check` reports it
    return data if isinstance(data, dict) else {}


@lru_cache(maxsize=16)
def languages(folder: str = str(LOCALES)) -> Languages:
    return Languages(folder)

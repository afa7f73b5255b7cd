"""What survivors write, as data: per-language word lists beside the catalogs, and one matcher.

Each language may have locales/<lang>/lexicon.yaml (see locales/ta/lexicon.yaml): lists of words
and phrases by category (danger, distress, yes, no, negation, dont_know, today, tomorrow, parts of
the day, districts), the endings a word may carry (Tamil -இல், -க்கு, -ஐ …; Tanglish -la, -ku …),
the Latin-letter words that show a message is in that language (Tanglish is Tamil), and how the
language's letters read in Latin (for an English word typed in Tamil letters: ரெசிபி is RECIPE).

Every language's lists are heard in every conversation: a woman who chose English may still write
"avasaram", one who chose Tamil may write "he is beating me".

How a word matches (one set of rules for every language):
- both sides normalised (case, NFKC, punctuation; any script's digits and keycap emoji as 0-9);
- Latin letters folded for Tanglish spelling: doubled letters once (kolla = kola), th = t, dh = d,
  zh = l, sh = s, ph = p, w = v, ee = i, oo = u; so "adikkiraan", "adikiran" and "adhikiran" meet;
- a word matches with any of the language's endings after it (Tamil letters joined as Tamil writes
  them: ர் + இல் = ரில், மதுரை + இல் = மதுரையில்); a word written with * at its end matches any
  ending (a stem: அடிக்கிற* = அடிக்கிறான், அடிக்கிறார் …);
- a phrase is its words in order, each word matched so;
- a word or phrase followed by a negation word (இல்லை, illa, …) or preceded by one that goes
  before (not, no …) is negated: "safe illa" is not safe.

Pure: reads YAML files, nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hotline.config.yamlsource import Map, Problem, YAMLSourceError, load, read
from hotline.i18n.ngram import Model
from hotline.i18n.text import normalise

LOCALES = Path(__file__).resolve().parents[2] / "locales"
FILE = "lexicon.yaml"
UNSURE = "danger_unsure"  # not a list: a danger_maybe word with no agent (Lexicon.shows)
SAMPLES = "samples.txt"  # messages in Latin letters, for the language model (bench/build_samples.py)
VETO = 0.8  # how far ahead the model's language must be to overrule the marker words (BUILD: 0.5-1.3 alike)
LEAD = 0.3  # how far ahead (log-likelihood a letter piece) the model's language must be: measured on BUILD

# Categories of words and what the engine does with them.
CATEGORIES = {
    "danger": "a message showing danger: escalates at emergency priority from any step",
    "danger_maybe": "possible danger (a knife, blood, fire, beat: everyday words too): she is asked whether "
                    "she is safe now, and the team alerted at high priority",
    UNSURE: "(no list of its own) a possible danger word with nobody named: she is asked whether "
            "she is safe now, and nobody is paged unless she says no",
    "agent": "someone who may hurt her (he, her husband, her in-laws): possible danger needs one beside it",
    "ordinary": "everyday talk (a film, cooking, cricket …): beside it danger is only possible, and "
                "possible danger nothing",
    "distress": "fear or abuse in her words where an answer was expected: she is offered a counsellor",
    "weapon": "a weapon or fire (knife, sickle, kerosene, acid …): a reason an escalation's risk is high (escalation/risk.py)",
    "yes": "yes, in any form",
    "no": "no, in any form (a negated yes is a no too)",
    "place_word": "words after a place's name that say it is one (district, மாவட்டம், -la)",
    "filler": "words that say nothing in a short answer (la, time, தான்): 'evening la' is 'evening'",
    "place_or_word": "district or town names that are everyday words or names too (theni: a bee): only "
                     "as the whole answer, with an ending, or before district",
    "not_yes": "words written so that they read like a yes once folded, but are none (amma, mother: aama is yes)",
    "negation": "words after a word that negate it (இல்லை, illa)",
    "negation_before": "words before a word that negate it (not, no, never)",
    "dont_know": "I don't know / I won't say: a question she may skip",
    "today": "today", "tomorrow": "tomorrow",
    "day_after": "the day after tomorrow (a call-back is booked for today or tomorrow only: asked again)",
    "monday": "Monday", "tuesday": "Tuesday", "wednesday": "Wednesday", "thursday": "Thursday",
    "friday": "Friday", "saturday": "Saturday", "sunday": "Sunday",
    "morning": "morning words (a.m.)", "noon": "midday and afternoon words",
    "evening": "evening words", "night": "night words",
    "markers": "words in Latin letters that show a message is in this language",
}
OTHER_KEYS = {"suffixes", "letters", "districts", "parts_of_day", "language"}

VIRAMA = "\u0bcd"
TAMIL_VOWEL_SIGNS = {"அ": "", "ஆ": "ா", "இ": "ி", "ஈ": "ீ", "உ": "ு", "ஊ": "ூ", "எ": "ெ", "ஏ": "ே",
                     "ஐ": "ை", "ஒ": "ொ", "ஓ": "ோ", "ஔ": "ௌ"}
LATIN_FOLDS = [("zh", "l"), ("th", "t"), ("dh", "d"), ("sh", "s"), ("ph", "p"), ("bh", "b"),
               ("kh", "k"), ("gh", "g"), ("w", "v"), ("ee", "i"), ("oo", "u"), ("ou", "u")]
_DOUBLE = re.compile(r"(.)\1+")


def _by_first_letter(items, first_word=lambda item: item) -> dict[str, list]:
    """Items by the first letter of their first word ("" for none), in their order: a word
    matches only words that begin with its own first letter (Lexicon.word_matches)."""
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(first_word(item)[:1], []).append(item)
    return grouped


def is_latin(word: str) -> bool:
    return bool(word) and all("a" <= ch <= "z" or ch.isdigit() for ch in word)


def fold(word: str) -> str:
    """A Latin word's spelling key: adikkiraan, adhikiran -> adikiran. Other scripts as they are."""
    if not is_latin(word):
        return word
    for a, b in LATIN_FOLDS:
        word = word.replace(a, b)
    return _DOUBLE.sub(r"\1", word)


def join(base: str, suffix: str) -> str:
    """A word and an ending, written as Tamil writes them together (other scripts: side by side)."""
    if not base or not suffix:
        return base + suffix
    first = suffix[0]
    if first in TAMIL_VOWEL_SIGNS:
        if base.endswith(VIRAMA):  # ர் + இல் = ரில்
            return base[:-1] + TAMIL_VOWEL_SIGNS[first] + suffix[1:]
        if "\u0b80" <= base[-1] <= "\u0bff":  # a vowel ending: a glide comes in (மதுரை + இல் = மதுரையில்)
            glide = "ய்" if base[-1] in "ிீெேை" else "வ்"
            return join(base + glide, suffix)
    return base + suffix


@dataclass
class Entry:
    words: tuple[str, ...]  # folded; a word ending in * is a stem
    lang: str
    text: str  # as written in the file


@dataclass
class Hit:
    category: str
    entry: Entry
    start: int
    end: int  # token index after the last
    negated: bool = False


@dataclass
class Lexicon:
    """Every language's lists, merged; the endings of every language."""

    entries: dict[str, list[Entry]] = field(default_factory=dict)
    suffixes: set[str] = field(default_factory=set)
    markers: dict[str, set[str]] = field(default_factory=dict)  # lang -> folded Latin words
    letters: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> letter -> Latin
    districts: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # key -> names (folded words)
    # lang -> key -> the first name its lexicon gives, as written: how a reader of that language
    # is shown the district (an alert in Tamil says மதுரை, not Madurai)
    district_names: dict[str, dict[str, str]] = field(default_factory=dict)
    parts: dict[str, dict] = field(default_factory=dict)  # lang -> morning/noon/... -> {hours, say}
    samples: dict[str, list[str]] = field(default_factory=dict)  # lang -> messages in Latin letters
    problems: list[Problem] = field(default_factory=list)
    cache: dict = field(default_factory=dict, repr=False)

    # -- matching -----------------------------------------------------------------------------
    def word_matches(self, token: str, word: str) -> bool:
        if word.endswith("*"):
            stem = word[:-1]
            return token.startswith(stem) and len(stem) >= 2
        if token == word:
            return True
        if not token.startswith(word[: max(1, len(word) - 2)]):
            return False
        return token in self._forms(word)

    def _forms(self, word: str) -> frozenset[str]:
        if word in self.cache:
            return self.cache[word]
        forms = {word}
        latin = is_latin(word)
        for suffix in self.suffixes:
            if is_latin(suffix) != latin:
                continue
            forms.add(fold(word + suffix) if latin else join(word, suffix))
            if not latin and word.endswith(VIRAMA) and len(word) > 2 and not word.endswith("ம்"):
                forms.add(join(word + word[-2:], suffix))  # a short last syllable doubles: கல் + இல் = கல்லில்
            if not latin and word.endswith("ம்"):  # அவசரம் -> அவசரத்துக்கு, அவசரமா
                forms.add(join(word[:-2] + "த்த்", suffix))
                forms.add(join(word[:-1], suffix))
            if not latin and word.endswith("ு") and suffix[0] in TAMIL_VOWEL_SIGNS:  # ஈரோடு -> ஈரோட்டில்
                forms.add(join(word[:-1] + VIRAMA, suffix))
                forms.add(join(word[:-2] + word[-2] + VIRAMA + word[-2] + VIRAMA, suffix))
        self.cache[word] = frozenset(forms)
        return self.cache[word]

    def phrase_at(self, toks: list[str], i: int, words: tuple[str, ...]) -> bool:
        if i + len(words) > len(toks):
            return False
        return all(self.word_matches(toks[i + k], w) for k, w in enumerate(words))

    def hits(self, text: str, categories: tuple[str, ...]) -> list[Hit]:
        """Every entry of these categories in the message, longest first, none overlapping."""
        toks = keys(text)
        # every match of a word begins with its first letter (word_matches), so an entry whose first
        # word's letter starts no token is passed over unread: a one-word reply ("4") was 200
        # phrase_at calls for the danger words alone, a tenth of an SMS step's CPU (bench/webhook.py)
        firsts = {t[0] for t in toks if t}
        found: list[Hit] = []
        for category in categories:
            by_letter = self._entries_by_letter(category)
            # the entries that may match, in the file's order (equal spans keep the first entry)
            candidates = sorted((e for letter in firsts | {""} for e in by_letter.get(letter, ())),
                                key=lambda numbered: numbered[0])
            for _, entry in candidates:
                for i in range(len(toks)):
                    if self.phrase_at(toks, i, entry.words):
                        found.append(Hit(category, entry, i, i + len(entry.words)))
        found.sort(key=lambda h: (-(h.end - h.start), h.start))
        taken: set[int] = set()
        kept = []
        for hit in found:
            span = set(range(hit.start, hit.end))
            if span & taken:
                continue
            taken |= span
            hit.negated = self._negated(toks, hit)
            kept.append(hit)
        return sorted(kept, key=lambda h: h.start)

    def _negated(self, toks: list[str], hit: Hit) -> bool:
        after = toks[hit.end] if hit.end < len(toks) else None
        before = toks[hit.start - 1] if hit.start > 0 else None
        if after and any(self.phrase_at(toks, hit.end, e.words) for e in self.entries.get("negation", [])):
            return True
        return bool(before) and any(self.phrase_at(toks, hit.start - len(e.words), e.words)
                                    for e in self.entries.get("negation_before", []) if hit.start >= len(e.words))

    def contains(self, text: str, phrase: str) -> bool:
        """A flow's keyword in the message, as whole words with the lexicons' endings."""
        words = _phrase(phrase)
        toks = keys(text)
        return bool(words) and any(self.phrase_at(toks, i, words) for i in range(len(toks)))

    def shows(self, text: str, category: str) -> bool:
        """The message holds a word of the category, not negated. Beside everyday talk ("ordinary":
        a film, cooking) danger counts as possible danger only, and possible danger as nothing:
        "the knife for the onions", "BGM oda beats" raise no alarm."""
        # (the cheap question first: most messages hold no danger word at all, so "ordinary" and
        # "agent" are read only when one is there; the engine asks this at every step)
        if category == "danger":
            if not (self._said(text, "danger")
                    or len(keys(text)) <= BARE and self._said(text, "danger_maybe")):  # "kerosene", "knife!!"
                return False
            return not self._said(text, "ordinary")
        if category in ("danger_maybe", UNSURE):
            strong, weak = self._said(text, "danger"), self._said(text, "danger_maybe")
            if not (strong or weak):
                return False
            if self._said(text, "ordinary"):  # beside everyday talk clear danger is only possible
                weak = strong
            # a knife is possible danger in his hand, not in the kitchen: paged only with someone
            # named; with nobody named (UNSURE) she is only asked
            return weak and (category == UNSURE or self._said(text, "agent"))
        return self._said(text, category)

    def _said(self, text: str, category: str) -> bool:
        # one message is asked about the same lists by several handlers in a step: the answers
        # for the last message are kept (a pair, so a thread reading another message recomputes)
        last = self.cache.get("said")
        if last is None or last[0] != text:
            last = (text, {})
            self.cache["said"] = last
        found = last[1].get(category)
        if found is None:
            found = last[1][category] = any(not h.negated for h in self.hits(text, (category,)))
        return found

    def yesno(self, text: str) -> str | None:
        """'yes', 'no' or None. A no, or a negated yes, beats a yes: 'ok but not safe' is no."""
        if not normalise(text):  # a thumb alone (normalising drops emoji)
            thumbs = {"yes" for ch in text if ch == THUMB_UP} | {"no" for ch in text if ch == THUMB_DOWN}
            return thumbs.pop() if len(thumbs) == 1 else None
        hits = self.hits(text, ("yes", "no", "dont_know"))
        # "amma" folds as "aama" (yes) does; as she typed it, it is "mother"
        raw = normalise(text).split()
        unlike = {normalise(e.text) for e in self.entries.get("not_yes", [])}
        hits = [h for h in hits if not (h.category == "yes" and " ".join(raw[h.start:h.end]) in unlike)]
        # "avasaram illa, pesalam": the illa negates avasaram; it is no answer of its own
        spent = {h.end for h in self.hits(text, ("danger", "danger_maybe", "distress")) if h.negated}
        hits = [h for h in hits if not (h.category == "no" and h.start in spent)]
        if any(h.category == "dont_know" and not h.negated for h in hits):
            return None  # 'maybe', 'not sure': ask again rather than guess
        if any(h.category == "no" and not h.negated or h.category == "yes" and h.negated for h in hits):
            return "no"
        if any(h.category == "yes" for h in hits):
            return "yes"
        return None

    def district(self, text: str, extra: dict[str, list[str]] | None = None) -> str | None:
        """The one district the message names (with endings: சென்னையில், Madurai district).
        Not one she says she is not in ("Madurai illa, Dindigul"); of two, the one after "now"
        ("Chennai la irundhen, ippo Madurai la"); a name that is an everyday word or a person's
        name too (`place_or_word`: theni is a bee, nagai jewellery) only as the whole answer, with
        an ending, or before "district"."""
        toks = keys(text)
        firsts = {t[0] for t in toks if t}  # as in hits(): a match starts with its name's first letter
        also_words = {e.words for e in self.entries.get("place_or_word", [])}
        found: dict[str, int] = {}  # district -> where its name ends
        for key, spellings in self._district_names(extra).items():
            for words in spellings:
                if words and words[0] and words[0][0] not in firsts:
                    continue
                for i in range(len(toks)):
                    if not self.phrase_at(toks, i, words) or self._negated(toks, Hit("", None, i, i + len(words))):
                        continue
                    bare = tuple(toks[i:i + len(words)]) == words  # no ending on it
                    after = toks[i + len(words)] if i + len(words) < len(toks) else ""
                    if words in also_words and bare and len(toks) > len(words) and after not in self.words_of("place_word"):
                        continue
                    found[key] = max(found.get(key, 0), i + len(words))
        if len(found) > 1:  # "ippo Madurai la": where she is now
            now = [h.start for h in self.hits(text, ("today",)) if not h.negated]
            if now:
                found = {k: end for k, end in found.items() if end > max(now)}
        return next(iter(found)) if len(found) == 1 else None

    def _district_names(self, extra: dict[str, list[str]] | None) -> dict[str, list[tuple[str, ...]]]:
        """The lexicon's districts with a flow's own names (`extra`), folded once per flow rather
        than at every message (they were half of an engine step)."""
        if not extra:
            return self.districts
        cached = self.cache.get(("districts", id(extra)))
        if cached is not None and cached[0] is extra:  # the same flow's names, still alive
            return cached[1]
        names = dict(self.districts)
        for key, others in extra.items():
            names.setdefault(key, [])
            names[key] = names[key] + [tuple(fold(w) for w in normalise(o).split()) for o in [key, *others]]
        self.cache[("districts", id(extra))] = (extra, names)
        return names

    def language_of(self, text: str, languages: list[str] | None = None) -> str | None:
        """The language a message is written in, when it shows one other than the default: mostly
        its script's letters, or Latin letters with enough of that language's own words (Tanglish)."""
        from hotline.i18n.text import script_share

        for lang, script in SCRIPT_OF.items():
            if (languages is None or lang in languages) and script_share(text, script) >= 0.5:
                return lang
        toks = [t for t in keys(text) if is_latin(t) and not t.isdigit()]
        if not toks:
            return None
        best, score = None, 0
        for lang, words in self._markers_by_letter().items():
            if languages is not None and lang not in languages:
                continue
            count = sum(1 for t in toks if any(self.word_matches(t, w) for w in words.get(t[0], ())))
            if count > score:
                best, score = lang, count
        guess, lead = self._model().guess(toks) if len(toks) > 1 else (None, 0.0)  # one word: a name, "ok"
        if best and (score >= 2 or score * 3 >= len(toks)):
            # unless the letters say plainly it is another language: English loanwords in
            # Tanglish phrases ("post", "photos") made "He threatened to post my photos" Tamil
            return None if guess and guess != best and lead >= VETO else best
        # the markers do not tell: the letters may ("vera level la irukku" has no marker word)
        if guess in self.markers and (languages is None or guess in languages) and lead >= LEAD:
            return guess
        return None

    def _model(self) -> Model:
        """The letters of each language's Latin-letter words and samples (built on first use)."""
        if "model" not in self.cache:
            texts: dict[str, list[tuple[str, ...]]] = {}
            for entries in self.entries.values():
                for e in entries:
                    if all(is_latin(w.rstrip("*")) for w in e.words):
                        texts.setdefault(e.lang, []).append(tuple(w.rstrip("*") for w in e.words))
            for lang, words in self.markers.items():
                texts.setdefault(lang, []).extend((w.rstrip("*"),) for w in sorted(words))
            for lang, lines in self.samples.items():
                texts.setdefault(lang, []).extend(tuple(t for t in keys(line) if is_latin(t)) for line in lines)
            self.cache["model"] = Model(texts)
        return self.cache["model"]

    def words_of(self, category: str) -> frozenset[str]:
        """A category's one-word entries, folded (a set to look a token up in)."""
        key = ("words", category)
        if key not in self.cache:
            self.cache[key] = frozenset(e.words[0] for e in self.entries.get(category, []) if len(e.words) == 1)
        return self.cache[key]

    def _entries_by_letter(self, category: str) -> dict[str, list[tuple[int, Entry]]]:
        """A category's entries, numbered in the file's order, by their first word's first letter
        ("" for an entry with none)."""
        key = ("entries", category)
        if key not in self.cache:
            self.cache[key] = _by_first_letter(enumerate(self.entries.get(category, [])),
                                               lambda numbered: numbered[1].words[0] if numbered[1].words else "")
        return self.cache[key]

    def _markers_by_letter(self) -> dict[str, dict[str, list[str]]]:
        """Each language's marker words by their first letter (an empty word, under "", matches
        no token's first letter)."""
        if "markers" not in self.cache:
            self.cache["markers"] = {lang: _by_first_letter(words) for lang, words in self.markers.items()}
        return self.cache["markers"]

    def spelled(self, text: str, word: str) -> bool:
        """Is the message this (English) word, in Latin letters or in another script's letters?
        ரெசிபி is RECIPE: both read r-s-p with like vowels."""
        said = normalise(text)
        target = normalise(word)
        if not said or not target:
            return False
        if said == target:
            return True
        if " " in said:
            return False
        if is_latin(said):  # misspelt in haste: recipie, receipe, resipi are RECIPE too
            return len(said) >= 4 and is_latin(target) and sound(said) == sound(target)
        for table in self.letters.values():
            latin = romanise(said, table)
            if latin and sound(latin) == sound(target):
                return True
        return False


THUMB_UP, THUMB_DOWN = "\U0001F44D", "\U0001F44E"  # 👍 and 👎, with any skin tone after them
BARE = 2  # words: a possible danger word this nearly alone is danger (shows)

SCRIPT_OF = {"ta": "TAMIL", "hi": "DEVANAGARI", "te": "TELUGU", "kn": "KANNADA", "ml": "MALAYALAM"}


@lru_cache(maxsize=64)
def keys(text: str) -> tuple[str, ...]:
    """A message's words as the lexicon matches them. One message is read many times over in a step
    (each handler's categories, yes/no, the district), so its keys are kept for the next reads."""
    if any(ch in EMOJI for ch in text):
        text = "".join(f" {EMOJI[ch]} " if ch in EMOJI else ch for ch in text)
    return tuple(fold(t) for t in normalise(text).split())


# Emoji that say a word (normalising drops them): "🔪🔪 help" has a knife in it. Only the
# unambiguous few; 🔥 is "great" in a film comment as often as fire.
EMOJI = {"\U0001F52A": "knife", "\U0001F5E1": "knife", "\U0001FA78": "blood", "\U0001F48A": "pills"}


def romanise(word: str, table: dict[str, str]) -> str | None:
    """Letters of a script in Latin, by a language's table: consonants carry 'a' unless a vowel
    sign or the virama follows."""
    out, i = [], 0
    while i < len(word):
        ch = word[i]
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch not in table:
            return None
        value = table[ch]
        if unicodedata.category(ch) == "Lo" and ch not in TAMIL_VOWEL_SIGNS and value and nxt and (
                unicodedata.category(nxt) == "Mn" or unicodedata.category(nxt) == "Mc"):
            out.append(value)  # the sign that follows gives the vowel (or none: the virama)
        elif unicodedata.category(ch) == "Lo" and ch not in TAMIL_VOWEL_SIGNS:
            out.append(value + "a")
        else:
            out.append(value)
        i += 1
    return "".join(out)


def sound(word: str) -> str:
    """A rough sound key of a Latin word: soft c is s, vowels reduced to a/i/u, a final e silent."""
    w = word.lower()
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k").replace("q", "k").replace("x", "ks")
    w = w.replace("ph", "p").replace("f", "p").replace("w", "v").replace("z", "s").replace("j", "s")
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1] + "i"
    w = re.sub(r"[eiy]", "i", w)
    w = re.sub(r"[ou]", "u", w)
    return _DOUBLE.sub(r"\1", w)


# -- loading --------------------------------------------------------------------------------------

def _phrase(text: str) -> tuple[str, ...]:
    """A word or phrase of the file as the matcher holds it: normalised, folded, stems kept."""
    words: list[str] = []
    for raw in text.split():
        parts = [fold(p) for p in normalise(raw.rstrip("*")).split()]
        if parts and raw.endswith("*"):
            parts[-1] += "*"
        words += parts
    return tuple(words)


def read_lexicon(folder: Path | str = LOCALES) -> Lexicon:
    lex = Lexicon()
    for path in sorted(Path(folder).glob(f"*/{FILE}")):
        lang = path.parent.name
        shown = str(path)
        try:
            data = load(read(shown), shown)
        except YAMLSourceError as exc:
            lex.problems += exc.problems
            continue
        if not isinstance(data, Map):
            lex.problems.append(Problem(shown, 1, "a lexicon is a mapping of categories to lists of words"))
            continue
        for key, value in data.items():
            line = data.line_of(key)
            if key in CATEGORIES:
                if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
                    lex.problems.append(Problem(shown, line, f"{key}: must be a list of words or phrases"))
                    continue
                if any(isinstance(v, bool) for v in value):  # bare yes/no/on/off: "no" was read as False
                    lex.problems.append(Problem(shown, line, f'{key}: put yes, no, on and off in quotes ("no"): '
                                                             "bare, YAML reads them as true and false"))
                    continue
                for item in value:
                    words = _phrase(str(item))
                    if not words:
                        lex.problems.append(Problem(shown, line, f'{key}: "{item}" has no letters'))
                        continue
                    if key == "markers":
                        lex.markers.setdefault(lang, set()).update(words)
                    else:
                        lex.entries.setdefault(key, []).append(Entry(words, lang, str(item)))
            elif key == "suffixes":
                lex.suffixes |= {fold(normalise(str(s))) if is_latin(normalise(str(s))) else str(s).strip()
                                 for s in value or []}
            elif key == "letters" and isinstance(value, dict):
                lex.letters[lang] = {str(k): str(v or "") for k, v in value.items()}
            elif key == "districts" and isinstance(value, dict):
                for dkey, names in value.items():
                    if not isinstance(names, list):
                        lex.problems.append(Problem(shown, value.line_of(dkey) if isinstance(value, Map) else line,
                                                    f"district {dkey}: must be a list of names"))
                        continue
                    lex.districts.setdefault(str(dkey), []).extend(_phrase(str(n)) for n in names)
                    if names:
                        lex.district_names.setdefault(lang, {})[str(dkey)] = str(names[0]).strip()
            elif key == "parts_of_day" and isinstance(value, dict):
                lex.parts[lang] = {str(k): dict(v) if isinstance(v, dict) else str(v) for k, v in value.items()}
            elif key not in OTHER_KEYS:
                known = ", ".join([*CATEGORIES, *sorted(OTHER_KEYS)])
                lex.problems.append(Problem(shown, line, f'unknown category "{key}" (known: {known})'))
    for path in sorted(Path(folder).glob(f"*/{SAMPLES}")):
        lex.samples[path.parent.name] = [line for line in read(str(path)).splitlines()
                                         if line.strip() and not line.startswith("#")]
    # a language's own words in Latin letters show it too, unless English has them
    english = {w for e in (x for xs in lex.entries.values() for x in xs) if e.lang == "en" for w in e.words}
    for category, items in lex.entries.items():
        if category in ("danger", "danger_maybe", "distress", "yes", "no", "negation", "dont_know", "tomorrow", "today",
                        "morning", "noon", "evening", "night"):
            for entry in items:
                if entry.lang != "en":
                    lex.markers.setdefault(entry.lang, set()).update(
                        w for w in entry.words if is_latin(w.rstrip("*")) and len(w) > 2 and w not in english)
    return lex


@lru_cache(maxsize=8)
def lexicon(folder: str = str(LOCALES)) -> Lexicon:
    return read_lexicon(folder)

"""Which language a message in Latin letters is written in, by its letters (#27): a character
n-gram naive Bayes model, built when the lexicons load from each language's words and sample
messages (locales/<lang>/lexicon.yaml, locales/<lang>/samples.txt). Tanglish spelling varies
(adikiraan, adikkiran, adhikiran) but shares most of its 2-4 letter pieces, which a list of
marker words misses: measured against the markers in docs/understanding.md.

Pure and deterministic: counts and logarithms, no download, no randomness.
"""

from __future__ import annotations

import math
from collections import Counter

SIZES = (2, 3, 4)


def grams(words: tuple[str, ...] | list[str]) -> list[str]:
    """The 2- to 4-letter pieces of each (normalised, folded) word, its ends marked."""
    out: list[str] = []
    for word in words:
        padded = f"<{word}>"
        for n in SIZES:
            out += [padded[i:i + n] for i in range(max(1, len(padded) - n + 1))]
    return out


class Model:
    """Multinomial naive Bayes with add-one smoothing and equal priors (a language is not more
    likely because it has more samples)."""

    def __init__(self, samples: dict[str, list[tuple[str, ...]]]):
        counts = {lang: Counter(g for words in texts for g in grams(words)) for lang, texts in samples.items()}
        size = len(set().union(*counts.values())) + 1 if counts else 1
        self.langs = sorted(counts)
        self.logp = {lang: {g: math.log((n + 1) / (sum(c.values()) + size)) for g, n in c.items()}
                     for lang, c in counts.items()}
        self.unseen = {lang: math.log(1 / (sum(c.values()) + size)) for lang, c in counts.items()}

    def guess(self, words: tuple[str, ...] | list[str]) -> tuple[str | None, float]:
        """The likeliest language and its lead over the next, per piece (0 when nothing to read)."""
        pieces = grams(words)
        if not pieces or len(self.langs) < 2:
            return (self.langs[0] if self.langs and pieces else None), 0.0
        scores = sorted(((sum(self.logp[lang].get(g, self.unseen[lang]) for g in pieces), lang)
                         for lang in self.langs), reverse=True)
        return scores[0][1], (scores[0][0] - scores[1][0]) / len(pieces)

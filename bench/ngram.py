"""A character n-gram classifier, for the comparison in docs/understanding.md (#27): multinomial
naive Bayes over the 2- to 4-letter pieces of each word (robust to Tanglish spelling: adikiraan,
adikkiran and adhikiran share most pieces), add-one smoothing, ties to the first label.
Deterministic, a few dozen lines, trained in milliseconds on the corpus' BUILD part; nothing
downloaded. Pure Python on purpose: scikit-learn would add numpy and scipy to measure this.
"""

from __future__ import annotations

import math
from collections import Counter

from hotline.i18n.lexicon import keys

SIZES = (2, 3, 4)


def grams(text: str) -> list[str]:
    out = []
    for word in keys(text):
        padded = f"<{word}>"
        for n in SIZES:
            out += [padded[i:i + n] for i in range(max(1, len(padded) - n + 1))]
    return out


class NaiveBayes:
    def __init__(self, examples: list[tuple[str, str]]):
        self.labels = sorted({label for _, label in examples})
        self.counts = {label: Counter() for label in self.labels}
        docs = Counter(label for _, label in examples)
        for text, label in examples:
            self.counts[label].update(grams(text))
        vocab = set().union(*self.counts.values())
        self.size = len(vocab) + 1
        self.totals = {label: sum(c.values()) for label, c in self.counts.items()}
        self.prior = {label: math.log(docs[label] / len(examples)) for label in self.labels}

    def scores(self, text: str) -> dict[str, float]:
        pieces = grams(text)
        return {label: self.prior[label] + sum(
            math.log((self.counts[label][g] + 1) / (self.totals[label] + self.size)) for g in pieces)
            for label in self.labels}

    def predict(self, text: str) -> str:
        scores = self.scores(text)
        return max(self.labels, key=lambda label: scores[label])

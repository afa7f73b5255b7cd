"""Write locales/<lang>/samples.txt, the sample messages in Latin letters the language model
(hotline/i18n/ngram.py) is built from: the BUILD part of eval/corpus only (bench/understanding.py),
never REPORT. Run again after the corpus or its split changes:
    .venv/bin/python bench/build_samples.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import understanding as u  # noqa: E402

HEADER = ("# Messages in Latin letters written in this language, from the BUILD part of eval/corpus\n"
          "# (bench/build_samples.py writes this file; hotline/i18n/ngram.py learns from it). One a line.\n")


def main() -> int:
    found: dict[str, list[str]] = {}
    for item in u.first_contact("build") + u.answers("build"):
        if item["script"] == "latin" and any(ch.isalpha() for ch in item["text"]):
            text = " ".join(item["text"].split())
            if text not in found.setdefault(item["lang"], []):
                found[item["lang"]].append(text)
    for lang, texts in sorted(found.items()):
        path = u.ROOT / "locales" / lang / "samples.txt"
        path.write_text(HEADER + "\n".join(texts) + "\n", encoding="utf-8")
        print(f"{path.relative_to(u.ROOT)}: {len(texts)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

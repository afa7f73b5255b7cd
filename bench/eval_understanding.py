"""`make eval`: how well the line understands her words, on the REPORT part of the corpus and on
real comments (bench/understanding.py says how each is used). Prints the figures and writes them
to docs/understanding.md with the date and the commit.

Run: .venv/bin/python bench/eval_understanding.py [--part build|report] [--no-write]
The full DravidianCodeMix Tamil dev file: HOTLINE_CODEMIX=/path/tamil_sentiment_full_dev.csv
(without it, the 1,000-comment sample in eval/codemix/).
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import understanding as u  # noqa: E402

LABELS = ("immediate", "possible", "none")
MARK = "<!-- figures: written by make eval -->"


def pct(a: float) -> str:
    return f"{100 * a:.1f}%"


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=u.ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=u.ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(part: str) -> list[str]:
    out = [f"Measured {datetime.date.today().isoformat()} at commit {commit()}, on the {part.upper()} part "
           f"(split seed `{u.SEED}`, bench/understanding.py).", ""]
    items = u.first_contact(part)
    d = u.danger_figures(items)
    out += [f"### Danger in a first message ({len(items)} messages)", "",
            f"- immediate danger that opened an escalation (recall): **{pct(d.escalated_recall)}**; "
            f"that opened one or got the question \"Are you safe right now?\": {pct(d.reached_recall)}",
            f"- escalations whose message showed danger, immediate or possible (precision): "
            f"**{pct(d.escalated_precision)}**; emergencies that were immediate danger: {pct(d.emergency_precision)}",
            f"- ordinary messages (none) that opened an escalation: **{pct(d.false_escalation)}**; "
            f"that put the emergency numbers on her screen: {pct(d.numbers_on_none)}; that got the question "
            f"only (nobody paged): {pct(d.asked_on_none)}", "",
            "| label \\ the line did | " + " | ".join(LABELS) + " | precision | recall |",
            "|---|" + "---|" * (len(LABELS) + 2)]
    counts = Counter(d.pairs)
    for label in LABELS:
        p, r, _ = u.prf(d.pairs, label)
        out.append(f"| {label} | " + " | ".join(str(counts[(label, did)]) for did in LABELS)
                   + f" | {pct(p)} | {pct(r)} |")
    out += ["", "(the line did: immediate = an emergency escalation; possible = an alert below emergency "
            "or the safety question; none = neither)", ""]
    out += ["### What the line did, per intent", "",
            "| intent | " + " | ".join(u.INTENT_DID) + " |", "|---|" + "---|" * len(u.INTENT_DID)]
    for intent, counts in sorted(u.intents(items).items()):
        out.append(f"| {intent} | " + " | ".join(str(counts[d]) for d in u.INTENT_DID) + " |")
    out += ["", "(counsellor: a counsellor asked for at once, from her words of fear or abuse or her asking)", ""]
    langs = Counter((s if lang == "ta" else "english", lang == got) for s, lang, got in d.lang_pairs)
    out += ["### Language of the first reply", ""]
    for kind, name in (("latin", "Tanglish"), ("tamil", "Tamil script"), ("mixed", "mixed scripts"),
                       ("english", "English")):
        right, wrong = langs[(kind, True)], langs[(kind, False)]
        if right + wrong:
            out.append(f"- {name}: {right} of {right + wrong} answered in her language ({pct(right / (right + wrong))})")
    a = u.answer_figures(u.answers(part))
    m_right, m_total, _ = u.menu_figures(u.answers(part))
    out += ["", "### Answers at each question", "", "| question | right | of | share |", "|---|---|---|---|"]
    for q in ("safe_to_talk", "callback_time", "district", "police_visit_when"):
        r, n = a.right.get(q, (0, 0))
        out.append(f"| {q} | {r} | {n} | {pct(r / n) if n else '-'} |")
    out.append(f"| menu (the line's five options) | {m_right} | {m_total} | {pct(m_right / m_total) if m_total else '-'} |")
    out += ["", f"Call-back times booked for a day she did not give: **{a.wrong_day}** (a day past tomorrow is "
            "asked again, never booked for today).", "",
            f"Safe to talk: a \"no\" read as \"yes\": **{a.no_read_as_yes}**. Confusion (label → read):", ""]
    out += [f"- {label} → {read}: {n}" for (label, read), n in sorted(a.yesno.items())]
    texts = u.codemix()
    c = u.codemix_figures(texts)
    source = os.environ.get("HOTLINE_CODEMIX") or "eval/codemix/tamil_dev_sample.txt (1,000 of 4,398)"
    out += ["", f"### Real comments: DravidianCodeMix Tamil dev ({c.total} comments, {source})", "",
            f"- opened an escalation: **{c.escalated} ({pct(c.escalated / c.total)})**, of them emergencies: "
            f"{c.emergencies}; emergency numbers shown: {c.numbers}; the safety question only (nobody paged): "
            f"{c.asked} ({pct(c.asked / c.total)})",
            f"- comments in Latin letters answered in Tamil: **{c.latin_in_tamil} of {c.latin} "
            f"({pct(c.latin_in_tamil / c.latin if c.latin else 0)})** (some of these comments are plain English)"]
    if c.examples:
        out += ["", "Escalated comments (first few):", ""] + [f"- {e}" for e in c.examples]
    out += ["", "### Approaches compared (same REPORT part; models trained on BUILD only)", ""]
    for title, rows in (("Danger: is there any (immediate or possible)?", u.compare_danger(part)),
                        ("Language of a message in Latin letters", u.compare_language(part))):
        keys = list(rows[0][1])
        out += [f"{title}", "", "| approach | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        out += [f"| {name} | " + " | ".join(pct(v) for v in figures.values()) + " |" for name, figures in rows]
        out.append("")
    step = u.step_median_us()
    load = u.load_ms()
    out += ["", "### Cost", "", f"- engine step median (bench/engine.py's conversation): **{step:.1f} µs** (target ≤ 200 µs)",
            f"- loading every flow: {load:.0f} ms (target ≤ 300 ms)"]
    return out


def write(lines: list[str]) -> None:
    path = u.ROOT / "docs" / "understanding.md"
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Understanding her words\n\n{MARK}\n"
    head = text.split(MARK)[0]
    path.write_text(head + MARK + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("build", "report"), default="report")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    lines = report(args.part)
    print("\n".join(lines))
    if not args.no_write and args.part == "report":
        write(lines)
        print("\nwritten to docs/understanding.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

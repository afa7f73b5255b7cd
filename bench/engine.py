"""Engine benchmark: the pure `step` on the shipped survivor flow, loading every flow, and the size
of the state the host keeps between messages.

Prints each figure beside its target (issue: step median < 50 µs, all flows load < 100 ms,
state < 1 KB). It reports; it never fails. Run: .venv/bin/python bench/engine.py [--steps N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotline import engine  # noqa: E402

FLOWS = ROOT / "flows"
FACTS = {"safe_word": "recipe", "channel": "sms", "local_time": "14:00",
         "on_shift": {"counsellor": ["en", "ta"], "ngo": ["en", "ta"]}}

# A realistic mix: menu numbers, words, Tamil, typed answers (districts, time windows), wrong
# answers and re-asks, keywords (URGENT, MENU), a language switch, and now and then the safe word,
# which ends the conversation so that the next message starts a new one.
CONVERSATION = [
    "hi", "1", "yes",
    "2", "1", "Chennai",
    "2", "2", "மதுரை",
    "3", "whenever", "4-6pm",
    "2", "4", "somewhere", "nowhere", "what",
    "4", "blah", "1",
    "தமிழ்", "2", "5", "திருச்சி",
    "3", "மாலை 4 - 6",
    "URGENT", "MENU", "2", "0", "help",
    "recipe",
]


def bench_steps(flows: engine.FlowSet, steps: int) -> tuple[list[float], list[int]]:
    """Seconds per step, and the size of each state kept, over `steps` steps."""
    timings: list[float] = []
    sizes: list[int] = []
    state = None
    at = 1_767_261_600.0
    step, event = engine.step, engine.Event
    while len(timings) < steps:
        for text in CONVERSATION:
            at += 30
            ev = event(text=text, at=at, flow="survivor", facts=FACTS)
            started = time.perf_counter()
            result = step(flows, state, ev)
            timings.append(time.perf_counter() - started)
            if result.state is None:
                state = None
                continue
            kept = json.dumps(result.state, ensure_ascii=False, separators=(",", ":"))
            sizes.append(len(kept.encode("utf-8")))
            state = json.loads(kept)  # as the host keeps it between messages
    return timings, sizes


def bench_load(rounds: int) -> tuple[list[float], int]:
    timings = []
    count = 0
    for _ in range(rounds):
        started = time.perf_counter()
        flows, problems = engine.load(FLOWS)
        timings.append(time.perf_counter() - started)
        if problems:
            raise SystemExit("the shipped flows have problems: run hotline flows check flows/")
        count = len(flows)
    return timings, count


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30_000)
    parser.add_argument("--loads", type=int, default=15)
    args = parser.parse_args()

    flows, problems = engine.load(FLOWS)
    if problems:
        raise SystemExit("the shipped flows have problems: run hotline flows check flows/")
    bench_steps(flows, 2_000)  # warm up

    step_times, sizes = bench_steps(flows, args.steps)
    median_us = statistics.median(step_times) * 1e6
    p99_us = statistics.quantiles(step_times, n=100)[98] * 1e6
    load_times, count = bench_load(args.loads)
    load_ms = statistics.median(load_times) * 1e3
    largest = max(sizes)

    print(f"engine step, survivor flow ({len(step_times)} steps): median {median_us:.1f} µs "
          f"(p99 {p99_us:.1f} µs)    target < 50 µs    {verdict(median_us < 50)}")
    print(f"load all flows ({count} flows, median of {len(load_times)} loads): {load_ms:.1f} ms"
          f"    target < 100 ms    {verdict(load_ms < 100)}")
    print(f"state as JSON: {largest} bytes at most (median {statistics.median(sizes):.0f})"
          f"    target < 1 KB (1024 bytes)    {verdict(largest < 1024)}")
    print("RESULT " + json.dumps({"step_median_us": round(median_us, 1), "step_p99_us": round(p99_us, 1),
                                  "steps": len(step_times), "load_ms": round(load_ms, 1), "flows": count,
                                  "state_bytes_max": largest, "state_bytes_median": statistics.median(sizes)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

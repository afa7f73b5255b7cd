"""`make bench`: every benchmark in bench/, each figure beside its target, written to
bench/RESULTS.md (the README's performance section quotes it).

    engine.py      the pure engine: step time, flows load time, state size
    webhook.py     signed SMS steps through gunicorn against a bare Flask TwiML endpoint
    escalation.py  request -> first alert, and the chain's timers against their due time, with N real
                   `hotline worker` processes, on PostgreSQL and SQLite
    memory.py      Redis memory per live conversation, 10,000 of them

Each script prints its own report and a last line `RESULT {json}`; this collects them. It reports,
it never fails on a figure over its target (the table says so). Run: .venv/bin/python bench/run.py
[--quick] (--quick: shorter runs, for trying the harness; the figures are then rougher)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run(script: str, *args: str) -> dict:
    print(f"\n== {script} {' '.join(args)}", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(HERE / script), *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    result, lines = None, []
    for line in proc.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
            continue
        if "webhook signatures are NOT checked" in line or "local outbox" in line or "are not set: /exotel" in line:
            continue  # the demo-mode notice of every app the scripts start
        lines.append(line.rstrip())
        print(line, end="", flush=True)
    if proc.wait() != 0 or result is None:
        raise SystemExit(f"{script} failed (exit {proc.returncode})")
    result["_seconds"] = round(time.monotonic() - started)
    result["load"] = load()  # the machine's load average as the script ended
    result["_report"] = lines
    return result


def row(figure: str, measured: str, target: str, ok: bool | None) -> str:
    verdict = "—" if ok is None else ("ok" if ok else "**missed**")
    return f"| {figure} | {measured} | {target} | {verdict} |"


def postgres_url(given: str | None) -> str | None:
    """The benchmark's PostgreSQL database: --database-url, else $BENCH_DATABASE_URL, else
    `hotline_bench` on the local server (postgres@127.0.0.1:5432, created when missing); None when
    there is no server to reach (the PostgreSQL rows then say they were not run)."""
    url = given or os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'hotline_bench'").fetchone():
                conn.execute("CREATE DATABASE hotline_bench")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: SQLite only
        print(f"no PostgreSQL for the escalation benchmark ({type(exc).__name__}): SQLite only", flush=True)
        return None
    return "postgresql://postgres@127.0.0.1:5432/hotline_bench"


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--database-url", default=None, help="PostgreSQL for the escalation runs (emptied; "
                        "its name must contain 'bench'); default $BENCH_DATABASE_URL, else hotline_bench locally")
    args = parser.parse_args()
    quick = args.quick
    pg = postgres_url(args.database_url)
    started = time.monotonic()

    engine = run("engine.py", *(["--steps", "5000", "--loads", "5"] if quick else []))
    webhook = run("webhook.py", *(["--seconds", "2", "--rounds", "1"] if quick else []))
    # request -> first alert, and the timers, with real `hotline worker` processes: 20 a second with
    # 2 workers (the target), 50 a second with 4 (reported), on PostgreSQL (production) and SQLite
    seconds = {20: 3, 50: 2} if quick else {20: 8, 50: 6}  # of requests; make bench stays within ~6 minutes
    plan = [(20, 2, "PostgreSQL"), (20, 2, "SQLite"), (50, 4, "PostgreSQL"), (50, 4, "SQLite")]
    escalations = []
    for rate, workers, database in plan:
        if database == "PostgreSQL" and not pg:
            escalations.append({"rate": rate, "workers": workers, "database": database, "skipped": True})
            continue
        escalations.append(run("escalation.py", "--rate", str(rate), "--workers", str(workers),
                               "--survivors", str(rate * seconds[rate]),
                               *(["--database-url", pg] if database == "PostgreSQL" else [])))
    # the lateness meter's own check: every worker stopped 2 s once the requests are in, so the
    # timers due meanwhile must come out about 2 s late (RQ's whole seconds: at least 1 s)
    meter = run("escalation.py", "--rate", "5", "--workers", "1", "--survivors", "10", "--stall", "2")
    memory = run("memory.py", *(["--callers", "1000"] if quick else []))

    def esc_rows(e: dict) -> list[str]:
        what = f"{e['rate']:g} a second, {e['workers']} workers, {e['database']}"
        if e.get("skipped"):
            return [row(f"escalation: request → first alert, {what}", "not run (no PostgreSQL)", "", None)]
        target = e["rate"] <= 20
        return [
            row(f"escalation: request → first alert handed to the transport, p50 / p99, {what}",
                f"{e['first_alert_p50_ms']:.0f} / {e['first_alert_p99_ms']:.0f} ms ({e['escalations']} escalations; "
                f"requests at {e['achieved_rate']:g}/s achieved; load {e['load']})",
                "p99 < 500 ms" if target else "(reported)", e["first_alert_p99_ms"] < 500 if target else None),
            row(f"escalation timers: lateness against the due time, p50 / p99 / max, {what}",
                f"{e['timer_late_p50_ms']:.0f} / {e['timer_late_p99_ms']:.0f} / {e['timer_late_max_ms']:.0f} ms "
                f"({e['timers']} timers; earliest {-e['timer_early_max_ms']:.0f} ms)" if e["timers"] else "no timer ran",
                "max ≤ 1 s late", bool(e["timers"]) and e["timer_late_max_ms"] <= 1000),
        ]

    rows = [
        row("engine step, median (survivor flow)", f"{engine['step_median_us']:.1f} µs "
            f"(p99 {engine['step_p99_us']:.1f} µs)", "< 50 µs", engine["step_median_us"] < 50),
        row(f"all flows load ({engine['flows']} flows)", f"{engine['load_ms']:.1f} ms", "< 100 ms",
            engine["load_ms"] < 100),
        row("conversation state as JSON, largest", f"{engine['state_bytes_max']} bytes", "< 1 KB",
            engine["state_bytes_max"] < 1024),
        row("webhook: signed SMS step / bare Flask TwiML, throughput",
            f"{webhook['ratio']:.2f} ({webhook['step_rps']} / {webhook['bare_rps']} req/s; rounds "
            f"{', '.join(f'{r:.2f}' for r in webhook['ratios'])}; load {webhook['load']})", "≥ 0.5",
            webhook["ratio"] >= 0.5),
        row("webhook: SMS step p50 / p99 at half of peak",
            f"{webhook['step_p50_ms']:.1f} / {webhook['step_p99_ms']:.1f} ms (at {webhook['step_rps'] // 2} req/s)",
            "p99 < 25 ms", webhook["step_p99_ms"] < 25),
        row("webhook: bare endpoint p50 / p99 at half of its peak",
            f"{webhook['bare_p50_ms']:.1f} / {webhook['bare_p99_ms']:.1f} ms (at {webhook['bare_rps'] // 2} req/s)",
            "(baseline)", None),
        *[line for e in escalations for line in esc_rows(e)],
        row("timer lateness meter check: workers stopped 2 s, max lateness",
            f"{meter['timer_late_max_ms']:.0f} ms ({meter['timers']} timers)" if meter["timers"] else "no timer ran",
            "≥ 1 s (it shows a late timer)", bool(meter["timers"]) and meter["timer_late_max_ms"] >= 1000),
        row(f"Redis memory per live conversation ({memory['live_conversations']:,} live, "
            f"{memory['messages']} messages each)", f"{memory['memory_per_conversation_bytes']:,} bytes",
            "(no target: reported)", None),
    ]
    keys = ", ".join(f"{kind} {n:,} × ~{size} B" for kind, (n, size) in sorted(memory["keys"].items()))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    text = [
        "# Benchmark results",
        "",
        f"`make bench` ({'--quick, ' if quick else ''}{when}; {machine}; {round(time.monotonic() - started)} s in all; "
        "load generator, server, Redis, PostgreSQL and the workers share the cores, and the load average "
        "(1 / 5 min, beside each figure) says what else ran). Each figure beside its target from the issues.",
        "",
        "| figure | measured | target | |",
        "|---|---|---|---|",
        *rows,
        "",
        f"Redis keys behind the memory figure: {keys} (`MEMORY USAGE`; `sid` is the reply kept a day under "
        "each MessageSid for Twilio's retries, `lang` the language remembered for her number a year).",
        "",
        "## The scripts' own reports",
        "",
    ]
    reports = [("engine.py", engine), ("webhook.py", webhook)]
    reports += [(f"escalation.py --rate {e['rate']:g} --workers {e['workers']} ({e['database']})", e)
                for e in escalations if not e.get("skipped")]
    reports += [("escalation.py --rate 5 --workers 1 --stall 2 (the meter check)", meter), ("memory.py", memory)]
    for name, result in reports:
        text += [f"`bench/{name}` ({result['_seconds']} s, load {result['load']}):", "", "```",
                 *result["_report"], "```", ""]
    Path(args.out).write_text("\n".join(text), encoding="utf-8")
    print("\n" + "\n".join(["| figure | measured | target | |", "|---|---|---|---|", *rows]))
    print(f"\nwritten to {os.path.relpath(args.out, ROOT)} ({round(time.monotonic() - started)} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

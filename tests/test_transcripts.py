"""The flows' transcript tests (flows/tests/*.yaml), each case its own pytest test, and the
`hotline flows test` command that runs them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hotline import engine
from hotline.engine import transcripts

from .cli import cli

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
TRANSCRIPTS = sorted((FLOWS / "tests").glob("*.yaml"))
SHIPPED = ("survivor", "police", "staff")


def _collect():
    cases, ids, problems = [], [], []
    for path in TRANSCRIPTS:
        found, trouble = transcripts.read_cases(str(path))
        problems += trouble
        for case in found:
            cases.append(case)
            ids.append(f"{path.name}::{case.name}")
    return cases, ids, problems


CASES, IDS, PROBLEMS = _collect()


@pytest.fixture(scope="module")
def flows():
    loaded, problems = engine.load(FLOWS)
    assert not problems, "\n".join(map(str, problems))
    return loaded


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_transcript(flows, case):
    failure = transcripts.run_case(flows, case)
    if failure is not None:
        pytest.fail(str(failure), pytrace=False)


def test_every_shipped_flow_has_transcripts():
    assert {p.stem for p in TRANSCRIPTS} >= set(SHIPPED)
    for name in SHIPPED:
        assert any(c.flow == name for c in CASES), f"no transcript test walks the {name} flow"


def test_transcript_files_are_well_formed():
    assert not PROBLEMS, "\n".join(map(str, PROBLEMS))


def test_test_names_are_unique():
    duplicates = sorted({i for i in IDS if IDS.count(i) > 1})
    assert not duplicates, f"two tests share a name: {duplicates}"


def _hotline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("hotline")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hotline.cli.main"]
    return subprocess.run(command + list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


def test_hotline_flows_test_passes():
    """The real console script: its exit status and its output."""
    done = _hotline("flows", "test", "flows/", cwd=ROOT)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(rf"^{len(CASES)} passed, 0 failed$", done.stdout, re.M), output
    assert "FAIL" not in output


WRONG = """\
flow: survivor
facts: {safe_word: recipe, on_shift: {counsellor: [en, ta]}}
tests:
  - name: right answers
    steps:
      - send: hello
        reply: [choose_language]
      - send: 1
        reply: [safe_to_talk]
  - name: wrong answer at the second step
    steps:
      - send: hello
        reply: [choose_language]
      - send: 1
        reply: [main_menu]
"""
WRONG_STEP_LINE = 14  # the line of `- send: 1` in the second test


def test_hotline_flows_test_names_a_failing_step(tmp_path, monkeypatch):
    for flow in FLOWS.glob("*.yaml"):
        shutil.copy(flow, tmp_path / flow.name)
    (tmp_path / "tests").mkdir()
    transcript = tmp_path / "tests" / "wrong.yaml"
    transcript.write_text(WRONG, encoding="utf-8")
    assert WRONG.splitlines()[WRONG_STEP_LINE - 1].strip() == "- send: 1"

    monkeypatch.chdir(ROOT)
    done = cli("flows", "test", str(tmp_path))  # in this process (click's CliRunner)
    output = done.stdout + done.stderr
    assert done.exit_code == 1, output
    assert "1 passed, 1 failed" in output
    assert f"{transcript}:{WRONG_STEP_LINE}:" in output
    assert 'test "wrong answer at the second step"' in output
    assert 'step 2 (send "1")' in output
    assert "main_menu" in output and "safe_to_talk" in output
    assert 'test "right answers"' not in output

"""`hotline chat`: a terminal conversation through the same engine and renderers as the webhooks.

The conversations run the command in this process (click's CliRunner: its standard input and
output are the test's); one, in Tamil, runs the real `hotline` through a pipe, as a terminal
would: the command as installed, and its text in and out as UTF-8."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # where the command is run from: its flows/ are the shipped ones


def chat(*args: str, lines: list[str]) -> str:
    done = cli("chat", *args, input="\n".join(lines) + "\n")
    assert done.exit_code == 0, done.stderr
    return done.stdout


def real_chat(*args: str, lines: list[str]) -> str:
    done = subprocess.run([sys.executable, "-m", "hotline.cli.main", "chat", *args], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_new_user_walks_the_survivor_flow_to_an_escalation():
    out = chat(lines=["hello", "1", "yes", "1"])
    assert "Choose a language" in out and "Is it safe for you to talk now?" in out
    assert "[action] escalate {'priority': 'high', 'reason': 'counsellor requested', 'role': 'counsellor'" in out
    assert "A counsellor will text you from this number soon." in out


def test_tamil_and_the_safe_word():
    out = real_chat(lines=["வணக்கம்", "recipe"])
    assert "பாதுகாப்பா" in out or "பாதுகாப்பு" in out  # asked in Tamil whether it is safe to talk
    assert "[action] forget" in out and "[the conversation ended]" in out


def test_voice_shows_the_keypad_and_silence_is_no_input():
    out = chat("--voice", lines=["", "1", ""])
    assert "[press 1]" in out and "[say en]" in out
    assert "We did not hear anything." in out


def test_a_police_number_talks_to_the_police_flow():
    out = chat("--from", "+91 98400 00005", lines=["1", "Madurai", "1", "CR 9", "1"])
    assert "[action] request_accompaniment {'area': 'madurai', 'when': 'now', 'date': '', 'case_ref': 'CR 9', 'language': 'ta'" in out

"""The README an NGO operator follows (#21): nothing outside the repository, and the names it
tells her to give `hotline staff set-password` are people of the sample staff file."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_points_at_nothing_outside_the_repository():
    assert "../" not in README and "DESIGN.md" not in README
    for link in re.findall(r"\]\(([^)#]+)\)|src=\"([^\"]+)\"", README):
        target = next(part for part in link if part)
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target


def test_the_readme_says_what_the_first_run_takes_and_what_the_simulator_cannot_do():
    assert "### Your first run" in README and "3 minutes" in README
    assert "What the simulator's phones can do" in README and "What they cannot do" in README


def test_every_set_password_example_names_someone_in_the_sample_staff_file():
    people = yaml.safe_load((ROOT / "examples" / "staff.yaml").read_text(encoding="utf-8"))["staff"]
    names = {p["name"].lower() for p in people}
    examples = re.findall(r"hotline staff set-password ([A-Z][a-z]+)\b", README)
    assert examples and all(name.lower() in names for name in examples), examples

"""All the flows of a hotline, and the versions that conversations in progress still use."""

from __future__ import annotations

import os
from pathlib import Path

from hotline.config.yamlsource import Problem
from hotline.engine.linter import lint_flow, lint_set
from hotline.engine.loader import load_file, load_text
from hotline.engine.model import Flow
from hotline.i18n.lexicon import LOCALES, Lexicon, lexicon

KEEP_VERSIONS = 20  # old versions kept per flow for conversations started before an edit


class FlowSet:
    def __init__(self, flows: dict[str, Flow] | None = None, words: Lexicon | None = None):
        self.flows: dict[str, Flow] = dict(flows or {})
        self.lexicon: Lexicon = words if words is not None else lexicon(str(LOCALES))
        self._versions: dict[str, dict[str, Flow]] = {}
        for flow in self.flows.values():
            self._remember(flow)

    def _remember(self, flow: Flow) -> None:
        versions = self._versions.setdefault(flow.name, {})
        versions[flow.version] = flow
        while len(versions) > KEEP_VERSIONS:
            versions.pop(next(iter(versions)))

    def __contains__(self, name: str) -> bool:
        return name in self.flows

    def __len__(self) -> int:
        return len(self.flows)

    def get(self, name: str, version: str | None = None) -> Flow | None:
        """The flow at a version (the current one when that version is no longer known)."""
        if version and version in self._versions.get(name, {}):
            return self._versions[name][version]
        return self.flows.get(name)

    def replace(self, other: FlowSet) -> None:
        """Take the flows of a reload, keeping old versions for conversations in progress."""
        for flow in other.flows.values():
            self._remember(flow)
        self.flows = dict(other.flows)
        self.lexicon = other.lexicon


def flow_files(path: str | os.PathLike) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    return sorted(p for p in path.glob("*.yaml") if p.is_file())


def load(path: str | os.PathLike) -> tuple[FlowSet, list[Problem]]:
    """Every flow under `path` (a folder or one file), checked and linted."""
    problems: list[Problem] = []
    flows: dict[str, Flow] = {}
    files = flow_files(path)
    if not files:
        problems.append(Problem(str(path), 1, "no flow files (*.yaml) here"))
    for file in files:
        flow, found = load_file(str(file))
        problems += found
        if flow is None:
            continue
        if flow.name and flow.name != file.stem:
            problems.append(Problem(str(file), flow.line, f'flow "{flow.name}" must live in {flow.name}.yaml'))
        if flow.name in flows:
            problems.append(Problem(str(file), flow.line, f'flow "{flow.name}" is defined twice (also in {flows[flow.name].file})'))
            continue
        problems += lint_flow(flow)
        flows[flow.name] = flow
    problems += lint_set(flows)
    words = lexicon(str(lexicon_folder(path)))
    problems += words.problems
    return FlowSet(flows, words), problems


def lexicon_folder(path: str | os.PathLike) -> Path:
    """The locales/ beside a flows folder (its lexicons), else the hotline's own."""
    p = Path(path)
    folder = (p.parent if p.is_file() else p).resolve().parent / "locales"
    return folder if folder.is_dir() else LOCALES


def load_one(text: str, file: str = "<flow>") -> tuple[Flow | None, list[Problem]]:
    """A single flow from text (tests and benchmarks)."""
    flow, problems = load_text(text, file)
    if flow is not None:
        problems += lint_flow(flow)
    return flow, problems

"""What every node kind offers: its fields, its checks, where it leads, and how it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotline.config import schema
from hotline.config.yamlsource import Problem
from hotline.engine.model import Node

if TYPE_CHECKING:
    from hotline.engine.stepper import Run


class NodeKind:
    name = ""
    doc = ""
    fields: dict[str, schema.Check] = {}
    required: tuple[str, ...] = ()
    waits = False  # True: the node stops and waits for the caller's answer

    def check(self, node: Node, file: str, problems: list[Problem]) -> None:
        """Checks beyond the types of the fields; parsed parts go into node.data."""

    def targets(self, node: Node) -> list[tuple[str, int, str]]:
        """(node id, line, what leads there) for every node this one can go to."""
        if "next" in node.spec:
            return [(node.spec["next"], node.line_of("next"), "next")]
        return []

    def enter(self, run: Run, node: Node) -> None:
        raise NotImplementedError

    def receive(self, run: Run, node: Node, text: str) -> bool:
        """Waiting nodes: take the caller's answer; False when it cannot be understood."""
        raise NotImplementedError


RETRY_FIELDS: dict[str, schema.Check] = {
    "retries": schema.integer,
    "invalid": schema.ident,
    "no_input": schema.ident,
    "fallback": schema.ident,
}

"""ask: a question with a typed answer, saved in a variable; waits for the caller.

    ask_window:
      kind: ask
      say: ask_safe_time
      answer: time_window      # text | number | yesno | time | time_window | phone | district
      save: callback_window
      next: confirm_callback
      retries: 2
      invalid: time_not_understood
      fallback: main_menu
"""

from __future__ import annotations

from .. import schema
from ..answers import PARSERS
from .base import RETRY_FIELDS, NodeKind


class Ask(NodeKind):
    name = "ask"
    doc = "a question with a typed answer, saved in a variable; waits for the caller"
    fields = {
        "say": schema.ids,
        "answer": schema.one_of(*PARSERS),
        "save": schema.ident,
        "next": schema.ident,
        **RETRY_FIELDS,
    }
    required = ("say", "answer", "save", "next", "fallback")
    waits = True

    def targets(self, node):
        found = super().targets(node)
        if "fallback" in node.spec:
            found.append((node.spec["fallback"], node.line_of("fallback"), "fallback"))
        return found

    def enter(self, run, node):
        run.prompt(node.spec["say"], choices=[], answer=node.spec["answer"])

    def receive(self, run, node, text):
        parser = PARSERS[node.spec["answer"]]
        value = parser(text, region=run.flow.region, districts=run.flow.districts)
        if value is None:
            return False
        run.assign({node.spec["save"]: value})
        run.goto(node.spec["next"])
        return True

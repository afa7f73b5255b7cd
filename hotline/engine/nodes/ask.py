"""ask: a question with a typed answer, saved in a variable; waits for the caller.

    ask_window:
      kind: ask
      say: ask_safe_time
      answer: time_window      # text | number | yesno | time | time_window | half_of_day | phone | district
      save: callback_window    # what else the answer tells goes in callback_window_<key> (the day)
      next: confirm_callback
      unclear: ask_half        # optional: an answer a person would ask about ('4-6': morning or
                               # evening?) is saved as read, and the caller goes here
      dont_know: send_any      # optional: "I don't know", "I won't say" (the lexicons' dont_know)
                               # skip the question to here
      retries: 2
      invalid: time_not_understood
      fallback: main_menu
"""

from __future__ import annotations

from hotline.config import schema
from hotline.engine.answers import PARSERS, Answer
from hotline.engine.nodes.base import RETRY_FIELDS, NodeKind


class Ask(NodeKind):
    name = "ask"
    doc = "a question with a typed answer, saved in a variable; waits for the caller"
    fields = {
        "say": schema.ids,
        "answer": schema.one_of(*PARSERS),
        "save": schema.ident,
        "next": schema.ident,
        "unclear": schema.ident,
        "dont_know": schema.ident,
        **RETRY_FIELDS,
    }
    required = ("say", "answer", "save", "next", "fallback")
    waits = True

    def targets(self, node):
        found = super().targets(node)
        for key in ("fallback", "unclear", "dont_know"):
            if key in node.spec:
                found.append((node.spec[key], node.line_of(key), key))
        return found

    def enter(self, run, node):
        run.prompt(node.spec["say"], choices=[], answer=node.spec["answer"])

    def receive(self, run, node, text):
        parser = PARSERS[node.spec["answer"]]
        save = node.spec["save"]
        value = parser(text, region=run.flow.region, districts=run.flow.districts, lexicon=run.flows.lexicon,
                       now=run.facts.get("local_time"), today=run.facts.get("local_date"), current=run.vars.get(save),
                       said=run.vars.get(f"{save}_said"))
        if value is None:
            if "dont_know" in node.spec and run.flows.lexicon.shows(text, "dont_know"):
                run.goto(node.spec["dont_know"])
                return True
            return False
        run.assign({save: str(value) if isinstance(value, Answer) else value})
        if isinstance(value, Answer):
            run.assign({f"{save}_{key}": item for key, item in value.more.items()})
            if value.unclear and "unclear" in node.spec:
                run.goto(node.spec["unclear"])
                return True
        run.goto(node.spec["next"])
        return True

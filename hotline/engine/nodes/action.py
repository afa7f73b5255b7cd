"""action: raise actions for the host to carry out (escalate, send resources, …), then go on.

    get_counsellor:
      kind: action
      do:
        - escalate: {priority: high, reason: counsellor requested, role: counsellor}
      say: counsellor_coming
      next: main_menu
"""

from hotline.config import schema
from hotline.engine import effects
from hotline.engine.nodes.base import NodeKind


class Action(NodeKind):
    name = "action"
    doc = "raise actions for the host to carry out, then go on"
    fields = {"do": schema.sequence, "say": schema.ids, "next": schema.ident}
    required = ("do", "next")

    def check(self, node, file, problems):
        node.data["actions"] = parse_actions(node.spec["do"], file, problems)

    def enter(self, run, node):
        for action in node.data["actions"]:
            run.act(action)
        if "say" in node.spec:
            run.say(node.spec["say"])
        run.goto(node.spec["next"])


def parse_actions(raw, file, problems):
    parsed = (effects.parse(item, file, raw.line_of(i), problems) for i, item in enumerate(raw))
    return [a for a in parsed if a is not None]

"""message: say one or more messages, then go on.

    welcome:
      kind: message
      say: [welcome, privacy]
      next: language
"""

from hotline.config import schema
from hotline.engine.nodes.base import NodeKind


class Message(NodeKind):
    name = "message"
    doc = "say one or more messages, then go on"
    fields = {"say": schema.ids, "next": schema.ident}
    required = ("say", "next")

    def enter(self, run, node):
        run.say(node.spec["say"])
        run.goto(node.spec["next"])

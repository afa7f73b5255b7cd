"""end: say a last message (optional) and end the conversation.

    goodbye:
      kind: end
      say: goodbye
"""

from hotline.config import schema
from hotline.engine.nodes.base import NodeKind


class End(NodeKind):
    name = "end"
    doc = "say a last message (optional) and end the conversation"
    fields = {"say": schema.ids}

    def enter(self, run, node):
        if "say" in node.spec:
            run.say(node.spec["say"])
        run.finish()

"""flow: continue in another flow, at its start or at a named node.

    to_police:
      kind: flow
      flow: police
"""

from hotline.config import schema
from hotline.engine.nodes.base import NodeKind


class EnterFlow(NodeKind):
    name = "flow"
    doc = "continue in another flow, at its start or at a named node"
    fields = {"flow": schema.ident, "node": schema.ident}
    required = ("flow",)

    def enter(self, run, node):
        run.switch(node.spec["flow"], node.spec.get("node"))

"""set: give variables values (`lang` sets the caller's language), then go on.

    chose_shelter:
      kind: set
      set: {need: shelter}
      next: ask_district
"""

from hotline.config import schema
from hotline.engine.nodes.base import NodeKind


class Set(NodeKind):
    name = "set"
    doc = "give variables values (lang sets the caller's language), then go on"
    fields = {"set": schema.mapping, "next": schema.ident}
    required = ("set", "next")

    def check(self, node, file, problems):
        check_variables(node.spec["set"], file, problems)

    def enter(self, run, node):
        run.assign(node.spec["set"])
        run.goto(node.spec["next"])


def check_variables(values, file, problems):
    from hotline.config.yamlsource import Map, Problem

    for key in values:
        line = values.line_of(key) if isinstance(values, Map) else 0
        wrong = schema.ident(key)
        if wrong:
            problems.append(Problem(file, line, f'variable "{key}" {wrong}'))

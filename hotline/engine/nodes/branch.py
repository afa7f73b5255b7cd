"""branch: go to the first case whose conditions hold, else to `else`.

    check_shift:
      kind: branch
      cases:
        - when: {on_shift: counsellor}
          goto: connect
      else: nobody_on_shift
"""

from hotline.config import schema
from hotline.config.yamlsource import Map, Problem
from hotline.engine import conditions
from hotline.engine.nodes.base import NodeKind


class Branch(NodeKind):
    name = "branch"
    doc = "go to the first case whose conditions hold, else to else"
    fields = {"cases": schema.sequence, "else": schema.ident}
    required = ("cases", "else")

    def check(self, node, file, problems):
        for i, case in enumerate(node.spec["cases"]):
            line = node.spec["cases"].line_of(i)
            if not isinstance(case, Map):
                problems.append(Problem(file, line, "a case is a mapping with when: and goto:"))
                continue
            for key in case:
                if key not in ("when", "goto"):
                    problems.append(Problem(file, case.line_of(key), f'unknown key "{key}" in a case (when, goto)'))
            for key in ("when", "goto"):
                if key not in case:
                    problems.append(Problem(file, line, f"case {i + 1} needs {key}:"))
            if "when" in case:
                conditions.check(case["when"], file, case.line_of("when"), problems)

    def targets(self, node):
        found = [(node.spec["else"], node.line_of("else"), "else")]
        for i, case in enumerate(node.spec["cases"]):
            if isinstance(case, Map) and isinstance(case.get("goto"), str):
                found.append((case["goto"], case.line_of("goto"), f"case {i + 1}"))
        return found

    def enter(self, run, node):
        for case in node.spec["cases"]:
            if run.holds(case["when"]):
                run.goto(case["goto"])
                return
        run.goto(node.spec["else"])

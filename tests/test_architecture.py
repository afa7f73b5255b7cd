"""The map in docs/architecture.md, held: every module of hotline/ sits in one layer, imports only
its own layer or those below, and no import cycle exists. The engine stays pure. Imports inside
functions count (they are how cycles hide); imports under `if TYPE_CHECKING:` do not (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hotline"

# Bottom to top, as docs/architecture.md draws it. A module may import from its own layer and
# any below, never above.
LAYERS = [
    ("foundations", ["hotline.clock", "hotline.config"]),
    ("language", ["hotline.i18n"]),
    ("engine", ["hotline.engine"]),
    ("privacy", ["hotline.privacy"]),
    ("store", ["hotline.store"]),
    ("people", ["hotline.people"]),
    ("casework", ["hotline.casework"]),
    ("transport", ["hotline.transport"]),
    ("queueing", ["hotline.jobs.enqueue", "hotline.jobs.queued"]),
    ("response", ["hotline.response"]),
    ("services", ["hotline.services"]),
    ("channels", ["hotline.channels"]),
    ("conversation", ["hotline.conversation"]),
    ("jobs", ["hotline.jobs"]),
    ("checks", ["hotline.checks"]),
    ("web", ["hotline.web"]),
    ("cli", ["hotline.cli"]),
]
PURE = ("flask", "redis", "rq", "twilio", "sqlalchemy", "werkzeug", "requests", "httpx")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(path: Path, name: str) -> set[str]:
    """Every module `name` imports when it runs (at the top or in a function)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1] + ([base] if base else []))
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {m for m in imports(path, name) if m in known and m != name} for name, path in known.items()}


def layer_of(name: str) -> int:
    best, index = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, index = len(prefix), i
    return index


def test_every_module_has_a_layer_on_the_map():
    placed = {name: layer_of(name) for name in modules() if name != "hotline"}
    assert [name for name, layer in placed.items() if layer is None] == []
    doc = (ROOT / "docs" / "architecture.md").read_text()
    missing = [prefix for _, prefixes in LAYERS for prefix in prefixes if f"`{prefix.replace('.', '/')}" not in doc]
    assert missing == [], "docs/architecture.md does not show these on its map"


def test_no_module_imports_one_above_it():
    upward = sorted(f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
                    for a, targets in graph().items() if a != "hotline"
                    for b in targets if b != "hotline" and layer_of(b) > layer_of(a))
    assert upward == []


def test_there_is_no_import_cycle():
    edges = graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def connect(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            # a package's __init__ re-exporting its own modules is not a cycle a reader trips on
            if len(component) > 1 and not all(c.startswith(min(component, key=len)) for c in component):
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("name", sorted(m for m in modules() if m.startswith("hotline.engine")))
def test_the_engine_imports_no_framework(name):
    outside = {m for m in imports(modules()[name], name) if m.split(".")[0] in PURE}
    assert outside == set(), f"{name} must stay pure (no Flask, Redis, RQ, Twilio or SQLAlchemy)"

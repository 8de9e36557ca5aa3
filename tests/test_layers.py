"""The plan of the house (README, "Where things are"): each app imports only apps on
lower floors, and no two modules of the project import each other, directly or
round a longer circle.

Imports are read from the source (every `import` and `from … import`, at the top
of a module or inside a function), so a lazy import cannot hide an uphill one.
Configuration that names apps by string (INSTALLED_APPS, the root URLconf's
`include("cases.urls")`, a model's "cases.Case") is not an import.
"""

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Floor by floor, lowest first: an app may import its own floor's modules and any
# floor below, never one above, nor a neighbour on its own floor.
FLOORS = [
    ["casework"],
    ["cases"],
    ["assistance"],
    ["members"],  # membership: a member is a worker (cases), cards are for members
    ["public"],  # the pages workers reach without a login: joining, asking for help
    ["reminders"],
    ["reports"],
    ["api"],  # the REST API for other systems, over the same services as the pages
    ["demo"],
]
FLOOR = {app: n for n, apps in enumerate(FLOORS) for app in apps}


def modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue  # a migration names the models of its time, by app label
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def imported(module: str, path: Path) -> set[str]:
    """The modules of the project that `module` imports, as absolute dotted names."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (
                importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                if node.level
                else node.module
            )
            names.add(base)
            # `from . import bundles` imports the module reports.bundles.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] in FLOOR}


def graph() -> dict[str, set[str]]:
    known = {name: path for app in FLOOR for name, path in modules(app)}
    return {
        name: {target for target in imported(name, path) if target in known and target != name}
        for name, path in known.items()
    }


def uphill(edges: dict[str, set[str]]) -> list[str]:
    wrong = []
    for source, targets in edges.items():
        home = source.split(".")[0]
        for target in targets:
            there = target.split(".")[0]
            if there != home and FLOOR[there] >= FLOOR[home]:
                wrong.append(f"{source} imports {target}")
    return sorted(wrong)


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, each found once (depth-first search, Tarjan-free: the
    graph is small)."""
    found, seen = [], set()
    for start in sorted(edges):
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(edges.get(node, ())):
                if nxt == start:
                    key = frozenset(trail)
                    if key not in seen:
                        seen.add(key)
                        found.append([*trail, start])
                elif nxt not in trail and nxt > start:
                    stack.append((nxt, [*trail, nxt]))
    return found


# A package imports its own modules to re-export them (cases.models, …): that is a
# package's face, not a circle, as long as the modules never import the package.
def without_package_faces(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        source: {t for t in targets if not t.startswith(source + ".")}
        for source, targets in edges.items()
    }


def test_every_app_of_the_project_has_a_floor():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    # A floor may be planned before its app is built; an app may not lack one.
    assert apps | {"casework"} <= set(FLOOR)


def test_no_app_imports_one_on_its_own_floor_or_above():
    assert uphill(graph()) == []


def test_no_two_modules_import_each_other():
    assert circles(without_package_faces(graph())) == []


@pytest.mark.parametrize(
    "source,target",
    [("casework.models", "cases.models"), ("cases.services", "assistance.services")],
)
def test_an_uphill_import_is_caught(source, target):
    edges = graph()
    edges[source].add(target)
    assert f"{source} imports {target}" in uphill(edges)


def test_a_circle_is_caught():
    edges = graph()
    edges["cases.models.workers"].add("cases.models.core")
    assert any("cases.models.workers" in c for c in circles(without_package_faces(edges)))

"""The import arrows of lcmodules point one way: load → validate → transform → render → export → cli.

Read from the source with `ast` (every `import`, also those inside functions), so a wrong arrow
fails here before it becomes a circle at run time.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lcmodules"

# Each part of lcmodules (a top-level module or subpackage) and its layer: a part imports only
# parts of a lower layer, never one of its own layer or above.
LAYERS: list[set[str]] = [
    {"lcmodules", "diagnostics", "markers", "slugs", "locate", "versions", "xmlmeta",
     "outputtypes", "outpath", "urlpolicy", "localserver"},  # leaves
    {"fsutil"},
    {"model", "cache", "scaffold"},
    {"modelcache"},  # consulted by load and validate while a build runs
    {"load"},
    {"validate", "identities"},
    {"transform", "versioning"},
    {"render"},
    {"export", "inspect"},
    {"build", "preview", "serve", "importbook"},
    {"cli"},
    {"__main__"},
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def read_graph(package: Path) -> dict[str, set[str]]:
    """Module of `package` -> the modules of `package` it imports (anywhere in the file)."""
    files = {_name(package, path): path for path in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                subs = {f"{base}.{a.name}" for a in node.names}
                # `from package import submodule` imports the submodule, not the package's names
                found |= subs if subs <= files.keys() else {base, *subs}
        graph[name] = {m for m in found if m in files} - {name}
    return graph


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree` except those under `if TYPE_CHECKING:`: an import only the type
    checker reads is no dependency at run time (and no circle)."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def _name(package: Path, path: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def import_graph() -> dict[str, set[str]]:
    return read_graph(PACKAGE)


def find_circles(graph: dict[str, set[str]]) -> list[str]:
    """Every chain of imports that leads a module back to itself."""
    circles = []
    for start in sorted(graph):
        seen, stack = {start}, [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    circles.append(" → ".join([*trail, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    return circles


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "lcmodules"


def wrong_arrows(source_part: str, graph: dict[str, set[str]]) -> list[str]:
    """The imports of modules of `source_part` that do not point to a lower layer."""
    wrong = []
    for module, imported in sorted(graph.items()):
        if part(module) != source_part:
            continue
        for target in sorted(imported):
            other = part(target)
            if other != source_part and RANK[other] >= RANK[source_part]:
                wrong.append(f"{module} imports {target}")
    return wrong


def parts() -> list[str]:
    return sorted({part(m) for m in import_graph()})


@pytest.mark.parametrize("name", parts())
def test_imports_point_down_the_layers(name: str) -> None:
    assert name in RANK, f"lcmodules/{name} has no layer: add it to LAYERS in this test"
    assert wrong_arrows(name, import_graph()) == []


def exporters() -> list[str]:
    return sorted(m for m in import_graph() if m.startswith("lcmodules.export."))


@pytest.mark.parametrize("module", exporters())
def test_no_exporter_imports_another(module: str) -> None:
    """An exporter imports export/base.py and its own helpers (`scorm` → `scorm_manifest`)."""
    own = module.rpartition(".")[2]
    allowed = {"lcmodules.export", "lcmodules.export.base"}
    wrong = [t for t in import_graph()[module] if t.startswith("lcmodules.export.")
             and t not in allowed and not t.rpartition(".")[2].startswith(f"{own}_")
             and not own.startswith(t.rpartition(".")[2] + "_")]
    assert wrong == []


def test_no_import_circles_between_modules() -> None:
    """No module reaches itself through imports (also through imports inside functions)."""
    assert find_circles(import_graph()) == []


def test_the_checks_see_a_circle_and_a_wrong_arrow(tmp_path: Path) -> None:
    """On a small package of our own: a function-level import and a relative one make a circle,
    and model → load is an arrow the wrong way."""
    pkg = tmp_path / "lcmodules"
    (pkg / "load").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "load" / "__init__.py").write_text("")
    (pkg / "model.py").write_text("def f():\n    from lcmodules.load.units import g\n")
    (pkg / "load" / "units.py").write_text("from ..model import f\n")
    graph = read_graph(pkg)
    assert graph["lcmodules.model"] == {"lcmodules.load.units"}
    assert graph["lcmodules.load.units"] == {"lcmodules.model"}
    assert "lcmodules.model → lcmodules.load.units → lcmodules.model" in find_circles(graph)
    assert wrong_arrows("model", graph) == ["lcmodules.model imports lcmodules.load.units"]


@pytest.mark.parametrize("name", ["model", "load", "validate", "transform", "versioning",
                                  "render", "export", "build", "cli"])
def test_each_part_imports_alone_in_a_fresh_interpreter(name: str) -> None:
    code = f"import lcmodules.{name}"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr

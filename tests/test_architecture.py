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
    {"lcmodules", "core"},  # core: the small helpers every stage shares
    {"questions"},  # the question types: fields, checks, grading (below the model)
    {"model", "scaffold"},
    {"cache"},  # consulted by load and validate while a build runs
    {"load"},
    {"validate"},
    {"transform", "versioning"},
    {"render"},
    {"export", "inspect"},
    {"build", "preview", "serve", "importbook", "lti"},
    {"cli"},
    {"__main__"},
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def read_graph(package: Path) -> dict[str, set[str]]:
    """Module of `package` -> the modules of `package` it imports (anywhere in the file), also
    through `importlib.import_module(...)` and `__import__(...)`."""
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
            elif isinstance(node, ast.Call) and _is_dynamic_import(node):
                found |= _dynamic_targets(node, files.keys(), f"{path.name}:{node.lineno}")
        graph[name] = {m for m in found if m in files} - {name}
    return graph


DYNAMIC_IMPORTERS = {"import_module", "__import__"}


def _is_dynamic_import(node: ast.Call) -> bool:
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return called in DYNAMIC_IMPORTERS


def _dynamic_targets(node: ast.Call, modules: set[str] | dict, where: str) -> set[str]:
    """The modules a dynamic import can load: a constant name, or every module that starts
    with the constant part of an f-string (`f"lcmodules.cli.{name}"` → every lcmodules.cli.*).
    A name the test cannot read is a failure: say statically what may be imported."""
    arg = node.args[0] if node.args else None
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        prefix = str(arg.values[0].value)
        if prefix.startswith("lcmodules.") and prefix.endswith("."):
            return {m for m in modules if m.startswith(prefix)}
    raise AssertionError(f"{where}: a dynamic import whose module this test cannot read; "
                         "name it as a constant or an f-string with a constant package prefix")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree` that runs: not those under `if TYPE_CHECKING:` (an import only the
    type checker reads is no dependency at run time, and no circle), but the `else:` of such a
    block and the body of `if not TYPE_CHECKING:` do run."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _names_type_checking(node.test):
            found.append(node.test)
            todo.extend(node.orelse)
            continue
        if (isinstance(node, ast.If) and isinstance(node.test, ast.UnaryOp)
                and isinstance(node.test.op, ast.Not) and _names_type_checking(node.test.operand)):
            found.append(node.test)
            todo.extend(node.body)
            continue
        found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def _names_type_checking(test: ast.expr) -> bool:
    """`TYPE_CHECKING` or `typing.TYPE_CHECKING` itself (not an expression that mentions it)."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


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
    """An exporter imports export/base.py, the shared manifest helpers (xmlmeta.py) and its own
    helpers (`scorm` → `scorm_manifest`)."""
    own = module.rpartition(".")[2]
    allowed = {"lcmodules.export", "lcmodules.export.base", "lcmodules.export.registry",
               "lcmodules.export.xmlmeta"}
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


def test_the_checks_see_dynamic_imports_and_not_type_checking(tmp_path: Path) -> None:
    """An import_module call, an f-string __import__, and an import under
    `if not TYPE_CHECKING:` are runtime arrows; one under `if TYPE_CHECKING:` is not."""
    pkg = tmp_path / "lcmodules"
    (pkg / "cli").mkdir(parents=True)
    for name in ("__init__.py", "cli/__init__.py", "cli/a.py", "cli/b.py", "load.py"):
        (pkg / name).write_text("")
    (pkg / "model.py").write_text(
        "import importlib\nfrom typing import TYPE_CHECKING\n"
        "def f(n):\n    importlib.import_module('lcmodules.load')\n"
        "    return __import__(f'lcmodules.cli.{n}')\n"
        "if not TYPE_CHECKING:\n    import lcmodules.cli\n"
        "if TYPE_CHECKING:\n    import lcmodules.scaffold\n")
    graph = read_graph(pkg)
    assert graph["lcmodules.model"] == {"lcmodules.load", "lcmodules.cli", "lcmodules.cli.a",
                                        "lcmodules.cli.b"}
    (pkg / "model.py").write_text("import importlib\ndef f(n):\n    importlib.import_module(n)\n")
    with pytest.raises(AssertionError, match="cannot read"):
        read_graph(pkg)


@pytest.mark.parametrize("name", ["core", "cache", "model", "load", "validate", "transform", "versioning",
                                  "render", "export", "build", "cli"])
def test_each_part_imports_alone_in_a_fresh_interpreter(name: str) -> None:
    code = f"import lcmodules.{name}"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr

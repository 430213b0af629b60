"""The package's layout: stages in the order data flows, each importing only from itself and the
stages before it, and no import cycle between modules.

Every import counts, including the ones inside functions: a deferred import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import barkflow

PACKAGE = Path(barkflow.__file__).parent

# The stages, lowest first. A module may import from its own stage and from those above it here.
STAGES = [
    ("foundation", ("barkflow.errors", "barkflow.store")),
    ("engine", ("barkflow.engine",)),
    ("text", ("barkflow.text",)),
    ("steps", ("barkflow.steps",)),
    ("planning", ("barkflow.planning",)),
    ("running", ("barkflow.running",)),
    ("publishing", ("barkflow.publishing",)),
    ("reviewing", ("barkflow.reviewing",)),
    ("pipeline", ("barkflow.runner",)),
    ("apps", ("barkflow.cli", "barkflow.voices_cli", "barkflow.studio", "barkflow.conf")),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The barkflow modules `name` imports (a name imported from a package counts as its module when it is one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, set(known)) for name, path in known.items()}


def stage_of(name: str) -> int:
    for index, (_, prefixes) in enumerate(STAGES):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return index
    if name == "barkflow":
        return 0
    raise AssertionError(f"{name} belongs to no stage: add it to STAGES (and to the README's layout)")


def test_every_module_belongs_to_a_stage():
    for name in modules():
        stage_of(name)


def test_no_module_imports_from_a_later_stage():
    upward = [
        f"{name} ({STAGES[stage_of(name)][0]}) imports {target} ({STAGES[stage_of(target)][0]})"
        for name, targets in import_graph().items() for target in sorted(targets)
        if stage_of(target) > stage_of(name)
    ]
    assert upward == []


def test_no_import_cycles():
    graph = import_graph()
    # A package's __init__ that imports its own modules is not a cycle with them.
    graph = {name: {t for t in targets if not name.startswith(t + ".") and not t.startswith(name + ".")}
             for name, targets in graph.items()}
    cycles, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_the_walker_sees_imports_inside_functions(tmp_path):
    """The check would pass vacuously if deferred imports were missed: a known one must be seen."""
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    from barkflow.store import cache\n")
    assert imported("barkflow.probe", source, {"barkflow.store", "barkflow.store.cache"}) == {"barkflow.store.cache"}


def test_no_module_is_over_700_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > 700}
    assert long == {}


def test_a_users_path_is_expanded_in_one_place():
    """Path('~0').expanduser() raises RuntimeError where no user 0 is: errors.user_path turns that
    into a one-line error, so no other module may expand a path itself."""
    others = sorted(name for name, path in modules().items()
                    if ".expanduser(" in path.read_text(encoding="utf-8") and name != "barkflow.errors")
    assert others == []


def test_no_module_trusts_isdigit():
    """str.isdigit() is true of '²', which int() refuses: a lines file keyed '²', a checkpoint's
    'transformer.h.²' crashed. isdecimal() is true only of what int() reads."""
    users = sorted(name for name, path in modules().items() if ".isdigit(" in path.read_text(encoding="utf-8"))
    assert users == []


LEFTOVERS = (".orig", ".rej", ".bak", ".swp", ".tmp", "~")  # what merges, patches and editors leave behind


def test_no_merge_or_editor_leftovers_in_the_package():
    """A stray 'characters.py.orig' was once committed; the wheel check refused it, this says where."""
    stray = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*") if p.name.endswith(LEFTOVERS))
    assert stray == []


def runtime_uses_of_type_only_imports(source: str) -> list[tuple[int, str]]:
    """(line, name) where a function uses, outside an annotation, a name imported only under
    `if TYPE_CHECKING:` without importing it itself: a NameError waiting for that path to run."""
    tree = ast.parse(source)
    type_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for n in ast.walk(node):
                if isinstance(n, (ast.Import, ast.ImportFrom)):
                    type_only |= {(a.asname or a.name).split(".")[0] for a in n.names}
    in_annotations = {id(n) for node in ast.walk(tree) for field in ("annotation", "returns")
                      if getattr(node, field, None) is not None for n in ast.walk(getattr(node, field))}
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        local = {(a.asname or a.name).split(".")[0] for n in ast.walk(fn)
                 if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        found += [(n.lineno, n.id) for n in ast.walk(fn)
                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in type_only - local
                  and id(n) not in in_annotations]
    return sorted(set(found))


def test_a_type_checking_import_is_imported_again_where_code_runs_it():
    """Modules keep heavy imports (torch, the cloning engine) out of their top level with
    `if TYPE_CHECKING:`; a function that uses such a name at run time must import it itself."""
    found = {name: uses for name, path in modules().items()
             if (uses := runtime_uses_of_type_only_imports(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_type_checking_walker_finds_a_runtime_use():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import torch\n"
              "def f(x: torch.Tensor) -> torch.Tensor:\n    return x\n"
              "def g():\n    return torch.zeros(1)\n"
              "def h():\n    import torch\n    return torch.zeros(1)\n")
    assert runtime_uses_of_type_only_imports(source) == [(7, "torch")]

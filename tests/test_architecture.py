"""What the layout promises and a grep can check: only the store runs SQL, and no module
imports one that imports it back."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGES = ("workbench", "workbench_eval")
SQL_CALL = re.compile(r"\.execute(many|script)?\(")


def sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


STORE = ROOT / "workbench" / "store"
SQL_EXEMPT = ROOT / "workbench_eval" / "probe"
"""Fault injection: the probe deletes rows as a regrouping or an older version would,
which no API does on purpose."""


def test_no_module_but_the_store_runs_sql():
    """``execute(``, ``executemany(`` and ``executescript(`` appear only in the store
    package: every statement is a :class:`~workbench.store.Workspace` method returning
    typed records."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources()
        if STORE not in path.parents and SQL_EXEMPT not in path.parents
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if SQL_CALL.search(line)
    ]
    assert not found, "SQL outside workbench/store/:\n" + "\n".join(found)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_imports(path: Path, modules: set[str], *, inside_functions: bool = False) -> set[str]:
    """The project modules ``path`` imports at module level (and inside functions too,
    with ``inside_functions``: an import put off to run time still ties two modules)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree) if inside_functions else tree.body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found |= {
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            }
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return (found & modules) - {name}


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in ``graph`` (depth-first), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle_at_module_level():
    paths = sources()
    modules = {module_name(p) for p in paths}
    graph = {module_name(p): module_imports(p, modules) for p in paths}
    assert import_cycle(graph) is None, " -> ".join(import_cycle(graph) or [])


def test_no_import_cycle_even_inside_functions():
    """``workbench eval`` is mounted by the CLI at run time; the eval package may use the
    CLI's shared parts, but nothing that mounts it (the old cycle: the eval commands took
    eight names, private ones too, from the module that imported them)."""
    paths = sources()
    modules = {module_name(p) for p in paths}
    graph = {module_name(p): module_imports(p, modules, inside_functions=True) for p in paths}
    assert import_cycle(graph) is None, " -> ".join(import_cycle(graph) or [])


def test_the_ray_engine_imports_none_of_its_users():
    """distribute.py runs the embedders and translators it is handed (a picklable factory):
    importing them, even inside a function, would close the old cycle again."""
    tree = ast.parse((ROOT / "workbench" / "distribute.py").read_text("utf-8"))
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"embed", "translate", "workbench.embed", "workbench.translate"}


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "module",
    ["workbench.distribute", "workbench.embed", "workbench.translate", "workbench.stages"],
)
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=ROOT)

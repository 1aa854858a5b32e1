"""The shape of the codebase: no import cycle among the project's modules, and no module so long that it does
several jobs, unless its reason is stated here."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("flows", "transforms", "warehouse", "expectations", "sources", "bench")
MAX_LINES = 500
# Modules over MAX_LINES, each with why it stays one module.
LONG_MODULES = {
    "bench/make_corpus.py": "the generated corpus: one template per report kind and its truth, data more than code",
    "transforms/normalize.py": "one pass over the text in a fixed order (HTML, ruby, chrome, script, wraps); "
                               "splitting it would scatter that order",
    "warehouse/release.py": "one release: its files, schema, codebook and changes are written from one description",
    "expectations/suites.py": "the GX suites, one per published table, and the one function that runs them",
}


def module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: pathlib.Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """module -> the project modules it imports, at the top or inside functions alike."""
    files = {module_name(p, root): p for pkg in packages for p in (root / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[mod] |= {a.name for a in node.names if a.name in files}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    if target in files:
                        graph[mod].add(target)
                    elif base in files:
                        graph[mod].add(base)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while (w := stack.pop()) != v:
                comp.append(w)
            comp.append(v)
            if len(comp) > 1 or v in graph[v]:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_no_import_cycle_among_the_projects_modules():
    assert cycles(import_graph(ROOT, PACKAGES)) == []


@pytest.mark.parametrize(("files", "expected"), [
    ({"a/__init__.py": "", "a/x.py": "from a import y\n", "a/y.py": "def f():\n    from a.x import g\n"},
     [["a.x", "a.y"]]),  # a function-level import closes a cycle too
    ({"a/__init__.py": "", "a/x.py": "from . import y\n", "a/y.py": "import a.z\n", "a/z.py": "from .x import f\n"},
     [["a.x", "a.y", "a.z"]]),  # relative imports resolve
    ({"a/__init__.py": "", "a/x.py": "from a import y\n", "a/y.py": "import json\n"}, []),
])
def test_the_cycle_finder_finds_cycles_and_only_cycles(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cycles(import_graph(tmp_path, ("a",))) == expected


def test_no_module_over_the_limit_without_a_stated_reason():
    long = {str(p.relative_to(ROOT)): n for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert set(long) <= set(LONG_MODULES), {k: v for k, v in long.items() if k not in LONG_MODULES}
    stale = set(LONG_MODULES) - set(long)
    assert not stale, f"no longer over {MAX_LINES} lines: drop them from LONG_MODULES: {stale}"

"""The architecture holds (issue 15): a pipeline of stages, the engine beside it, a thin public face.

Read from the source with `ast`, every import counts: at the top, inside functions, under
`TYPE_CHECKING`, through a package's `__init__`; so does `module._name` attribute access.
- no import cycle between the package's modules;
- no private name (`_name`) of one module used by another;
- the engine (`papers2anki.engine`) never imports the public face (`api`, `cli`, `preview`, `push`),
  and only the public API imports the engine: no stage knows whether it runs in a worker or from a cache;
- no module over 400 lines, no function over 80.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "papers2anki"
FACE = {"papers2anki.api", "papers2anki.cli", "papers2anki.preview", "papers2anki.__init__", "papers2anki.__main__"}
FACE_PREFIXES = ("papers2anki.push",)  # push_to_anki and its parts
ENGINE = "papers2anki.engine"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    imports: set[str] = field(default_factory=set)  #: modules of the package it imports
    private: list[str] = field(default_factory=list)  #: `module._name` of others it uses


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        found[name] = Module(name, path, ast.parse(path.read_text("utf-8")))
    for module in found.values():
        _read_imports(module, found)
    return found


def _read_imports(module: Module, known: dict[str, Module]) -> None:
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    aliases: dict[str, str] = {}  # local name -> module it stands for
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("papers2anki"):
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in known:  # `from . import lock`: a module
                    module.imports.add(full)
                    aliases[alias.asname or alias.name] = full
                else:
                    module.imports.add(target)
                    if alias.name.startswith("_") and target != module.name:
                        module.private.append(f"{target}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("papers2anki"):
                    module.imports.add(alias.name)
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(module.tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            module.private.append(f"{aliases[node.value.id]}.{node.attr}")
    module.imports.discard(module.name)
    # An import of a module imports its packages' __init__ too.
    for name in list(module.imports):
        parts = name.split(".")
        module.imports.update(".".join(parts[:i]) for i in range(2, len(parts)) if ".".join(parts[:i]) in known)


def cycles(found: dict[str, Module]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in found[v].imports:
            if w not in found:
                continue
            if w not in index:
                visit(w)
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
            if len(component) > 1:
                out.append(sorted(component))

    for name in found:
        if name not in index:
            visit(name)
    return out


def is_face(name: str) -> bool:
    return name in FACE or name.startswith(FACE_PREFIXES)


def functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


FOUND = modules()


def test_the_reading_of_imports_sees_what_it_must() -> None:
    """The checks below read what they claim to: a known import inside a function, one under
    TYPE_CHECKING, and a private name used through a module."""
    api = FOUND["papers2anki.api"]
    assert "papers2anki.engine.build" in api.imports  # imported inside `build`
    assert "papers2anki.engine" in api.imports  # ... and so its package
    sample = Module("papers2anki.sample", PACKAGE / "sample.py", ast.parse("from . import lock\nlock._hidden()\n"))
    _read_imports(sample, {**FOUND, "papers2anki.sample": sample})
    assert sample.private == ["papers2anki.lock._hidden"]
    looped = {
        "a": Module("a", PACKAGE / "a.py", ast.parse(""), {"b"}),
        "b": Module("b", PACKAGE / "b.py", ast.parse(""), {"a"}),
    }
    assert cycles(looped) == [["a", "b"]]


def test_no_import_cycle() -> None:
    assert cycles(FOUND) == []


def test_no_private_name_crosses_modules() -> None:
    assert {name: m.private for name, m in FOUND.items() if m.private} == {}


def test_the_engine_is_called_only_by_the_public_api_and_never_calls_it() -> None:
    upward = {name: sorted(i for i in m.imports if is_face(i)) for name, m in FOUND.items() if name.startswith(ENGINE)}
    assert {k: v for k, v in upward.items() if v} == {}
    callers = {
        name
        for name, m in FOUND.items()
        if not name.startswith(ENGINE) and any(i.startswith(ENGINE) for i in m.imports)
    }
    assert callers <= {"papers2anki.api"}, callers


def test_no_module_over_400_lines() -> None:
    sizes = {name: len(m.path.read_text("utf-8").splitlines()) for name, m in FOUND.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_no_function_over_80_lines() -> None:
    long = {
        f"{name}.{fn.name}": (fn.end_lineno or fn.lineno) - fn.lineno + 1
        for name, m in FOUND.items()
        for fn in functions(m.tree)
        if (fn.end_lineno or fn.lineno) - fn.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}


def test_no_test_reaches_into_a_private_name() -> None:
    """Tests find things by behaviour: no `_name` of the package imported or used through a module."""
    found = {}
    for path in sorted((REPO / "tests").glob("*.py")):
        module = Module(f"tests.{path.stem}", path, ast.parse(path.read_text("utf-8")))
        _read_imports(module, FOUND)
        if module.private:
            found[path.name] = module.private
    assert found == {}

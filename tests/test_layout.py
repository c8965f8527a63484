"""Guards on the shape of the code: the store seam, the package layout, sizes, and tests that stand alone.

Each test reads the source with `ast` and lists every offender, so one run shows all that is left.
"""
from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

FORMS = ROOT / "forms"
TESTS = ROOT / "tests"
STORE = FORMS / "store"
DATABASE_MODULES = {"mongoengine", "pymongo", "gridfs", "bson"}
DATABASE_ATTRIBUTES = {"objects", "_get_collection"}
TOP_LEVEL_MODULES = {"__init__", "app", "config", "errors"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 40
LITERALS = (ast.Dict, ast.List, ast.Tuple, ast.Set, ast.Constant)


def modules(folder: Path) -> list[Path]:
    """Every Python module under a folder, sorted."""
    return sorted(folder.rglob("*.py"))


def where(path: Path, node: ast.AST | None = None) -> str:
    """A module (and line) as offenders are listed: relative to the project."""
    name = path.relative_to(ROOT).as_posix()
    return f"{name}:{node.lineno}" if node is not None else name


def parse(path: Path) -> ast.Module:
    """A module's syntax tree."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def nodes(path: Path) -> list[ast.AST]:
    """Every syntax node of a module that has a position, in the order they appear."""
    located = [node for node in ast.walk(parse(path)) if hasattr(node, "lineno")]
    return sorted(located, key=lambda node: (node.lineno, node.col_offset))


def imported_modules(node: ast.AST) -> list[str]:
    """The modules an import statement names (absolute names; relative ones keep their dots)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return ["." * node.level + (node.module or "")]
    return []


def database_uses(node: ast.AST) -> list[str]:
    """What in one syntax node reaches past the store seam, described."""
    found = [f"imports {name}" for name in imported_modules(node) if name.split(".")[0] in DATABASE_MODULES]
    if isinstance(node, ast.Attribute) and node.attr in DATABASE_ATTRIBUTES:
        found.append(f".{node.attr}")
    if isinstance(node, ast.Name) and node.id == "_get_collection":
        found.append("_get_collection")
    if isinstance(node, ast.Call):
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if called == "database":
            found.append("database()")
    return found


def test_only_the_store_talks_to_the_database():
    """Above forms/store/, code calls the store's named operations: no `.objects`, no driver imports."""
    offenders = [f"{where(path, node)}: {use}"
                 for path in modules(FORMS) if STORE not in path.parents
                 for node in nodes(path) for use in database_uses(node)]
    assert not offenders, "past the store seam:\n" + "\n".join(offenders)


def test_the_top_level_of_forms_holds_only_the_factory_settings_errors_and_packages():
    strays = [where(path) for path in sorted(FORMS.glob("*.py")) if path.stem not in TOP_LEVEL_MODULES]
    unpackaged = [where(folder) for folder in sorted({path.parent for path in modules(FORMS)})
                  if not (folder / "__init__.py").exists()]
    assert not strays, "modules at the top of forms/ (move them into the package that owns them):\n" + "\n".join(strays)
    assert not unpackaged, "folders of modules without an __init__.py:\n" + "\n".join(unpackaged)


def test_every_package_says_in_one_line_what_it_owns():
    problems = []
    for path in sorted(FORMS.rglob("__init__.py")):
        docstring = ast.get_docstring(parse(path))
        if not docstring:
            problems.append(f"{where(path)}: no docstring")
        elif len(docstring.strip().splitlines()) != 1:
            problems.append(f"{where(path)}: docstring of {len(docstring.strip().splitlines())} lines")
    assert not problems, "\n".join(problems)


def test_no_module_is_over_400_lines():
    long = [f"{where(path)}: {lines} lines" for path in modules(FORMS)
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(long)


def is_data(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function's body (past its docstring) is one data literal: a table, not logic."""
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    if len(body) != 1:
        return False
    value = getattr(body[0], "value", None)
    return isinstance(body[0], (ast.Return, ast.Assign, ast.Expr)) and isinstance(value, LITERALS)


def test_no_function_is_over_40_lines():
    long = [f"{where(path, node)}: {node.name}, {node.end_lineno - node.lineno + 1} lines"
            for path in modules(FORMS) for node in nodes(path)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES and not is_data(node)]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def other_test_files(node: ast.AST) -> list[str]:
    """Test modules (or conftest) an import statement reaches into."""
    found = []
    for name in imported_modules(node):
        last = name.rsplit(".", 1)[-1]
        if last.startswith("test_") or last == "conftest":
            found.append(name)
    if isinstance(node, ast.ImportFrom) and node.module in ("tests", None):
        found += [alias.name for alias in node.names if alias.name.startswith("test_") or alias.name == "conftest"]
    return found


def test_tests_do_not_import_from_other_test_files():
    """Shared constants and helpers live in tests/helpers.py (and fakes.py), fixtures in conftest.py."""
    offenders = [f"{where(path, node)}: {name}" for path in modules(TESTS)
                 for node in nodes(path) for name in other_test_files(node)]
    assert not offenders, "imports from test files:\n" + "\n".join(offenders)

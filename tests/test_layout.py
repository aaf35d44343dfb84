"""The floor plan holds: imports run one way, `app.py -> handlers -> bot -> storage`.

Every module's imports are read with `ast` (including imports inside functions and under
TYPE_CHECKING), so a lazy import cannot sneak an arrow past this test. Inside `bot/`, the
kernel (bot/*.py) imports no feature; a feature package (bot/read, bot/admin, ...) uses
the kernel and storage, and another feature only through a name that feature's
`__init__.py` lists in `__all__`; bot/catalog/ assembles the features and nothing below
imports it. The kernel stays small; no module runs over 600 lines nor function over 80, in
the app, its tests or its benchmarks (but for the named exemptions in SIZE_EXEMPT); no SQL
text above storage/. No module is part of an import circle. Tests mirror the code tree.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from tests.support.paths import PROJECT_ROOT

CODE_ROOTS = ("app.py", "bot", "handlers", "storage")
FEATURES = ("read", "admin", "alerts", "news", "exports", "teams", "ops", "board", "install", "tenancy")
# Modules directly in bot/ (the kernel every feature may use): settings, clock, deps, domain
# rules, ids, Block Kit and card primitives, the command model, admins, lookup, ...
MAX_KERNEL_MODULES = 14
# Alert delivery is a job of its own that posts to Slack, and so is refreshing an installed
# workspace's token (bot/install/tokens.py), whose store is slack_sdk's own interface
# (bot/install/store.py); nothing else in bot/ talks to Slack.
BOT_MODULES_ALLOWED_SLACK_SDK = {
    "bot.alerts.slack_client",
    "bot.alerts.slack_sender",
    "bot.install.store",
    "bot.install.tokens",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def code_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in CODE_ROOTS:
        base = PROJECT_ROOT / root
        paths = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in paths:
            found[module_name(path)] = path
    return found


MODULES = code_modules()


@functools.cache
def parsed(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once for all the checks below (they only read it)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def imports_of(name: str) -> list[tuple[str, str | None]]:
    """(module imported, name taken from it or None) for every import in the module."""
    path = MODULES[name]
    return list(_imports_in(path, name if path.name == "__init__.py" else name.rpartition(".")[0]))


@functools.cache
def _imports_in(path: Path, package: str) -> tuple[tuple[str, str | None], ...]:
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(base, alias.name) for alias in node.names]
    return tuple(found)


def resolved_edges(name: str) -> set[str]:
    """The project modules `name` depends on: `from pkg import submodule` is an arrow to the
    submodule, `from pkg import value` an arrow to the package's __init__."""
    edges: set[str] = set()
    for module, taken in imports_of(name):
        if taken and f"{module}.{taken}" in MODULES:
            edges.add(f"{module}.{taken}")
        elif module in MODULES:
            edges.add(module)
    edges.discard(name)
    return edges


def layer(name: str) -> int:
    top = name.split(".")[0]
    return {"storage": 0, "bot": 1, "handlers": 2, "app": 3}[top]


def feature_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "bot" and len(parts) > 1 and parts[1] in FEATURES:
        return parts[1]
    return None


def test_every_feature_package_and_room_exists() -> None:
    for feature in FEATURES:
        assert f"bot.{feature}" in MODULES, f"bot/{feature}/__init__.py is missing"
        doc = ast.get_docstring(parsed(MODULES[f"bot.{feature}"]))
        assert doc, f"bot/{feature}/__init__.py should say what the room is for"


def test_arrows_point_down_the_layers() -> None:
    wrong = [
        f"{name} -> {target}"
        for name in MODULES
        for target in resolved_edges(name)
        if layer(target) > layer(name)
    ]
    assert wrong == []


def test_storage_and_bot_import_no_slack_framework() -> None:
    wrong = []
    for name in MODULES:
        for module, _ in imports_of(name):
            top = module.split(".")[0]
            if name.startswith("storage") and top in ("bot", "handlers", "slack_bolt", "slack_sdk", "app"):
                wrong.append(f"{name} imports {module}")
            if name.startswith("bot") and top in ("handlers", "slack_bolt", "app"):
                wrong.append(f"{name} imports {module}")
            if name.startswith("bot") and top == "slack_sdk" and name not in BOT_MODULES_ALLOWED_SLACK_SDK:
                wrong.append(
                    f"{name} imports {module} (core returns views and messages; listeners call Slack)"
                )
    assert wrong == []


def test_features_use_the_kernel_and_each_other_only_through_their_front_door() -> None:
    wrong = []
    for name in MODULES:
        if not name.startswith("bot"):
            continue
        mine = feature_of(name)
        for module, taken in imports_of(name):
            if not module.startswith("bot"):
                continue
            if module == "bot.catalog" or taken == "catalog":
                if name != "bot.catalog":
                    wrong.append(f"{name} imports the catalog, which sits above every feature")
                continue
            theirs = feature_of(module) or (feature_of(f"bot.{taken}") if module == "bot" and taken else None)
            if theirs is None or theirs == mine:
                continue
            if mine is None and name != "bot.catalog":
                wrong.append(f"kernel module {name} imports feature {module}")
                continue
            front_door = module == f"bot.{theirs}"
            exported = set(exported_names(f"bot.{theirs}"))
            if not front_door or taken not in exported:
                wrong.append(f"{name} takes {taken} from {module}, not from bot.{theirs}'s __all__")
    assert wrong == []


def exported_names(package: str) -> list[str]:
    tree = parsed(MODULES[package])
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def circles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in resolved_edges(node):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in MODULES:
        if name not in index:
            visit(name)
    return found


def test_no_import_circles() -> None:
    assert circles() == []


def test_the_checker_sees_wrong_way_arrows_and_circles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules above are not vacuous: planted violations are found."""
    planted = {
        "storage.bad": "def f():\n    from bot.deps import Deps\n",
        "bot.read.bad": "from bot.alerts.sweep import run_sweep\nimport slack_bolt\n",
        "bot.one": "from bot.two import x\n",
        "bot.two": "from bot.one import y\n",
    }
    fake: dict[str, Path] = dict(MODULES)
    for name, source in planted.items():
        path = tmp_path / (name.replace(".", "_") + ".py")
        path.write_text(source)
        fake[name] = path
    monkeypatch.setattr(__import__(__name__, fromlist=["MODULES"]), "MODULES", fake)
    with pytest.raises(AssertionError):
        test_storage_and_bot_import_no_slack_framework()
    with pytest.raises(AssertionError):
        test_features_use_the_kernel_and_each_other_only_through_their_front_door()
    with pytest.raises(AssertionError):
        test_arrows_point_down_the_layers()
    with pytest.raises(AssertionError):
        test_no_import_circles()


def test_tests_mirror_the_code_tree() -> None:
    tests = PROJECT_ROOT / "tests"
    strays = []
    for path in tests.rglob("test_*.py"):
        folder = path.parent.relative_to(tests)
        if folder.parts and folder.parts[0] in ("support", "vendor"):
            continue
        if folder.parts and not (PROJECT_ROOT / folder).is_dir():
            strays.append(str(path.relative_to(PROJECT_ROOT)))
    assert strays == []


def test_the_kernel_stays_small_and_the_catalog_sits_above_the_features() -> None:
    kernel = sorted(p.name for p in (PROJECT_ROOT / "bot").glob("*.py") if p.name != "__init__.py")
    assert len(kernel) <= MAX_KERNEL_MODULES, kernel
    # The place where features meet is a package of its own, not one of the kernel's modules.
    assert (PROJECT_ROOT / "bot" / "catalog" / "__init__.py").is_file()
    assert "catalog.py" not in kernel


# Split by responsibility before a module or a function gets this long (DESIGN.md, Code layout).
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# The tests and the benchmarks are held to the same sizes as the app.
SIZE_CHECKED_ROOTS = ("tests", "bench")
# The only modules let off the size check, by path; each is to be split next, and its line
# here goes with the split (test_each_size_exemption_is_still_needed says when).
SIZE_EXEMPT: frozenset[str] = frozenset()  # none now (bench/run.py was the last, split)
# What makes a string SQL: a statement's opening words, as queries and pragmas start.
SQL_STATEMENT = re.compile(
    r"^\s*(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s|"
    r"CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)|WITH\s+\w+\s+AS)",
    re.DOTALL,
)


def long_modules_and_functions(modules: dict[str, Path]) -> list[str]:
    found = []
    for name, path in modules.items():
        text = path.read_text(encoding="utf-8")
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{name}.{node.name}: {length} lines")
    return found


def modules_below_tests_and_bench(root: Path = PROJECT_ROOT) -> dict[str, Path]:
    """Every module below tests/ and bench/ (vendored code aside), less SIZE_EXEMPT."""
    found: dict[str, Path] = {}
    for top in SIZE_CHECKED_ROOTS:
        for path in sorted((root / top).rglob("*.py")):
            relative = path.relative_to(root)
            if relative.parts[:2] == ("tests", "vendor") or relative.as_posix() in SIZE_EXEMPT:
                continue
            found[".".join(relative.with_suffix("").parts)] = path
    return found


def sql_strings(modules: dict[str, Path]) -> list[str]:
    """String constants (f-string parts included) that read as an SQL statement."""
    found = []
    for name, path in modules.items():
        for node in ast.walk(parsed(path)):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and SQL_STATEMENT.match(text):
                found.append(f"{name}:{node.lineno}: {text.strip()[:60]}")
    return found


def test_no_module_over_600_lines_and_no_function_over_80() -> None:
    assert long_modules_and_functions(MODULES) == []
    assert long_modules_and_functions(modules_below_tests_and_bench()) == []


def test_each_size_exemption_is_still_needed() -> None:
    """An exempt module that is gone or short again has been split: drop it from SIZE_EXEMPT."""
    for relative in sorted(SIZE_EXEMPT):
        path = PROJECT_ROOT / relative
        assert path.is_file(), f"{relative} is gone: remove it from SIZE_EXEMPT"
        assert long_modules_and_functions({relative: path}), f"{relative} fits: remove it from SIZE_EXEMPT"


def test_sql_lives_in_storage() -> None:
    above_storage = {name: path for name, path in MODULES.items() if layer(name) > 0}
    assert sql_strings(above_storage) == []


def test_the_size_and_sql_checks_see_what_they_look_for(tmp_path: Path) -> None:
    long_function = "def f():\n" + "    x = 1\n" * 80
    planted = tmp_path / "planted.py"
    planted.write_text(long_function + "Q = 'SELECT id FROM developers WHERE id = ?'\n" + "y = 2\n" * 520)
    assert long_modules_and_functions({"planted": planted}) == ["planted: 602 lines", "planted.f: 81 lines"]
    assert sql_strings({"planted": planted}) == ["planted:82: SELECT id FROM developers WHERE id = ?"]
    # The same long module planted in a copy of the tree: found below tests/ and bench/, but not
    # under an exempt path nor in vendored code.
    for relative in ("tests/support/helper.py", "bench/new_part.py", *SIZE_EXEMPT, "tests/vendor/lib.py"):
        (tmp_path / "tree" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "tree" / relative).write_text(planted.read_text())
    assert long_modules_and_functions(modules_below_tests_and_bench(tmp_path / "tree")) == [
        "tests.support.helper: 602 lines",
        "tests.support.helper.f: 81 lines",
        "bench.new_part: 602 lines",
        "bench.new_part.f: 81 lines",
    ]

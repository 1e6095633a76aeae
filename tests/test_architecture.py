"""The architecture as tests (in the spirit of datasette's ``test_plugin_hooks_have_tests``):
what the README's Layout section and COMMON's rules promise, checked on the source.

- only ``ui.py``, ``pages/`` and ``app.py`` import streamlit;
- ``rules/`` is pure: it imports only pure libraries and other rules, opens nothing, reads
  no clock;
- only the connection layer (``db/connection.py``, ``db/backend.py``) imports duckdb, and it
  alone writes BEGIN / COMMIT / ROLLBACK and registers DataFrames; ``views/`` runs no SQL;
- only ``clock.py`` reads the time;
- every page file is routed by ``app.py``, every menu entry exists, and every page has an AppTest;
- functions ≤ 60 lines, modules ≤ 400 lines, pages ≤ 150 lines (``TOO_LONG`` lists what
  is still being split, each with its reason and the most lines it may have — to be emptied);
- no import cycles among module-level imports.

Each test names what broke; how each was seen to fail is in the commit that made it.
(The README's settings table and the progress tables have their meta-tests beside their
rules: ``test_settings.py``, ``test_progress.py``.)
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "indicators"
PAGES = ROOT / "pages"
APP = ROOT / "app.py"

MAX_FUNCTION, MAX_MODULE, MAX_PAGE = 60, 400, 150
# What is still too long: the most lines it may have until its split lands, and why it is
# long. A listed module or function that grows fails, and so does an entry that is no
# longer too long (remove its line); anything new that is too long fails.
TOO_LONG: dict[str, tuple[int, str]] = {}
PROJECT_SOURCES = [*sorted(PACKAGE.rglob("*.py")), *sorted(PAGES.glob("*.py")), APP,
                   *sorted((ROOT / "bench").glob("*.py"))]


def sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def rel(path: Path) -> str:
    return path.relative_to(SRC).as_posix() if path.is_relative_to(SRC) else path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, module: str, is_package: bool, top_level_only: bool = False) -> set[str]:
    """Every module ``tree`` imports (``from a import b`` gives a and a.b)."""
    nodes = tree.body if top_level_only else ast.walk(tree)
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            out |= {base} | {f"{base}.{a.name}" for a in node.names}
    return out


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def roots(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


# ---------------------------------------------------------------- who imports what


def is_ui(path: Path) -> bool:
    """``ui.py``, a ``ui_*.py`` beside it, or a module of a ``ui/`` package: the app's edge."""
    inside = path.relative_to(PACKAGE).parts
    return inside[0] == "ui" or (len(inside) == 1 and (path.stem == "ui" or path.stem.startswith("ui_")))


def test_only_ui_imports_streamlit():
    """Inside functions too: the domain must run and be tested without Streamlit."""
    offenders = [rel(p) for p in sources(PACKAGE)
                 if not is_ui(p) and "streamlit" in roots(imported(parsed(p), module_name(p), p.name == "__init__.py"))]
    assert offenders == [], "streamlit belongs in ui.py (ui_*.py, ui/) and pages/ only"


CONNECTION_LAYER = {PACKAGE / "db" / "connection.py", PACKAGE / "db" / "backend.py"}


def test_only_the_connection_layer_imports_duckdb():
    """Database errors become Chinese lines in one place: elsewhere catch ``indicators.errors``
    (``WriteConflict`` …) and annotate with ``indicators.db.connection.Connection``."""
    offenders = [rel(p) for p in PROJECT_SOURCES
                 if p not in CONNECTION_LAYER and "duckdb" in roots(imported(parsed(p), module_name_or_path(p), False))]
    assert offenders == [], "duckdb belongs in db/connection.py"


def module_name_or_path(path: Path) -> str:
    return module_name(path) if path.is_relative_to(SRC) else path.stem


def sql_strings(tree: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


# SQL is written in capitals here; "rollback" in lower case is an audit action, "commit" a page-load event
TRANSACTION_SQL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|ABORT|START\s+TRANSACTION|END\s+TRANSACTION)\b")
TRANSACTION_METHODS = {"begin", "commit", "rollback"}


def test_only_the_connection_writes_begin_commit_rollback():
    """All or nothing is ``con.transaction()`` / ``con.write()``: a BEGIN written out elsewhere
    does not nest, and a ROLLBACK there would undo the caller's outer unit."""
    offenders = []
    for path in PROJECT_SOURCES:
        if path in CONNECTION_LAYER:
            continue
        tree = parsed(path)
        if any(TRANSACTION_SQL.match(text) for text in sql_strings(tree)):
            offenders.append(rel(path))
        # a raw DuckDB connection's own methods (pipeline.commit(con, reading, …) is a batch, not SQL)
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in TRANSACTION_METHODS
               and not n.args and not n.keywords for n in ast.walk(tree)):
            offenders.append(rel(path))
    assert offenders == [], "use con.transaction() or con.write() (indicators.db.connection)"


def test_dataframes_are_registered_only_through_the_connection():
    """``with con.registered(name, frame)`` checks the name and always unregisters it."""
    offenders = [rel(p) for p in PROJECT_SOURCES if p not in CONNECTION_LAYER
                 and any(isinstance(n, ast.Attribute) and n.attr in ("register", "unregister")
                         for n in ast.walk(parsed(p)))]
    assert offenders == [], "use `with con.registered(name, frame):`"


# What a rule may import: pure computation. Anything else (files, database, network, pages,
# the clock, the settings object) is handed in as an argument.
PURE_LIBRARIES = {"__future__", "collections", "dataclasses", "datetime", "decimal", "enum", "fractions",
                  "functools", "itertools", "math", "numbers", "operator", "re", "statistics", "typing",
                  "unicodedata", "numpy", "pandas"}
PURE_PACKAGE_MODULES = ("indicators.rules", "indicators.errors")
IO_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}
IO_METHOD = re.compile(r"^(read_\w+|to_(csv|excel|parquet|json|pickle|sql|feather|html|clipboard|xml|hdf|stata)|"
                       r"write_\w+|open|load|loadtxt|savetxt|save|fromfile|tofile)$")


@pytest.mark.parametrize("path", sources(PACKAGE / "rules"), ids=rel)
def test_rules_do_no_io(path):
    """A rule is a function of its arguments: no database, files, network, pages or clock."""
    tree = parsed(path)
    names = imported(tree, module_name(path), path.name == "__init__.py")
    outside = {n for n in names if n.split(".")[0] not in PURE_LIBRARIES and n.split(".")[0] != "indicators"}
    ours = {n for n in names if n.split(".")[0] == "indicators"
            and not any(n == m or n.startswith(m + ".") for m in PURE_PACKAGE_MODULES)}
    assert outside | ours == set(), "a rule imports only pure libraries and other rules"
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert calls & IO_CALLS == set()
    methods = {node.func.attr for node in ast.walk(tree)
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and IO_METHOD.match(node.func.attr)}
    assert methods == set(), "a rule reads and writes no files"
    assert not CLOCK_READ.search(path.read_text(encoding="utf-8"))


CLOCK_READ = re.compile(r"\b(date|datetime|Timestamp)\s*\.\s*(today|now|utcnow)\s*\("
                        r"|\btime\s*\.\s*(time|time_ns|ctime)\s*\(|\b(localtime|gmtime)\s*\(|datetime64\(\s*[\"']now")


def test_only_the_clock_reads_the_time():
    readers = [rel(p) for p in [*sources(PACKAGE), *sources(PAGES), APP]
               if p != PACKAGE / "clock.py" and CLOCK_READ.search(p.read_text(encoding="utf-8"))]
    assert readers == [], "read the time through indicators.clock (it honours INDICATORS_TODAY and the time zone)"


SQL_TEXT = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY)\s", re.I)


def test_views_run_no_sql_of_their_own():
    """Page data shapes frames; the SQL lives in db/ readers (and the domain's stores)."""
    offenders = [rel(p) for p in sources(PACKAGE / "views")
                 if re.search(r"\.(execute|executemany|sql|query_df)\(", p.read_text("utf-8"))
                 or any(SQL_TEXT.match(text) for text in sql_strings(parsed(p)))]
    assert offenders == [], "move the query into a db/ reader (db.catalog, db.batches …) and call it"


def test_no_import_cycles():
    """Among module-level imports (what Python runs on import); an import inside a
    function runs later and is how a module reaches one that imports it."""
    modules = {module_name(p): p for p in sources(PACKAGE)}
    graph = {m: {d for d in imported(parsed(p), m, p.name == "__init__.py", top_level_only=True)
                 if d in modules and d != m} for m, p in modules.items()}
    cycle = _find_cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


# ---------------------------------------------------------------- pages


def menu_pages() -> list[str]:
    """The page files of app.py's PAGES list, read from its source."""
    for node in parsed(APP).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [entry[0] for entry in ast.literal_eval(node.value)]
    raise AssertionError("app.py has no PAGES list")


def test_every_page_in_the_menu_exists():
    assert [page for page in menu_pages() if not (ROOT / page).is_file()] == []


def test_every_page_file_is_routed_by_app_py():
    """A page file app.py never names is a page nobody can open (the menu's PAGES, or a
    page the router runs itself, such as a sign-in form)."""
    named = set(sql_strings(parsed(APP)))
    unrouted = [f"pages/{p.name}" for p in sorted(PAGES.glob("*.py"))
                if f"pages/{p.name}" not in named and p.name not in named]
    assert unrouted == [], "add the page to app.py's PAGES"


APPTEST_CALL = re.compile(r"\b(open_page|run_page|AppTest\.from_\w+)\(")


@pytest.mark.parametrize("page", menu_pages())
def test_every_page_has_an_apptest(page):
    """Some test outside tests/browser names the page file and runs pages under AppTest."""
    name = Path(page).name
    tests = [p for p in sources(ROOT / "tests") if "browser" not in p.parts and p.name.startswith("test_")]
    having = [rel(p) for p in tests if re.search(rf"[\"'/]{re.escape(name)}[\"']", p.read_text("utf-8"))
              and APPTEST_CALL.search(p.read_text("utf-8"))]
    assert having, f"no AppTest runs {page}"


# ---------------------------------------------------------------- the README's Layout


def readme_layout() -> str:
    """The code block under the README's ``## Layout`` heading."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^## Layout\n.*?^```\n(.*?)^```", readme, re.S | re.M)
    assert found, "README.md has no ## Layout section with a code block"
    return found.group(1)


def project_names() -> set[str]:
    """The names of the project's files and folders (not .git, .venv, caches)."""
    names: set[str] = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__" and d != "node_modules"]
        names |= set(dirs) | set(files)
    return names


def test_the_readme_layout_names_every_package_and_module():
    """Every package and module of ``src/indicators/`` (and every top-level folder of the
    project) is named in the Layout block, so the map matches the tree."""
    layout = readme_layout()
    names = [f"{p.name}/" for p in sorted(PACKAGE.iterdir()) if p.is_dir() and (p / "__init__.py").exists()]
    names += [p.name for p in sorted(PACKAGE.glob("*.py")) if p.name not in ("__init__.py", "__main__.py")]
    missing = [n for n in names if not re.search(rf"(?<![\w/]){re.escape(n)}", layout)]
    assert missing == [], "add a line to the README's Layout section"


def test_the_readme_layout_names_nothing_that_is_gone():
    """A folder or a .py file the Layout block names exists somewhere in the project."""
    layout = readme_layout()
    named = set(re.findall(r"(?<![\w/.])([a-z_][a-z0-9_]*(?:\.py|/))", layout))
    present = project_names()
    gone = sorted(n for n in named if n.rstrip("/") not in present)
    assert gone == [], "the README's Layout section names what is not in the tree"


# ---------------------------------------------------------------- sizes


def long_functions() -> dict[str, int]:
    out = {}
    for path in sources(PACKAGE):
        for node in ast.walk(parsed(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION:
                    out[f"{rel(path)}::{node.name}"] = lines
    return out


def long_modules() -> dict[str, int]:
    lengths = {rel(p): len(p.read_text("utf-8").splitlines()) for p in sources(PACKAGE)}
    return {name: n for name, n in lengths.items() if n > MAX_MODULE}


def too_long(found: dict[str, int]) -> list[str]:
    """What breaks the size rule: too long and not listed, or listed and longer than its line allows."""
    return sorted(f"{name}: {n} lines" for name, n in found.items() if n > TOO_LONG.get(name, (0, ""))[0])


def test_functions_are_at_most_60_lines():
    assert too_long(long_functions()) == [], f"split into named steps (≤ {MAX_FUNCTION} lines)"


def test_modules_are_at_most_400_lines():
    assert too_long(long_modules()) == [], f"a module of one noun: split it (≤ {MAX_MODULE} lines)"


def test_the_size_allow_list_holds_only_what_is_still_too_long():
    """Each entry says why; one whose split landed is removed, so the list can only shrink."""
    found = {**long_functions(), **long_modules()}
    assert [name for name, (_n, why) in TOO_LONG.items() if not why.strip()] == [], "give the entry its reason"
    assert sorted(set(TOO_LONG) - set(found)) == [], "no longer too long: remove its TOO_LONG line"


def test_pages_are_at_most_150_lines():
    assert [rel(p) for p in sources(PAGES) if len(p.read_text("utf-8").splitlines()) > MAX_PAGE] == []

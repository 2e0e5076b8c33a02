"""The rooms of docs/architecture.md and their arrows, checked in fresh interpreters.

import-linter (run by .ci/run, configured in pyproject.toml) checks the static
imports; these tests check what importing each module really loads, which also
catches an import hidden in a function that runs at import time. Each rule is
also shown to fail on a module that breaks it.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts)
              for p in (ROOT / "evaluation").rglob("*.py") if p.stem != "__main__")
CORE = [m.removesuffix(".__init__") for m in CORE]
PAGES = sorted((ROOT / "pages").glob("*.py"))
SHARED = ["evaluation.errors", "evaluation.access", "evaluation.text", "evaluation.limits",
          "evaluation.files", "evaluation.config", "evaluation.words"]
# What a module of each room may not load, not even indirectly.
FORBIDDEN = {
    # pandas 3 loads pyarrow for its strings itself; the method never imports it.
    "evaluation.method": ["duckdb", "plotly", "fpdf", "kaleido", "streamlit",
                          "evaluation.store", "evaluation.intake", "evaluation.output"],
    "evaluation.store": ["plotly", "fpdf", "kaleido", "streamlit", "evaluation.intake",
                         "evaluation.method", "evaluation.output"],
    "evaluation.output": ["duckdb", "streamlit", "evaluation.store", "evaluation.intake"],
    "evaluation.intake": ["plotly", "fpdf", "kaleido", "streamlit"],
    **{m: ["duckdb", "pandas", "numpy", "plotly", "pyarrow", "streamlit",
           "evaluation.store", "evaluation.intake", "evaluation.method", "evaluation.output"]
       for m in SHARED},
}


def loaded_by(module: str) -> set[str]:
    """Every module a fresh interpreter holds after `import module`."""
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def violations(module: str, forbidden: list[str]) -> list[str]:
    return sorted(m for m in loaded_by(module)
                  if any(m == f or m.startswith(f + ".") for f in forbidden))


def _rules(module: str) -> list[str]:
    return [f for room, fs in FORBIDDEN.items()
            if module == room or module.startswith(room + ".") for f in fs]


@pytest.mark.parametrize("module", CORE)
def test_each_module_loads_only_what_its_room_may(module):
    forbidden = ["streamlit", *_rules(module)]
    assert violations(module, forbidden) == [], f"{module} loads what its room may not"


def test_the_check_fails_on_a_module_that_breaks_a_rule():
    # The report draws with plotly and writes PDF with fpdf: as a method module it would fail.
    assert "fpdf" in violations("evaluation.output.report", FORBIDDEN["evaluation.method"])
    assert "duckdb" in violations("evaluation.intake.importer", FORBIDDEN["evaluation.output"])


def test_every_module_of_the_core_has_a_room():
    rooms = tuple(FORBIDDEN) + ("evaluation.cli", "evaluation.cli_survey",
                                "evaluation.cli_fetch", "evaluation.cli_text", "evaluation.cli_kept",
                                "evaluation.cli_copy",
                                "evaluation")
    assert all(m in rooms or m.startswith(tuple(r + "." for r in FORBIDDEN)) for m in CORE)


def test_import_linter_contracts_hold():
    code = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


SQL = re.compile(r"\b(select|insert|update|delete)\b[^\n]*\bfrom\b|duckdb", re.IGNORECASE)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_hold_no_sql_and_no_store_connection(page):
    text = page.read_text(encoding="utf-8")
    assert not SQL.search(text), f"{page.name}: keep SQL in evaluation/"
    assert "go.Figure(" not in text, f"{page.name}: build figures in evaluation/output"


def _python_files() -> list[Path]:
    return [*(ROOT / "evaluation").rglob("*.py"), *PAGES, ROOT / "ui.py", ROOT / "ui_language.py",
            ROOT / "ui_tables.py", ROOT / "login.py", ROOT / "dashboard.py"]


def test_every_module_explains_why_it_exists():
    for path in _python_files():
        text = path.read_text(encoding="utf-8").lstrip()
        assert text.startswith('"""') or path.name == "__init__.py" and not text, path


def test_modules_stay_small_and_long_functions_say_why():
    """Modules under 400 lines; a function over 40 lines says in its docstring why
    ('Long because ...')."""
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, f"{path.relative_to(ROOT)} is over 400 lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                reason = "Long because" in (ast.get_docstring(node) or "")
                assert length <= 40 or reason, (
                    f"{path.relative_to(ROOT)}: {node.name} has {length} lines and no reason")


def _runtime_imports(path: Path) -> set[str]:
    """The evaluation modules a file imports when it runs (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("evaluation"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("evaluation")}
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph` (module -> modules it imports), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return None

    return next((c for n in sorted(graph) if n not in state and (c := visit(n))), None)


def test_no_module_of_the_core_imports_itself_round_a_circle():
    graph = {".".join(p.relative_to(ROOT).with_suffix("").parts): _runtime_imports(p)
             for p in (ROOT / "evaluation").rglob("*.py")}
    assert find_cycle(graph) is None
    # the check finds a circle where there is one (cleaning and numbers once were)
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]

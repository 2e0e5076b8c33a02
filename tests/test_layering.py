"""Import hygiene: the core never loads Streamlit; pages hold no SQL and open no store."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = sorted(p.stem for p in (ROOT / "evaluation").glob("*.py") if p.stem != "__main__")
PAGES = sorted((ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_streamlit(module):
    name = "evaluation" if module == "__init__" else f"evaluation.{module}"
    code = f"import sys, {name}; sys.exit('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"{name} pulls in streamlit: {result.stderr}"


SQL = re.compile(r"\b(select|insert|update|delete)\b[^\n]*\bfrom\b|duckdb", re.IGNORECASE)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_hold_no_sql_and_no_store_connection(page):
    text = page.read_text(encoding="utf-8")
    assert not SQL.search(text), f"{page.name}: keep SQL in evaluation/"
    assert "go.Figure(" not in text, f"{page.name}: build figures in evaluation/figures"


def test_every_core_module_explains_why_it_exists():
    for path in (ROOT / "evaluation").glob("*.py"):
        text = path.read_text(encoding="utf-8").lstrip()
        assert text.startswith('"""'), f"{path.name} has no module docstring"

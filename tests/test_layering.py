"""The data flow runs intake -> interpretation -> triage -> design: no stage before design imports it.

Checked twice: statically over every module's source (imports at any depth, and module names passed as
strings to importlib), and at run time in a fresh interpreter that assesses a DMD exon deletion (frame
arithmetic, amenability, editability, products) and matches trial criteria, then looks at `sys.modules`.
Command shells (`cli.py`) compose the whole pipeline (`rarepath assess --reference` attaches reagent designs)
and are not stages, so they are left out of the static check.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

SRC = REPO / "src" / "rarepath"
#: the stages that come before design, and the knowledge they all read
BEFORE_DESIGN = ("intake", "interpret", "knowledge", "triage", "trials", "model")
FORBIDDEN = "rarepath.design"


def _imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import statement and every string constant naming a rarepath module."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
            out.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Call):  # importlib.import_module("..."), resources.files("...")
            out.extend((node.lineno, a.value) for a in node.args
                       if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.startswith("rarepath."))
    return out


def _offences(package: str) -> list[str]:
    found = []
    for path in sorted((SRC / package).rglob("*.py")):
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imported_names(tree):
            if name == FORBIDDEN or name.startswith(FORBIDDEN + "."):
                found.append(f"{path.relative_to(REPO)}:{line} imports {name}")
        for node in ast.walk(tree):  # `from rarepath import design`
            if isinstance(node, ast.ImportFrom) and node.module == "rarepath" and any(
                    a.name == "design" for a in node.names):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} imports rarepath.design")
    return found


@pytest.mark.parametrize("package", BEFORE_DESIGN)
def test_no_stage_before_design_imports_it(package):
    assert (SRC / package).is_dir(), package  # the project's own code: fail, never skip, if missing
    assert _offences(package) == []


def test_the_static_check_sees_a_backward_import():
    code = ("def f():\n    from rarepath.design.aso.regions import load_region\n"
            "import importlib\nimportlib.import_module('rarepath.design.crispr')\n")
    names = [n for _, n in _imported_names(ast.parse(code))]
    assert "rarepath.design.aso.regions" in names and "rarepath.design.crispr" in names


RUNTIME = """
import json, sys
from rarepath.intake.quick import case_from_options
from rarepath.triage.engine import assess_case
from rarepath.trials.criteria import PatientView
case = case_from_options("DMD", "deletion of exons 48-50", "hemizygous", None)
a = assess_case(case)
assert any(o.extra.get("exon_skipping") for o in a.options), "frame analysis did not run"
assess_case(case_from_options("DMD", "c.7000C>T p.(Gln2334Ter)", "hemizygous", None))  # editability, amenability
assert PatientView.from_case(case).skippable_exons == {51}, "trial criteria did not run the frame"
print(json.dumps(sorted(m for m in sys.modules if m.startswith("rarepath.design"))))
"""


def test_assessing_a_case_loads_no_design_module():
    res = subprocess.run([sys.executable, "-c", RUNTIME], capture_output=True, text=True, cwd=REPO, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads(res.stdout.strip().splitlines()[-1]) == []

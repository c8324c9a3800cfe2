"""dvc.yaml lists, for each new stage, exactly the package modules its script imports (transitively).

A module missing from `deps` means DVC skips a stage whose code changed; an extra one re-runs it for nothing.
"""

import ast

import pytest
import yaml
from conftest import ROOT

STAGES = ["eda", "correlate", "explain"]


def imported_modules(path) -> set[str]:
    """Files of oneclick/ (and the stage script) that `path` imports, directly or through each other."""
    seen, todo = set(), [path.relative_to(ROOT).as_posix()]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for node in ast.walk(ast.parse((ROOT / current).read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                if name == "oneclick":
                    todo.append("oneclick/__init__.py")
                elif name.startswith("oneclick."):
                    todo.append(name.replace(".", "/") + ".py")
    return seen


@pytest.mark.parametrize("stage", STAGES)
def test_deps_are_exactly_the_imported_modules(stage):
    spec = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"][stage]
    code_deps = {d for d in spec["deps"] if d.endswith(".py")}
    assert code_deps == imported_modules(ROOT / "stages" / f"{stage}.py")

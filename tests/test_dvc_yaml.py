"""dvc.yaml declares, for every stage, exactly the project files its command imports.

A missing dep means DVC would skip a stage whose code changed, an extra one re-runs it for nothing; this test reads
the imports of each stage script (transitively, within the repo) to catch it.
"""

import ast

import yaml
from conftest import ROOT

DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))


def local_imports(module: str, seen=None) -> set[str]:
    """Repo files imported by `module` (dotted name), transitively, as relative paths."""
    seen = set() if seen is None else seen
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.is_file() or str(path) in seen:
        return set()
    seen.add(str(path))
    found = {path.relative_to(ROOT).as_posix()}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name.split(".")[0] in ("oneclick", "stages"):
                found |= local_imports(name, seen)
    return found


def stages():
    for name, stage in DVC["stages"].items():
        yield name, stage.get("do", stage)


def test_every_stage_declares_the_code_it_runs():
    for name, stage in stages():
        module = stage["cmd"].split("python -m ")[1].split()[0]
        needed = {p for p in local_imports(module) if not p.endswith("__init__.py")}
        deps = {d for d in stage.get("deps", []) if isinstance(d, str)}
        code = {d for d in deps if d.startswith(("oneclick/", "stages/"))}
        missing, extra = sorted(needed - code), sorted(code - needed)
        assert not missing, f"stage {name} imports {missing} but does not list them in deps"
        assert not extra, f"stage {name} lists {extra} in deps but does not import them (re-runs for nothing)"

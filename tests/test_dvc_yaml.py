"""dvc.yaml: every stage depends on the code it runs, and bytecode is not code.

Each stage lists the package directory and its own script. One entry per stage
instead of every module it imports keeps dvc.lock short, and DVC re-reads and
rewrites that file after every stage (about half of `dvc repro`'s own time went
there). The price: editing any module of the package re-runs every stage.
"""

import ast

import yaml
from conftest import ROOT
from dvc.repo import Repo

DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))
PACKAGE = "oneclick"


def stages():
    for name, stage in DVC["stages"].items():
        yield name, stage.get("do", stage)


def script_of(stage: dict) -> str:
    return "stages/" + stage["cmd"].split("python -m stages.")[1].split()[0] + ".py"


def repo_imports(path) -> set[str]:
    """Top-level names of the repo's own modules that a file imports (function-level imports too)."""
    found = set()
    for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
    return found & {PACKAGE, "stages", "tests", "benchmarks", "tools"}


def test_every_stage_depends_on_the_package_and_its_own_script():
    for name, stage in stages():
        deps = [d for d in stage.get("deps", []) if isinstance(d, str)]
        script = script_of(stage)
        code = [d for d in deps if d.startswith((PACKAGE, "stages"))]
        assert code == [PACKAGE, script], f"stage {name}: code deps {code}, expected {[PACKAGE, script]}"


def test_stage_scripts_and_the_package_import_no_other_repo_code():
    """Otherwise a stage would run code it does not depend on (a stage script importing another, say)."""
    for name, stage in stages():
        assert repo_imports(script_of(stage)) <= {PACKAGE}, name
    for path in (ROOT / PACKAGE).glob("*.py"):
        assert repo_imports(path.relative_to(ROOT)) <= {PACKAGE}, path.name


def test_bytecode_in_the_package_is_not_a_change():
    repo = Repo(str(ROOT))
    try:
        assert repo.dvcignore.is_ignored(repo.fs, f"{ROOT}/{PACKAGE}/__pycache__/cli.cpython-311.pyc")
        assert not repo.dvcignore.is_ignored(repo.fs, f"{ROOT}/{PACKAGE}/cli.py")
    finally:
        repo.close()


def test_lock_holds_only_stages_of_dvc_yaml():
    """DVC keeps the lock entry of a removed stage; the committed lock must not (python -m tools.prune_lock)."""
    with Repo(str(ROOT)) as repo:
        names = {stage.addressing for stage in repo.index.stages}
    lock = yaml.safe_load((ROOT / "dvc.lock").read_text(encoding="utf-8"))
    stale = sorted(set(lock["stages"]) - names)
    assert not stale, f"dvc.lock has stages dvc.yaml no longer defines: {stale}; run `python -m tools.prune_lock`"

"""dvc.yaml: every stage depends on exactly the code it runs, its outputs are the paths the code names, and bytecode
is not code.

A stage's code deps are its script and its import closure in the package (tools/stage_deps.py reads it from the
code): a module it imports but does not list would leave stale outputs that look current; a module it lists but
does not import would re-run it for nothing.
"""

import ast
import shutil
import types

import yaml
from conftest import ROOT
from dvc.repo import Repo

from oneclick.common import paths
from tools.stage_deps import PACKAGE, code_deps, covered, needed_deps, stages

PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))


def deps_differences(root=ROOT) -> list[str]:
    """One line per stage whose code deps are not its closure, naming the modules missing and needless."""
    out = []
    for name, stage, script in stages(root):
        listed, needed = code_deps(stage), needed_deps(script, root)
        if script.as_posix() not in listed:
            out.append(f"stage {name}: does not list its script {script.as_posix()}")
        missing = sorted(p.as_posix() for p in covered(needed, root) - covered(listed, root))
        needless = sorted(p.as_posix() for p in covered(listed, root) - covered(needed, root))
        if missing:
            out.append(f"stage {name}: imports {missing} but does not depend on them")
        if needless:
            out.append(f"stage {name}: depends on {needless} but does not import them")
        if not missing and not needless and listed != needed:
            out.append(f"stage {name}: lists {listed}, expected {needed}")
    return out


def test_every_stage_depends_on_exactly_its_import_closure():
    problems = deps_differences()
    assert not problems, "\n".join(problems) + "\nrun `python -m tools.stage_deps --write`"


def test_an_import_of_another_concern_is_a_missing_dep_named_with_its_stage(tmp_path):
    """What happens when someone adds an import to a stage's code and forgets dvc.yaml."""
    for part in (PACKAGE, "stages"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    assert deps_differences(tmp_path) == []
    eda = tmp_path / PACKAGE / "insight" / "eda.py"
    eda.write_text(eda.read_text(encoding="utf-8") + "\nfrom oneclick.campaign.plan import make_plan  # noqa\n",
                   encoding="utf-8")
    problems = deps_differences(tmp_path)
    assert any(p.startswith("stage eda: imports") and "oneclick/campaign/plan.py" in p
               and "oneclick/campaign/offers.py" in p for p in problems), problems
    assert not any(p.startswith("stage correlate") for p in problems)


def test_stage_scripts_and_the_package_import_no_other_repo_code():
    """Otherwise a stage would run code outside its deps (a stage script importing another, say)."""
    def repo_imports(path):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
        return found & {PACKAGE, "stages", "tests", "benchmarks", "tools"}

    for _, _, script in stages():
        assert repo_imports(ROOT / script) <= {PACKAGE}, script
    for path in (ROOT / PACKAGE).rglob("*.py"):
        assert repo_imports(path) <= {PACKAGE}, path


# The floors of the house: a module imports only from lower floors, or from its own concern. `oneclick` is the
# package's __init__ (its version); engineer, labels and registry hold the functions model files name.
FLOORS = {"common": 0, "oneclick": 0, "stats": 1, "markdown": 1, "plots": 1, "data": 1, "engineer": 2, "labels": 2,
          "registry": 3, "model": 4, "insight": 5, "monitor": 5, "campaign": 6, "report": 7, "params": 8, "predict": 9,
          "readout": 9, "raw_import": 9}


def _concern(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _import_graph() -> dict[str, set[str]]:
    from tools.stage_deps import imported_modules

    graph = {}
    for path in (ROOT / PACKAGE).rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph[name] = imported_modules(path)
    return graph


def test_the_house_has_few_top_level_modules_no_upward_import_and_no_cycle():
    import networkx as nx

    top = sorted(p.name for p in (ROOT / PACKAGE).glob("*.py"))
    assert len(top) <= 12, top
    graph = _import_graph()
    assert set(map(_concern, graph)) <= set(FLOORS), set(map(_concern, graph)) - set(FLOORS)
    upward = sorted(f"{a} imports {b}" for a, imports in graph.items() for b in imports
                    if _concern(a) != _concern(b) and FLOORS[_concern(b)] >= FLOORS[_concern(a)])
    assert not upward, upward
    cycles = list(nx.simple_cycles(nx.DiGraph([(a, b) for a, imports in graph.items() for b in imports
                                              if b != a and not a.startswith(b + ".")])))
    assert not cycles, cycles


def _named_paths() -> set[str]:
    """Every path oneclick/common/paths.py names, its functions applied to this params.yaml's names."""
    parts, models = ("train", "labelled"), list(PARAMS["models"])
    names = {k: v for k, v in vars(paths).items() if not k.startswith("_")}
    values = {v for v in names.values() if isinstance(v, str) and "/" in v}
    values |= {path for v in names.values() if isinstance(v, dict) for path in v.values()}
    for f in (f for f in names.values() if isinstance(f, types.FunctionType)):
        args = {"part_data": [(p,) for p in parts], "part_scores": [(p,) for p in parts],
                "calibration_metrics": [(p,) for p in parts],
                "cv_metrics": [(p, m) for p in parts for m in models],
                "cv_folds": [(p, m) for p in parts for m in models],
                "readout_metrics": [(c,) for c in PARAMS["readout"]["campaigns"]],
                    "readout_table": [(c,) for c in PARAMS["readout"]["campaigns"]],
                    "qini_plot": [(c,) for c in PARAMS["readout"]["campaigns"]],
                    "qini_curves": [(c,) for c in PARAMS["readout"]["campaigns"]],
                "monitor_metrics": [(e,) for e in PARAMS["monitor"]["exports"]],
                "reliability_plot": [(f"{w}_{k}",) for w in ("test", "oof_train", "oof_labelled")
                                     for k in ("raw", "calibrated")],
                "search_timing": []}[f.__name__]
        values |= {f(*a) for a in args}
    return values


def test_every_output_of_dvc_yaml_is_a_path_the_code_names():
    """dvc.yaml and oneclick/common/paths.py name the same files: an output the code writes under another name
    would be missing at the end of its stage, one the code never writes would not be tracked."""
    with Repo(str(ROOT)) as repo:
        outs = {out.def_path for stage in repo.index.stages for out in stage.outs}
    named = _named_paths()
    inside = {"models/production/", "models/calibration.json", "models/reference", "data/simulated/campaigns/"}
    unnamed = sorted(o for o in outs if o not in named and not o.startswith(tuple(inside)))
    assert not unnamed, f"dvc.yaml outputs no path of oneclick/common/paths.py names: {unnamed}"


def test_bytecode_in_the_package_is_not_a_change():
    repo = Repo(str(ROOT))
    try:
        assert repo.dvcignore.is_ignored(repo.fs, f"{ROOT}/{PACKAGE}/common/__pycache__/cli.cpython-311.pyc")
        assert not repo.dvcignore.is_ignored(repo.fs, f"{ROOT}/{PACKAGE}/common/cli.py")
    finally:
        repo.close()


def test_lock_holds_only_stages_of_dvc_yaml():
    """DVC keeps the lock entry of a removed stage; the committed lock must not (python -m tools.prune_lock)."""
    with Repo(str(ROOT)) as repo:
        names = {stage.addressing for stage in repo.index.stages}
    lock = yaml.safe_load((ROOT / "dvc.lock").read_text(encoding="utf-8"))
    stale = sorted(set(lock["stages"]) - names)
    assert not stale, f"dvc.lock has stages dvc.yaml no longer defines: {stale}; run `python -m tools.prune_lock`"

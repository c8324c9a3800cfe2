"""A throw-away copy of the repository, for running stages and `dvc` as a user would."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".venv", ".git", "data", "models", "logs", "__pycache__", ".pytest_cache",
                                ".ruff_cache", "tmp", "cache", "metrics", "plots")

# small and quick, but the same stages and models as the default run
FAST = {
    "synthesize.n_customers": 300,
    "cv.folds": 3,
    "cv.repeats": 1,
    "models.knn.grid": {"n_neighbors": [10, 25]},
    "models.tree.grid": {"max_depth": [3, 5]},
    "models.logreg.grid": {"C": [0.5, 1]},
    "models.svc.grid": {"C": [1]},
}


def env() -> dict:
    """The current interpreter's bin first on PATH, so `dvc` and `python` are the venv's."""
    out = dict(os.environ)
    out["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{out.get('PATH', '')}"
    out.pop("PYTHONPATH", None)
    return out


def run(cmd: list[str], cwd, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def set_params(path: Path, changes: dict) -> None:
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        node = params
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_workspace(dest: Path, changes: dict | None = None, git: bool = False) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    for stale in ("dvc.lock",):
        (dest / stale).unlink(missing_ok=True)
    set_params(dest / "params.yaml", {**FAST, **(changes or {})})
    if git:
        run(["git", "init", "-q", "-b", "main"], dest)
        run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A"], dest)
        run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"], dest)
    return dest


def ran_stages(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")]

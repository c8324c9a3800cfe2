"""A throw-away copy of the repository, to run `dvc` in as a user would.

Used by the end-to-end tests, the benchmark and the real-data results
command, so that none of them touches the working copy's outputs.
"""

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
ANYWHERE = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "tmp", "cache")
OUTPUTS = {"data", "models", "logs", "metrics", "plots", "reports"}  # at the top only: .dvc/plots holds a template


def _skip(source: Path):
    def ignore(directory, names):
        skipped = set(ANYWHERE(directory, names))
        return skipped | (OUTPUTS & set(names)) if Path(directory) == source else skipped
    return ignore


def env(extra: dict | None = None) -> dict:
    """The running interpreter's bin first on PATH, so `dvc` and `python` are the venv's; `extra` variables set."""
    out = dict(os.environ)
    out["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{out.get('PATH', '')}"
    out.pop("PYTHONPATH", None)
    return {**out, **(extra or {})}


def run(cmd: list[str], cwd, check=True, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env(extra_env), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def set_params(path: Path, changes: dict) -> None:
    """Set dotted keys of a params file, written as `dvc exp run -S` writes it (so a later -S changes only its
    own lines); a value of None under `models.` removes that model."""
    from dvc.utils.serialize import modify_yaml

    with modify_yaml(path) as params:
        for key, value in changes.items():
            node = params
            *parents, last = key.split(".")
            for part in parents:
                node = node[part]
            if value is None and key.startswith("models."):
                node.pop(last, None)
            else:
                node[last] = value


def make_sandbox(dest: Path, changes: dict | None = None, git: bool = False, source: Path = ROOT) -> Path:
    """Copy the repository's sources (or those of another tree) to `dest` (no outputs, no lock), apply param
    changes."""
    shutil.copytree(source, dest, ignore=_skip(Path(source)))
    for readme in (r for top in OUTPUTS for r in Path(source).glob(f"{top}/*/README.md")):  # folders stages need
        (dest / readme.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(readme, dest / readme.relative_to(source))
    (dest / "dvc.lock").unlink(missing_ok=True)
    if changes:
        set_params(dest / "params.yaml", changes)
    if git:
        run(["git", "init", "-q", "-b", "main"], dest)
        # dvc exp commits too: a repo-local identity so a machine without a global one works
        run(["git", "config", "user.name", "sandbox"], dest)
        run(["git", "config", "user.email", "sandbox@localhost"], dest)
        commit(dest, "sandbox")
    return dest


def export_revision(rev: str, dest: Path) -> Path:
    """The files of git revision `rev` of this repository in `dest` (to time it beside the working copy)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def commit(repo: Path, message: str) -> None:
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-qm", message], repo)


def lock_outputs(lock_text: str) -> dict:
    """Every stage output's md5 in a dvc.lock's text: the same md5, the same bytes."""
    lock = yaml.safe_load(lock_text)
    return {out["path"]: out["md5"] for stage in lock["stages"].values() for out in stage.get("outs", [])}


def ran_stages(output: str) -> list[str]:
    """Stage names from `dvc repro` / `dvc exp run` output, in the order they ran."""
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")]

"""Same params and data give byte-identical outputs: a second run, from scratch in another folder, against the
session's baseline (workspace.py). It builds while the baseline builds, on another pytest-xdist worker."""

import hashlib
import sys

import pytest
from workspace import FAST_BASELINE, make_workspace, run, shared_baseline

pytestmark = pytest.mark.e2e

OUTPUTS = ("data", "models", "metrics", "plots", "reports")


def digests(ws) -> dict:
    return {str(p.relative_to(ws)): hashlib.sha256(p.read_bytes()).hexdigest()
            for top in OUTPUTS if (ws / top).exists() for p in sorted((ws / top).rglob("*")) if p.is_file()}


def test_a_second_run_from_scratch_is_byte_identical(tmp_path, synthetic_dir, tmp_path_factory):
    again = make_workspace(tmp_path / "again", FAST_BASELINE, git=True)
    run([sys.executable, "-m", "oneclick.raw_import", str(synthetic_dir), "--name", "store"], again)
    run(["dvc", "repro"], again)
    built, _ = shared_baseline(tmp_path_factory, synthetic_dir)
    first, second = digests(built), digests(again)
    assert first.keys() == second.keys()
    assert [path for path in first if first[path] != second[path]] == []
    assert (built / "dvc.lock").read_bytes() == (again / "dvc.lock").read_bytes()

"""The verdict against real `dvc exp run`s whose answers are known in advance (`make exps`, tools/exps.py).

A copy of the session's baseline sandbox (k-NN and SVC, 5-fold CV repeated twice: workspace.py); the experiments
run only the stages a verdict reads (`evaluate`, `select@labelled` and what they need).
"""

import sys

import pytest
from workspace import FAST, copy_of, run, shared_baseline

pytestmark = pytest.mark.e2e

TARGETS = ["evaluate", "select@labelled"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory, synthetic_dir):
    built, _ = shared_baseline(tmp_path_factory, synthetic_dir)
    ws = copy_of(built, tmp_path_factory.mktemp("verdict") / "repo")
    assert FAST["cv.folds"] == 5 and FAST["cv.repeats"] == 2  # the intervals need the folds
    experiments = {
        "one-nn": ["-S", "models.knn.grid.n_neighbors=[1]", "-S", "~models.svc"],  # a deliberately worse model
        "other-split": ["-S", "split.seed=7"],
    }
    for name, args in experiments.items():
        run(["dvc", "exp", "run", "-n", name, *args, *TARGETS], ws)
        run(["git", "reset", "-q", "--hard"], ws)
        run(["dvc", "checkout", "--force", "-q"], ws)
    return ws


@pytest.fixture(scope="module")
def ranking(repo) -> str:
    """tools.exps' output below dvc's table: the verdicts."""
    return run([sys.executable, "-m", "tools.exps"], repo).stdout.split("\n\n", 1)[1]


@pytest.fixture(scope="module")
def rows(ranking):
    """tools.exps' verdicts: one row per experiment, cells split."""
    return {cells[0]: cells for cells in ([c.strip() for c in line.strip("|").split("|")]
                                          for line in ranking.splitlines() if line.startswith("| "))}


def test_a_one_nearest_neighbour_is_worse_on_every_line(rows):
    _, state, selected, cv, cv_word, test, test_word, production, production_word, _, profit = rows["one-nn"]
    assert (state, selected) == ("success", "knn")
    assert profit.startswith("not comparable: the campaign stage did not run for ")  # only TARGETS ran
    assert cv_word == test_word == production_word == "**worse**", rows["one-nn"]
    for cell in (cv, test, production):  # the whole interval below 0
        delta, low, high = (float(v) for v in cell.replace("[", "").replace("]", "").replace(",", "").split())
        assert low <= delta <= high < 0


def test_another_split_is_not_comparable_on_the_train_part_only(rows):
    row = rows["other-split"]
    assert row[4].startswith("not comparable: the folds hold other customers")
    assert row[6].startswith("not comparable: other test customers")
    assert row[8] == "**no detectable difference**"  # the production pass does not use the split


def test_comparable_experiments_rank_first(ranking):
    names = [line.split("|")[1].strip() for line in ranking.splitlines() if line.startswith("| ")][1:]
    assert names == ["one-nn", "other-split"]  # then the others by name

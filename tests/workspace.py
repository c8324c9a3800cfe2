"""The sandbox with small, quick params for the end-to-end tests."""

from tools.sandbox import commit, env, make_sandbox, ran_stages, run, set_params  # noqa: F401

# small and quick, but the same stages and models as the default run
FAST = {
    "synthesize.n_customers": 300,
    "cv.folds": 3,
    "cv.repeats": 1,
    "models.knn.grid": {"n_neighbors": [10, 25]},
    "models.tree.grid": {"max_depth": [3, 5]},
    "models.logreg.grid": {"C": [0.5, 1]},
    "models.svc.grid": {"C": [1]},
    "models.extra_trees.args": {"n_estimators": 30, "random_state": 42},
    "models.extra_trees.grid": {"min_samples_leaf": [1, 4]},
    "models.knn_trees.members.extra_trees.args": {"n_estimators": 30, "random_state": 42},
}


def make_workspace(dest, changes=None, git=False):
    return make_sandbox(dest, {**FAST, **(changes or {})}, git=git)

import os
import shutil
from pathlib import Path

import pytest

from oneclick.data.synthesize import draw_customers, write_raw_files

ROOT = Path(__file__).resolve().parents[1]
# the real files live outside the repo, in ../shared (ONECLICK_REAL_DATA points elsewhere)
REAL_DIR = Path(os.environ.get("ONECLICK_REAL_DATA", ROOT.parent / "shared" / "data" / "market"))


# The longest test files first: pytest-xdist (make test) hands whole files to the workers in this order (with
# --no-loadscope-reorder; by default it orders files by their number of tests), so the end-to-end runs overlap
# instead of queueing at the end; within a file the order stays.
FIRST = ["test_pipeline.py", "test_determinism.py", "test_cluster.py", "test_review_verdict.py", "test_experiments.py",
         "test_team.py", "test_raw_import.py", "test_drift.py", "test_plots_page.py", "test_predict.py",
         "test_readout.py"]


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def real_dir():
    if not (REAL_DIR / "market_file.csv").is_file():
        pytest.skip(f"real data not found at {REAL_DIR} (it lives in ../shared, outside the repo; "
                    "set ONECLICK_REAL_DATA to its folder)")
    return REAL_DIR


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    write_raw_files(draw_customers(400, seed=1, separation=0.9), out)
    return out


@pytest.fixture
def raw_copy(synthetic_dir, tmp_path):
    """A writable copy of the synthetic raw files, for breaking them on purpose."""
    out = tmp_path / "raw"
    shutil.copytree(synthetic_dir, out)
    return out


def edit_file(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a raw file, keeping its bytes otherwise (CRLF and all)."""
    data = path.read_bytes().decode("utf-8")
    assert old in data, f"{old!r} not in {path.name}"
    path.write_bytes(data.replace(old, new, count).encode("utf-8"))


@pytest.fixture(scope="session")
def synthetic_table(synthetic_dir):
    """The model table `prepare` builds from the synthetic raw files."""
    from oneclick.data.load import read_export
    from oneclick.data.prepare import build_table

    return build_table(read_export(synthetic_dir).frames, revenue_max=20_000)[0]


@pytest.fixture(scope="session")
def synthetic_split(synthetic_table):
    """(X_train, X_test, y_train, y_test) of the synthetic table, stratified and seeded like `split`."""
    from sklearn.model_selection import train_test_split

    from oneclick.data.columns import TARGET
    from oneclick.model.features import xy

    train, test = train_test_split(synthetic_table, test_size=0.25, random_state=0,
                                   stratify=synthetic_table[TARGET])
    (X_train, y_train), (X_test, y_test) = xy(train), xy(test)
    return X_train, X_test, y_train, y_test

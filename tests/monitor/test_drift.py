"""The drift check: few false alarms, the shifted features named, no claim on a handful of customers, a small
reference that loads as plain JSON and CSV."""

import json

import numpy as np
import pandas as pd
import pytest
from segment_fixtures import PARAMS

from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.data.synthesize import draw_customers, shifted, write_raw_files
from oneclick.monitor.drift import check, feature_tests, holm, make_reference, psi, verdict

SPEC = PARAMS["monitor"]
DATA = {"raw_dir": "data/synthetic", "synthetic": True, "dvc_hash": "x"}


def table_of(customers: pd.DataFrame, tmp_path) -> pd.DataFrame:
    """The model table prepare makes of these customers (cleaning included)."""
    write_raw_files(customers, tmp_path)
    return build_table(read_export(tmp_path).frames, PARAMS["prepare"]["revenue_max"])[0]


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    return table_of(draw_customers(3000, seed=21, separation=0.9), tmp_path_factory.mktemp("population"))


def test_holm_and_psi_by_hand():
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.2]), [0.04, 0.09, 0.09, 0.2])
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.25 * np.log(0.5) * -1 + 0.25 * np.log(1.5))


@pytest.mark.slow
def test_random_splits_of_one_population_rarely_alarm(population):
    """200 splits of one population into a reference of 1000 and an export of 500: the Holm-corrected check
    alarms in about `alpha` of them at most, and single features at the corrected rate. (The classifier's p-value
    is exact with any number of trees: 20 here, for time.)"""
    spec = {**SPEC, "domain": {**SPEC["domain"], "trees": 20, "permutations": 340}}
    rng = np.random.default_rng(0)
    alarms, flagged, splits = 0, 0, 200
    for i in range(splits):
        order = rng.permutation(len(population))
        reference, sample = make_reference(population.iloc[order[:1000]], 1000, i, DATA)
        record = check(reference, sample, population.iloc[order[1000:1500]], {**spec, "domain": {**spec["domain"],
                                                                                                  "seed": i}})
        alarms += record["dataset_drift"]
        flagged += len(record["drifted_features"])
    assert alarms / splits <= 0.075, alarms
    assert flagged / (splits * 16) <= SPEC["alpha"] / 16 * 1.5


def test_a_shifted_export_names_the_shifted_features(population, tmp_path):
    reference, sample = make_reference(population, SPEC["reference_rows"], 0, DATA)
    month = draw_customers(600, seed=5, separation=0.9, first_id=2_000_000)
    moved = table_of(shifted(month, {"marketing_6m": 1.5, "minutes_prev": 0.7, "minutes_current": 0.7}), tmp_path)
    record = check(reference, sample, moved, SPEC)
    assert record["dataset_drift"]
    assert {"marketing_6m", "minutes_prev", "minutes_current"} <= set(record["drifted_features"])
    assert len(record["drifted_features"]) <= 5  # and few others
    assert record["domain"]["drift"] and record["domain"]["roc_auc"] > 0.8
    assert set(record["domain"]["top_features"]) & {"marketing_6m", "minutes_prev", "minutes_current"}
    assert record["verdict"].startswith(f"drift in {len(record['drifted_features'])} of 16 features: ")
    same = table_of(month, tmp_path / "same")
    clean = check(reference, sample, same, SPEC)
    assert not clean["dataset_drift"] and clean["verdict"] == "no drift detected" and clean["drifted_features"] == []


def test_a_handful_of_customers_is_too_few_to_tell(population):
    reference, sample = make_reference(population, 1000, 0, DATA)
    record = check(reference, sample, population.iloc[:15], SPEC)
    assert record["verdict"] == f"too few customers to tell (15 < monitor.min_rows {SPEC['min_rows']})"
    assert not record["dataset_drift"] and record["features"] == []


def test_the_reference_of_a_million_customers_is_small_plain_data(tmp_path):
    customers = draw_customers(1_000_000, seed=3, separation=0.9)
    reference, sample = make_reference(customers, SPEC["reference_rows"], 0, DATA)
    (tmp_path / "reference.json").write_text(json.dumps(reference))
    sample.to_csv(tmp_path / "reference_sample.csv", index=False)
    size = sum(p.stat().st_size for p in tmp_path.iterdir())
    assert size <= 1_000_000, size
    assert json.loads((tmp_path / "reference.json").read_text())["customers"] == 1_000_000
    assert len(pd.read_csv(tmp_path / "reference_sample.csv")) == SPEC["reference_rows"]


def test_the_verdict_names_new_categories_alone_or_before_the_drift():
    new = {"popular_category": {"Игрушки": 3}, "service_type": {"vip": 1}}
    record = {"dataset_drift": True, "drifted_features": [], "domain": {"drift": False}, "new_categories": new}
    assert verdict(record, 16) == ("new categories: popular_category 'Игрушки' (3 customers, set aside), "
                                   "service_type 'vip' (1 customer, set aside)")
    record.update(drifted_features=["marketing_6m"])
    assert verdict(record, 16) == ("new categories: popular_category 'Игрушки' (3 customers, set aside), "
                                   "service_type 'vip' (1 customer, set aside); drift in 1 of 16 features: "
                                   "marketing_6m")
    assert verdict({**record, "dataset_drift": False}, 16) == "no drift detected"


def test_a_constant_feature_that_moves_has_no_shift_in_sds_but_its_test_and_psi_see_it(population):
    """A reference where a feature never varies: the mean shift in its SDs has no scale (null, not 0), while the
    KS statistic and the PSI show the move."""
    constant = population.assign(service_errors=3)
    reference, sample = make_reference(constant, 1000, 0, DATA)
    moved = next(t for t in feature_tests(reference, sample, constant.assign(service_errors=4).iloc[:300])
                 if t["feature"] == "service_errors")
    assert moved["mean_shift_sd"] is None and moved["statistic"] == 1.0 and moved["psi"] > 1

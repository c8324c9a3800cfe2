"""The read-out of a campaign: exact counts, intervals that cover known save rates, posteriors that move toward
them, verdicts in words, and one clear error for a bad contact list or outcome export."""

import json
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from segment_fixtures import PARAMS
from simulated_campaign import ECONOMICS, TRUE, campaign, params_with
from workspace import run

from oneclick.campaign.offers import catalogue
from oneclick.campaign.plan import make_plan
from oneclick.campaign.readout import NOT_IN_EXPORT, readout_file, verdict
from oneclick.campaign.save_rates import learn, save_rate_rows
from oneclick.common.errors import DataError
from oneclick.data.columns import TARGET_RAW
from oneclick.stats import newcombe_difference, ratio_interval, wilson


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("large")
    customers, plan, contacts, saved = campaign(tmp, 20_000)
    return customers, plan, saved, readout_file(contacts, tmp / "outcomes", params_with())


def test_a_large_campaign_is_counted_exactly_and_recovers_the_save_rates(large):
    customers, plan, saved, result = large
    decreased = customers.set_index("id")["activity_decreased"]
    for offer, true_rate in TRUE.items():
        m = result["offers"][offer]
        mine = plan[plan["offer"] == offer]
        control, treated = mine[mine["control"]], mine[~mine["control"]]
        assert (m["control"], m["treated"]) == (len(control), len(treated))
        assert m["control_declined"] == decreased[control["id"]].sum()  # control: untouched
        kept = treated["id"].isin(saved)
        assert m["treated_declined"] == decreased[treated["id"]].sum() - kept.sum()
        assert m["save_rate_low"] < true_rate < m["save_rate_high"], (offer, m)
        assert m["verdict"] == "works"
        prior, posterior = m["prior"]["mean"], m["posterior"]["mean"]
        assert abs(posterior - true_rate) < abs(prior - true_rate) / 3  # moved most of the way
        assert m["posterior"]["low90"] < true_rate < m["posterior"]["high90"]
    assert result["missing"] == {} and result["customers"] == result["contacted"] == len(customers)
    learned = learn(ECONOMICS["offers"], {"large": result})
    assert learned["cart_reminder"]["posterior"] == result["offers"]["cart_reminder"]["posterior"]
    assert learned["cart_reminder"]["in_plan"] and learned["cart_reminder"]["campaigns"] == ["large"]


def test_small_arms_are_too_few_to_tell(tmp_path):
    _, _, contacts, _ = campaign(tmp_path, 60)
    result = readout_file(contacts, tmp_path / "outcomes", params_with())
    for m in result["offers"].values():
        assert m["verdict"].startswith("too few customers to tell: ") and "more per arm needed" in m["verdict"]


def test_verdicts_in_words():
    spec = {"alpha": 0.05, "power": 0.8, "min_per_arm": 30}
    prior = {"alpha": 6, "beta": 14}

    def figures(dc, nc, dt, nt):
        diff, low, high = newcombe_difference(dc, nc, dt, nt)
        return {"control_found": nc, "treated_found": nt, "decline_rate_control": dc / nc, "difference_low": low,
                "difference_high": high, "save_rate": 1 - (dt / nt) / (dc / nc)}

    assert verdict(figures(300, 500, 200, 500), prior, spec) == "works"
    assert verdict(figures(200, 500, 300, 500), prior, spec) == "harms"
    assert verdict(figures(250, 500, 248, 500), prior, spec) == "no detectable effect"  # 500 per arm: enough
    few = verdict(figures(25, 50, 24, 50), prior, spec)
    assert few.startswith("too few customers to tell: ") and few.endswith("more per arm needed")


def test_an_offer_with_no_effect_after_enough_customers_leaves_the_plan():
    offers = ECONOMICS["offers"]
    counts = {"control_found": 500, "treated_found": 500, "control_declined": 250, "treated_declined": 248,
              "verdict": "no detectable effect"}
    learned = learn(offers, {"spring": {"offers": {"recommendations": counts}}})
    assert not learned["recommendations"]["in_plan"]
    assert learned["recommendations"]["reason"] == "campaign spring: no detectable effect"
    assert learned["recommendations"]["posterior"]["mean"] < 0.15 and learned["cart_reminder"]["in_plan"]  # prior 0.3
    plan = make_plan(pd.DataFrame({"id": [1], "probability": [0.9], "profit": [4.0], "unpaid_items_quarter": [0]}),
                     ECONOMICS, catalogue(ECONOMICS, {n: {**e["posterior"], "in_plan": e["in_plan"]}
                                                     for n, e in learned.items()}))
    assert plan.loc[0, "offer"] == "none" and not plan.loc[0, "contact"]


def test_missing_customers_are_counted_with_their_reason(tmp_path):
    _, plan, contacts, _ = campaign(tmp_path, 300)
    outcomes = tmp_path / "outcomes"
    gone = set(plan["id"][:5])
    for name, sep in (("market_file.csv", ","), ("market_money.csv", ","), ("market_time.csv", ",")):
        frame = pd.read_csv(outcomes / name, sep=sep, dtype=str, keep_default_na=False)
        frame[~frame["id"].astype(int).isin(gone)].to_csv(outcomes / name, index=False, lineterminator="\r\n")
    result = readout_file(contacts, outcomes, params_with())
    assert result["missing"][NOT_IN_EXPORT] == 5
    assert sum(result["missing"].values()) == 5 + sum(v for k, v in result["missing"].items() if k != NOT_IN_EXPORT)
    overall = result["overall"]
    assert overall["control"] + overall["treated"] - overall["control_found"] - overall["treated_found"] == \
        sum(result["missing"].values())


def break_and_read(tmp_path, how):
    _, plan, contacts, _ = campaign(tmp_path, 200)
    outcomes = tmp_path / "outcomes"
    how(contacts, outcomes)
    return contacts, outcomes


def drop_target(contacts, outcomes):
    market = pd.read_csv(outcomes / "market_file.csv", dtype=str, keep_default_na=False)
    market.drop(columns=TARGET_RAW).to_csv(outcomes / "market_file.csv", index=False, lineterminator="\r\n")


def add_stranger(contacts, outcomes):
    for name in ("market_file.csv", "market_money.csv", "market_time.csv"):
        frame = pd.read_csv(outcomes / name, dtype=str, keep_default_na=False)
        extra = frame[frame["id"] == frame["id"].iloc[0]].assign(id="999999")
        pd.concat([frame, extra]).to_csv(outcomes / name, index=False, lineterminator="\r\n")


def no_control(contacts, outcomes):
    pd.read_csv(contacts).assign(control=False).to_csv(contacts, index=False)


@pytest.mark.parametrize("how, file, message", [
    (drop_target, "market_file.csv", f"no target column '{TARGET_RAW}'"),
    (no_control, "contacts.csv", "no control group"),
])
def test_a_bad_export_or_list_is_one_error_and_writes_nothing(tmp_path, how, file, message):
    contacts, outcomes = break_and_read(tmp_path, how)
    with pytest.raises(DataError, match=None) as err:
        readout_file(contacts, outcomes, params_with())
    assert file in str(err.value) and message in str(err.value)
    output = tmp_path / "readout.json"
    result = run([sys.executable, "-m", "oneclick.readout", "--campaign", str(contacts), "--outcomes", str(outcomes),
                  "--output", str(output)], ROOT, check=False)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert not output.exists()


def test_a_full_monthly_export_is_read_out_its_other_customers_counted_and_ignored(tmp_path):
    contacts, outcomes = break_and_read(tmp_path, lambda c, o: None)
    clean = readout_file(contacts, outcomes, params_with())
    add_stranger(contacts, outcomes)
    market = outcomes / "market_file.csv"  # and one campaign customer's row broken: missing, with the reason
    lines = market.read_bytes().decode().split("\r\n")
    broken_id = lines[1].split(",")[0]
    lines[1] = lines[1].replace(",да,", ",может быть,", 1).replace(",нет,", ",может быть,", 1)
    market.write_bytes("\r\n".join(lines).encode())
    result = readout_file(contacts, outcomes, params_with())
    assert result["export"]["outside_campaign"] == 1 and clean["export"]["outside_campaign"] == 0
    assert result["missing"].get("broken row: unknown category") == 1
    assert result["overall"]["control_found"] + result["overall"]["treated_found"] == \
        clean["overall"]["control_found"] + clean["overall"]["treated_found"] - 1
    assert broken_id.isdigit()


def test_the_read_out_command_writes_the_stages_record(tmp_path):
    _, _, contacts, _ = campaign(tmp_path, 400)
    output = tmp_path / "out" / "readout.json"
    run([sys.executable, "-m", "oneclick.readout", "--campaign", str(contacts), "--outcomes",
         str(tmp_path / "outcomes"), "--output", str(output)], ROOT)
    written = json.loads(output.read_text())
    assert written == readout_file(contacts, tmp_path / "outcomes", PARAMS)


def test_small_arm_intervals_are_the_published_ones():
    # Newcombe (1998), table II, example (a): 56/70 against 48/80, method 10: 0.0524 to 0.3339
    diff, low, high = newcombe_difference(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339) and diff == pytest.approx(0.2)
    assert tuple(round(v, 4) for v in wilson(81, 263)) == (0.2553, 0.3662)  # Newcombe (1998a), 81/263
    ratio, low, high = ratio_interval(10, 50, 20, 50)
    assert ratio == 0.5 and low < 0.5 < high


def test_intervals_cover_on_small_arms():
    """Coverage of the save rate's interval over simulated small campaigns (30 control, 120 treated)."""
    rng = np.random.default_rng(11)
    hits = 0
    trials = 400
    for _ in range(trials):
        dc, dt = rng.binomial(30, 0.6), rng.binomial(120, 0.6 * 0.7)
        _, low, high = ratio_interval(dt, 120, dc, 30)
        hits += (1 - high) <= 0.3 <= (1 - low)
    assert 0.92 <= hits / trials <= 0.995


def test_the_save_rate_plot_puts_prior_campaigns_and_posterior_side_by_side(large):
    _, _, _, result = large
    learned = learn(ECONOMICS["offers"], {"large": result})
    rows = save_rate_rows(learned, {"large": result})
    assert rows["bar"].tolist() == [f"{source} · {offer}" for offer in ECONOMICS["offers"]
                                    for source in ("prior", "large", "used")]
    assert rows.loc[rows["bar"] == "large · cart_reminder", "save_rate"].item() == \
        result["offers"]["cart_reminder"]["save_rate"]

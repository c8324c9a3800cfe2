"""The read-out of a campaign: exact counts, intervals that cover known save rates, posteriors that move toward
them, verdicts in words, and one clear error for a bad contact list or outcome export."""

import json
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from scipy import stats
from segment_fixtures import PARAMS
from simulated_campaign import ECONOMICS, TRUE, campaign, params_with
from workspace import run

from oneclick.campaign.offers import catalogue
from oneclick.campaign.plan import make_plan
from oneclick.campaign.readout import (
    NOT_IN_EXPORT,
    measure,
    needed_per_arm,
    read_contacts,
    read_out,
    readout_file,
    verdict,
)
from oneclick.campaign.save_rates import learn, plan_rates, save_rate_rows
from oneclick.common.errors import DataError
from oneclick.data.columns import TARGET_RAW
from oneclick.stats import newcombe_difference, ratio_interval, wilson


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("large")
    customers, plan, contacts, saved = campaign(tmp, 20_000)
    return customers, plan, saved, *readout_file(contacts, tmp / "outcomes", params_with())


@pytest.fixture(scope="module")
def learned_large(large):
    """What the campaign stage learns from the large campaign alone (one split search, shared by the tests)."""
    *_, result, table = large
    return learn(ECONOMICS["offers"], {"large": result}, {"large": table}, seed=0)


def test_a_large_campaign_is_counted_exactly_and_recovers_the_save_rates(large, learned_large):
    customers, plan, saved, result, table = large
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
        true_difference = m["decline_rate_control"] * true_rate
        assert m["difference_low"] < true_difference < m["difference_high"]
        assert m["customers_saved_low"] < kept.sum() < m["customers_saved_high"]  # the kept ones, simulated
        assert m["verdict"] == ("works" if m["difference_low"] > 0 else "no detectable effect")
        prior, posterior = m["prior"]["mean"], m["posterior"]["mean"]
        assert abs(posterior - true_rate) < abs(prior - true_rate) / 3  # moved most of the way
        assert m["posterior"]["low90"] < true_rate < m["posterior"]["high90"]
    assert result["missing"] == {} and result["customers"] == result["contacted"] == len(customers)
    learned = learned_large
    for offer, true_rate in TRUE.items():
        pooled = learned["offers"][offer]["posterior"]  # (its coverage over many campaigns: test_uplift.py)
        assert abs(pooled["mean"] - true_rate) < 0.03 and not learned["offers"][offer]["differs"]
        # the interval shown is that of the Beta the plan draws from, not of the grid it was matched to
        beta = stats.beta(pooled["alpha"], pooled["beta"])
        assert (pooled["low90"], pooled["high90"]) == pytest.approx(beta.ppf([0.05, 0.95]), abs=1e-4)
        assert pooled["mean"] == pytest.approx(beta.mean(), abs=1e-4)
    assert learned["offers"]["cart_reminder"]["in_plan"] and learned["offers"]["cart_reminder"]["campaigns"] == \
        ["large"]
    assert len(table) == len(customers) and table["treated"].sum() == (plan["contact"] & ~plan["control"]).sum()


def test_small_arms_are_too_few_to_tell(tmp_path):
    _, _, contacts, _ = campaign(tmp_path, 60)
    result, _ = readout_file(contacts, tmp_path / "outcomes", params_with())
    for m in result["offers"].values():
        small = f" (small arms: {m['treated_found']} treated, {m['control_found']} control)"
        clear = m["difference_low"] > 0 or m["difference_high"] < 0
        assert m["verdict"].endswith(small) if clear else m["verdict"].startswith("too few customers to tell: ")


def test_verdicts_in_words():
    spec = {"alpha": 0.05, "power": 0.8, "min_per_arm": 30}
    prior = {"alpha": 6, "beta": 14}

    def figures(dc, nc, dt, nt):
        diff, low, high = newcombe_difference(dc, nc, dt, nt)
        return {"control_found": nc, "treated_found": nt, "decline_rate_control": dc / nc, "difference_low": low,
                "difference_high": high, "save_rate": 1 - (dt / nt) / (dc / nc)}

    assert verdict(figures(300, 500, 200, 500), prior, spec) == "works"
    assert verdict(figures(200, 500, 300, 500), prior, spec) == "harms"
    # a clear result on arms below readout.min_per_arm is still called, and flagged
    assert verdict(figures(18, 20, 6, 25), prior, spec) == "works (small arms: 25 treated, 20 control)"
    assert verdict(figures(250, 500, 248, 500), prior, spec) == "no detectable effect"  # 500 per arm: enough
    # overall (no prior) the effect to size for is the one measured: none when it is not above 0, so arms of
    # readout.min_per_arm are enough to call it
    assert verdict(figures(20, 40, 24, 40), None, spec) == "no detectable effect"
    assert verdict(figures(10, 20, 12, 20), None, spec) == "too few customers to tell: 10 more per arm needed"
    # 50 per arm of the 167 a decline rate of 0.5 needs to show the prior's save rate 0.3 (test below)
    assert verdict(figures(25, 50, 24, 50), prior, spec) == \
        "too few customers to tell: 117 more per arm needed to see a save rate of 0.30"


def test_the_customers_per_arm_needed_reach_the_power_in_simulated_campaigns():
    """needed_per_arm against simulation: at the customers per arm it names, the two-sided z-test of two
    proportions (unpooled) rejects in about 80 % of 20 000 simulated campaigns; at a tenth fewer, clearly less."""
    from scipy.stats import norm

    rng = np.random.default_rng(4)

    def power(k, control_rate, treated_rate):
        c, t = rng.binomial(k, control_rate, 20_000) / k, rng.binomial(k, treated_rate, 20_000) / k
        z = (c - t) / np.sqrt(c * (1 - c) / k + t * (1 - t) / k)
        return float((np.abs(z) > norm.ppf(0.975)).mean())

    for control_rate, save_rate in ((0.5, 0.3), (0.3, 0.25)):
        n = needed_per_arm(control_rate, save_rate, 0.05, 0.8)
        rates = (control_rate, control_rate * (1 - save_rate))
        assert power(n, *rates) == pytest.approx(0.8, abs=0.012), (control_rate, save_rate, n)
        assert power(int(0.9 * n), *rates) < 0.78
    # every control customer declining still leaves room for a saving: statsmodels' two-sided size, 73.4 per arm
    # (its own variance form), and ours (unpooled) 71
    assert needed_per_arm(1.0, 0.1, 0.05, 0.8) == 71


def test_an_offer_leaves_the_plan_only_when_all_campaigns_show_it_harms():
    offers = ECONOMICS["offers"]

    def counts(dc, nc, dt, nt, verdict):
        return {"control_found": nc, "treated_found": nt, "control_declined": dc, "treated_declined": dt,
                "verdict": verdict}

    # the first campaign shows it works, the latest finds no effect: pooled, it still works
    readouts = {"spring": {"offers": {"recommendations": counts(300, 500, 200, 500, "works")}},
                "autumn": {"offers": {"recommendations": counts(300, 500, 280, 500, "no detectable effect")}}}
    first = learn(offers, readouts, {}, seed=0)["offers"]
    assert first["recommendations"]["in_plan"]
    # an offer no campaign measured keeps its prior, with the prior Beta's 5 % and 95 % quantiles
    a, b = offers["cart_reminder"]["save_rate"]["alpha"], offers["cart_reminder"]["save_rate"]["beta"]
    assert first["cart_reminder"]["campaigns"] == [] and first["cart_reminder"]["posterior"] == {
        "alpha": a, "beta": b, "mean": round(a / (a + b), 4),
        "low90": round(stats.beta.ppf(0.05, a, b), 4), "high90": round(stats.beta.ppf(0.95, a, b), 4)}
    readouts["autumn"]["offers"]["recommendations"] = counts(200, 500, 380, 500, "harms")
    learned = learn(offers, readouts, {}, seed=0)
    entry = learned["offers"]["recommendations"]
    assert not entry["in_plan"] and entry["reason"].startswith("harms, all campaigns pooled (spring, autumn)")
    customers = pd.DataFrame({"id": np.arange(4000), "probability": 0.9, "profit": 4.0, "unpaid_items_quarter": 0})
    spec = {**ECONOMICS, "explore": {"share": 0.2}}
    plan = make_plan(customers, spec, catalogue(spec, plan_rates(learned)))
    assert not (plan["contact"] & ~plan["explored"]).any()  # out of the plan ...
    assert (plan.loc[plan["explored"], "offer"] == "recommendations").sum() > 0  # ... but still measured


def test_missing_customers_are_counted_with_their_reason(tmp_path):
    _, plan, contacts, _ = campaign(tmp_path, 300)
    outcomes = tmp_path / "outcomes"
    gone = set(plan["id"][:5])
    for name, sep in (("market_file.csv", ","), ("market_money.csv", ","), ("market_time.csv", ",")):
        frame = pd.read_csv(outcomes / name, sep=sep, dtype=str, keep_default_na=False)
        frame[~frame["id"].astype(int).isin(gone)].to_csv(outcomes / name, index=False, lineterminator="\r\n")
    result, _ = readout_file(contacts, outcomes, params_with())
    assert result["missing"][NOT_IN_EXPORT] == 5
    assert sum(result["missing"].values()) == 5 + sum(v for k, v in result["missing"].items() if k != NOT_IN_EXPORT)
    overall = result["overall"]
    assert overall["control"] + overall["treated"] - overall["control_found"] - overall["treated_found"] == \
        sum(result["missing"].values())
    # the plan's expectation is of the treated customers found, whose profit the read-out measures
    sent = pd.read_csv(contacts)
    found = sent["contact"].astype(bool) & ~sent["control"].astype(bool) & ~sent["id"].isin(gone)
    assert overall["planned_expected_profit"] == pytest.approx(sent.loc[found, "expected_profit"].sum(), abs=1e-3)
    lost = sent["contact"].astype(bool) & ~sent["control"].astype(bool) & sent["id"].isin(gone)
    assert lost.any() and overall["missing_treated"] == lost.sum()
    contact_cost = params_with()["campaign"]["contact_cost"]  # what was spent on them, outside the profit
    assert overall["spend_missing"] == pytest.approx((sent.loc[lost, "offer_cost"] + contact_cost).sum(), abs=1e-3)


def test_arms_that_lose_different_shares_of_their_customers_are_flagged():
    """100 control and 400 treated customers; the export misses none of the control group and 80 of the treated
    (the offer made them leave, say): the missing shares differ by -0.20, with Newcombe's interval as statsmodels
    computes it, and the read-out flags it. The same share missing from both arms (10 of 100, 40 of 400) is not
    flagged; with none missing there is no interval."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    spec = {"alpha": 0.05, "min_per_arm": 30, "power": 0.8}
    n = 500
    contacts = pd.DataFrame({"id": np.arange(n), "offer": "cart_reminder", "contact": True,
                             "control": np.arange(n) < 100, "expected_profit": 0.1, "value_at_stake": 2.0,
                             "offer_cost": 0.15})
    declined = (np.arange(n) % 3 == 0).astype("int64")

    def overall(missing_ids):
        outcome = pd.DataFrame({"id": np.arange(n), "declined": declined})
        outcome = outcome[~outcome["id"].isin(missing_ids)]
        return read_out(contacts, outcome, pd.Series(NOT_IN_EXPORT, index=list(missing_ids)), {}, spec, 0.02)[
            "overall"]

    differing = overall(range(100, 180))
    low, high = confint_proportions_2indep(0, 100, 80, 400, method="newcomb", compare="diff")
    assert (differing["missing_control"], differing["missing_treated"]) == (0, 80)
    assert differing["missing_difference"] == -0.2 and differing["attrition_differs"]
    assert (differing["missing_difference_low"], differing["missing_difference_high"]) == \
        pytest.approx((low, high), abs=1e-4)
    even = overall([*range(10), *range(100, 140)])
    assert even["missing_difference"] == 0.0 and not even["attrition_differs"]
    assert "missing_difference" not in overall([]) and overall([])["missing_treated"] == 0


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


def explored_without_propensity(contacts, outcomes):
    frame = pd.read_csv(contacts)
    frame.loc[frame.index[:3], "explored"] = True
    frame.drop(columns="propensity").to_csv(contacts, index=False)


def propensity_zero(contacts, outcomes):
    frame = pd.read_csv(contacts)
    frame.loc[frame.index[4], "propensity"] = 0.0
    frame.to_csv(contacts, index=False)


def unknown_offer(contacts, outcomes):
    frame = pd.read_csv(contacts)
    frame.loc[frame["contact"].astype(bool).idxmax(), "offer"] = "free_yacht"
    frame.to_csv(contacts, index=False)


def value_missing(contacts, outcomes):
    frame = pd.read_csv(contacts)
    frame.loc[frame.index[frame["contact"].astype(bool)][1], "value_at_stake"] = None
    frame.to_csv(contacts, index=False)


LIST = ("id,offer,contact,control,expected_profit,value_at_stake,explored,propensity\n"
        "215348,cart_reminder,True,False,0.5,2.0,False,0.8\n"
        "215349,cart_reminder,True,True,0.4,1.5,False,0.2\n"
        "215350,,,,,,False,1.0\n")


@pytest.mark.parametrize("old, new, message", [
    (LIST, "", "not a contact list as predict writes it (a UTF-8 CSV): No columns to parse from file"),
    (LIST, LIST.split("\n")[0] + "\n", "no customer in the list (a header only)"),
    ("215349,cart_reminder,True,True,0.4,1.5,False,0.2", "215349,cart_reminder,True,True,0.4,1.5,False,0.2,7",
     "not a contact list as predict writes it (a UTF-8 CSV): Error tokenizing data"),
    ("215349,", "215349a,", "column 'id': not a customer id (a whole number): ['215349a'] at lines [3]"),
    ("215350,", ",", "column 'id': not a customer id (a whole number): [nan] at lines [4]"),
    ("False,0.2", "False,n/a", "column 'propensity': values outside (0, 1]: ['n/a'] at lines [3]"),
    (",0.5,2.0,", ',"0,5",2.0,', "column 'expected_profit': contacted customers without a number ('.' decimal mark): "
                                 "['0,5'] at lines [2]"),
    ("cart_reminder,True,True", "cart_reminder,True,Tru", "column 'control': expected True or False, found ['tru']"),
])
def test_a_damaged_contact_list_is_one_error_naming_the_column_and_lines(tmp_path, old, new, message):
    path = tmp_path / "contacts.csv"
    path.write_text(LIST.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_contacts(path, ["cart_reminder"])
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value), str(err.value)
    path.write_text(LIST, encoding="utf-8")
    assert read_contacts(path, ["cart_reminder"])["id"].tolist() == [215348, 215349]  # the undecided one aside


@pytest.mark.parametrize("how, file, message", [
    (drop_target, "market_file.csv", f"no target column '{TARGET_RAW}'"),
    (no_control, "contacts.csv", "no control group"),
    (explored_without_propensity, "contacts.csv", "explored but the list has no column 'propensity'"),
    (propensity_zero, "contacts.csv", "column 'propensity': values outside (0, 1]: [0.0] at lines [6]"),
    (unknown_offer, "contacts.csv", "offers params campaign.offers does not know: ['free_yacht']"),
    (value_missing, "contacts.csv", "column 'value_at_stake': contacted customers without a number ('.' decimal "
                    "mark): [nan] at lines"),
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


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns="value_at_stake"), "missing column(s) ['value_at_stake']; a contact list has"),
    (lambda f: pd.concat([f, f.iloc[[3]]]), "column 'id': repeated ids [{id3}]"),
    (lambda f: f.assign(contact=f["contact"].astype(str).where(f.index != 2, "yes")),
     "column 'contact': expected True or False, found ['yes']"),
    (lambda f: f.assign(contact=f["contact"] & ~f["control"]), "control customers who were not contacted: ids"),
])
def test_a_broken_contact_list_is_one_error_naming_the_column_and_values(tmp_path, change, message):
    """The contact list's other checks (the command's exit and message: the test above)."""
    _, _, contacts, _ = campaign(tmp_path, 200)
    frame = pd.read_csv(contacts)
    change(frame).to_csv(contacts, index=False)
    with pytest.raises(DataError) as err:
        read_contacts(contacts, list(ECONOMICS["offers"]))
    assert str(err.value).startswith(f"{contacts}: ") and message.format(id3=frame["id"][3]) in str(err.value)
    with pytest.raises(DataError, match="contact list not found"):
        read_contacts(tmp_path / "nowhere.csv")


def test_a_list_without_the_design_record_is_read_as_the_plan_alone(tmp_path):
    contacts, outcomes = break_and_read(tmp_path, lambda c, o: None)
    recorded, _ = readout_file(contacts, outcomes, params_with())
    pd.read_csv(contacts).drop(columns=["explored", "offers_open", "propensity"]).to_csv(contacts, index=False)
    plain, table = readout_file(contacts, outcomes, params_with())
    assert plain["design"].startswith("not recorded") and recorded["design"] == "recorded"
    assert not table["explored"].any() and plain["offers"] == recorded["offers"]  # the same plan, no exploration


def break_one_row(outcomes) -> str:
    """The first customer's row of the outcome export given an unknown category; returns their id."""
    market = outcomes / "market_file.csv"
    lines = market.read_bytes().decode().split("\r\n")
    lines[1] = lines[1].replace(",да,", ",может быть,", 1).replace(",нет,", ",может быть,", 1)
    market.write_bytes("\r\n".join(lines).encode())
    return lines[1].split(",")[0]


def test_a_full_monthly_export_is_read_out_its_other_customers_counted_and_ignored(tmp_path):
    contacts, outcomes = break_and_read(tmp_path, lambda c, o: None)
    clean, _ = readout_file(contacts, outcomes, params_with())
    add_stranger(contacts, outcomes)
    broken_id = break_one_row(outcomes)  # and one campaign customer's row broken: missing, with the reason
    result, _ = readout_file(contacts, outcomes, params_with())
    assert result["export"]["outside_campaign"] == 1 and clean["export"]["outside_campaign"] == 0
    assert result["missing"].get("broken row: unknown category") == 1
    assert result["overall"]["control_found"] + result["overall"]["treated_found"] == \
        clean["overall"]["control_found"] + clean["overall"]["treated_found"] - 1
    assert broken_id.isdigit()


def test_more_broken_customers_than_the_limit_is_exit_4_after_the_read_out_is_written(tmp_path):
    """One campaign customer of 200 with a broken row: within prepare.max_excluded_share (0.05) the command exits
    0; with --max-excluded-share 0 it writes the same read-out and exits 4, naming the export and the share."""
    contacts, outcomes = break_and_read(tmp_path, lambda c, o: None)
    break_one_row(outcomes)
    command = [sys.executable, "-m", "oneclick.readout", "--campaign", str(contacts), "--outcomes", str(outcomes)]
    within = run([*command, "--output", str(tmp_path / "within.json")], ROOT, check=False)
    beyond = run([*command, "--output", str(tmp_path / "beyond.json"), "--max-excluded-share", "0"], ROOT,
                 check=False)
    assert within.returncode == 0 and beyond.returncode == 4
    assert f"{outcomes}: 0.5% of the campaign's customers have broken rows, more than --max-excluded-share = 0" \
        in beyond.stderr
    assert (tmp_path / "within.json").read_text() == (tmp_path / "beyond.json").read_text()


def test_the_read_out_command_writes_the_stages_record(tmp_path):
    """Run from another directory, as predict can be: the checkout's params.yaml is the default."""
    _, _, contacts, _ = campaign(tmp_path, 400)
    output = tmp_path / "out" / "readout.json"
    run([sys.executable, "-m", "oneclick.readout", "--campaign", str(contacts), "--outcomes",
         str(tmp_path / "outcomes"), "--output", str(output)], tmp_path)
    written = json.loads(output.read_text())
    assert written == readout_file(contacts, tmp_path / "outcomes", PARAMS)[0]


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


@pytest.mark.parametrize("tied", [False, True], ids=["value-apart-from-p", "value-tied-to-p"])
def test_the_incremental_profit_and_customers_saved_intervals_cover_the_known_answer(tied):
    """Known answer: 600 customers with decline probabilities p_i, values at stake V_i (mean 3.6, like the
    demo's) and offer costs c_i; a random 20 % control group; the offer keeps a treated customer who would have
    declined with probability s = 0.4, so the treated decline with p_i (1 - s). For the treated T the
    incremental profit is sum_T p_i s V_i - sum_T (c_i + contact cost), the customers saved sum_T p_i s. Over 1000
    campaigns (new customers, control group and outcomes) the 95 % intervals of the read-out cover both at
    0.95 +- 3 binomial standard errors, and miss on each side at most 0.025 + 3 of its own.

    Two populations: p_i ~ Beta(2, 3) and V_i apart from it (measured: 0.952 and 0.949); p_i spread from 0 to 1
    (Beta(0.5, 0.8)) and V_i rising with it, V_i x (0.2 + 2 p_i), where the likeliest to buy less are worth the
    most (measured: 0.955 and 0.954; the unweighted difference x sum_T V_i covers the profit 0.60 of the time
    there, all 400 misses below it)."""
    rng = np.random.default_rng(5)
    n, share, s, trials = 600, 0.2, TRUE["cart_reminder"], 1000
    params = params_with()
    spec, contact_cost = {**params["readout"], **params["campaign"]["power"]}, params["campaign"]["contact_cost"]
    misses = {"incremental_profit": [0, 0], "customers_saved": [0, 0]}  # the interval (below, above) the truth
    for _ in range(trials):
        p = rng.beta(0.5, 0.8, n) if tied else rng.beta(2, 3, n)
        value, cost = rng.gamma(4.0, 0.9, n) * ((0.2 + 2 * p) if tied else 1.0), rng.choice([0.05, 0.15, 0.6], n)
        control = rng.random(n) < share
        kept = ~control & (rng.random(n) < s)
        declined = (rng.random(n) < p) & ~kept
        contacts = pd.DataFrame({"id": np.arange(n), "offer": "cart_reminder", "contact": True, "control": control,
                                 "expected_profit": 0.0, "value_at_stake": value, "offer_cost": cost})
        outcome = pd.DataFrame({"id": np.arange(n), "declined": declined.astype("int64")})
        # offers {}: the overall read-out only, the same measure as an offer's without its posterior (10 ms)
        m = read_out(contacts, outcome, pd.Series(dtype="object"), {}, spec, contact_cost)["overall"]
        treated = ~control
        spend = (cost + contact_cost)[treated].sum()  # known exactly: the coverage would not see the contact cost
        assert m["spend"] == pytest.approx(spend, abs=1e-4)
        truth = {"incremental_profit": (p * s * value)[treated].sum() - spend,
                 "customers_saved": (p * s)[treated].sum()}
        for key, below_above in misses.items():
            below_above[0] += m[f"{key}_high"] < truth[key]
            below_above[1] += m[f"{key}_low"] > truth[key]
    tolerance, side_tolerance = 3 * np.sqrt(0.95 * 0.05 / trials), 3 * np.sqrt(0.025 * 0.975 / trials)
    for key, (below, above) in misses.items():
        assert abs(1 - (below + above) / trials - 0.95) <= tolerance, (key, below, above)
        assert max(below, above) / trials <= 0.025 + side_tolerance, (key, below, above)


def test_the_profit_is_weighted_by_value_and_unweighted_when_a_value_is_below_0():
    """Hand-worked: control 2 customers (declined 1 of V 3, not 0 of V 1), treated 2 (not 1 of V 2, declined 0 of
    V 2). Value-weighted rates 3/4 and 2/4; Kish's sizes 16/10 and 2 give the difference 0.25 on counts 1.2 of
    1.6 and 1 of 2; x sum_T V = 4 it is 1.0 saved. With a V below 0 the plain counts are used: 1/2 - 1/2 = 0."""
    spec = {"alpha": 0.05, "min_per_arm": 1, "power": 0.8}
    table = pd.DataFrame({"control": [True, True, False, False], "declined": [1.0, 0.0, 0.0, 1.0],
                          "value_at_stake": [3.0, 1.0, 2.0, 2.0], "offer_cost": 0.0, "expected_profit": 0.0})
    m = measure(table, None, spec, 0.0)
    diff, low, high = newcombe_difference(1.2, 1.6, 1.0, 2.0)
    assert diff == pytest.approx(0.25)
    assert (m["incremental_profit"], m["incremental_profit_low"], m["incremental_profit_high"]) == \
        (round(4 * diff, 4), round(4 * low, 4), round(4 * high, 4))
    assert m["difference"] == 0.0  # the customers' own difference stays unweighted
    negative = measure(table.assign(value_at_stake=[3.0, -1.0, 2.0, 2.0]), None, spec, 0.0)
    _, low, high = newcombe_difference(1, 2, 1, 2)
    assert (negative["incremental_profit"], negative["incremental_profit_low"]) == (0.0, round(4 * low, 4))


def test_the_save_rate_plot_puts_prior_campaigns_and_posterior_side_by_side(large, learned_large):
    result = large[3]
    rows = save_rate_rows(learned_large, {"large": result})
    assert rows["bar"].tolist() == [f"{source} · {offer}" for offer in ECONOMICS["offers"]
                                    for source in ("prior", "large", "pooled")]
    assert rows.loc[rows["bar"] == "large · cart_reminder", "save_rate"].item() == \
        result["offers"]["cart_reminder"]["save_rate"]


def test_an_empty_arm_is_said_and_a_list_without_costs_takes_them_from_params():
    """An offer whose control customers are all missing from the export: counted, spend known, no rates. A list
    without `offer_cost` (an older export of the plan): each offer costs what params say it does."""
    spec = {"alpha": 0.05, "min_per_arm": 1, "power": 0.8}
    offers = {"cart_reminder": {"cost": 0.15, "save_rate": {"alpha": 6, "beta": 14}},
              "recommendations": {"cost": 0.05, "save_rate": {"alpha": 2, "beta": 18}}}
    contacts = pd.DataFrame({"id": np.arange(8), "offer": ["cart_reminder"] * 4 + ["recommendations"] * 4,
                             "contact": True, "control": [True, False, False, False] * 2,
                             "expected_profit": 0.0, "value_at_stake": 2.0})
    outcome = pd.DataFrame({"id": np.arange(1, 8), "declined": [0, 1, 0, 1, 0, 1, 0]})  # id 0 missing
    result = read_out(contacts, outcome, pd.Series(NOT_IN_EXPORT, index=[0]), offers, spec, 0.02)
    cart = result["offers"]["cart_reminder"]
    assert cart["verdict"] == "too few customers to tell: an arm is empty"
    assert (cart["control"], cart["control_found"], cart["treated_found"]) == (1, 0, 3) and "save_rate" not in cart
    assert cart["missing_control"] == 1 and cart["spend_missing"] == 0.0  # the missing one got nothing
    assert result["offers"]["recommendations"]["spend"] == pytest.approx(3 * (0.05 + 0.02))
    assert result["overall"]["spend"] == pytest.approx(3 * (0.15 + 0.02) + 3 * (0.05 + 0.02))


def test_the_demo_outcome_export_passes_over_a_broken_id(raw_copy, tmp_path):
    """A row whose id is not a number (set aside when the export is read) belongs to no campaign customer: the
    simulated outcome export leaves it out instead of stopping on it, and keeps every campaign customer's rows."""
    from oneclick.campaign.simulation import simulate_outcomes

    money = raw_copy / "market_money.csv"
    lines = money.read_bytes().split(b"\r\n")
    first = lines[1].split(b",", 1)[0]
    lines[1] = first + b"x," + lines[1].split(b",", 1)[1]
    money.write_bytes(b"\r\n".join(lines))
    contacts = pd.DataFrame({"id": [int(first), int(first) + 1, int(first) + 2], "offer": "cart_reminder",
                             "contact": True, "control": [False, False, True]})
    market = raw_copy / "market_file.csv"  # a second row of a treated customer, its id as a spreadsheet writes it
    rows = market.read_bytes().split(b"\r\n")
    twin = rows[1].split(b",", 2)
    rows.insert(2, b",".join([twin[0] + b".0", "Снизилась".encode(), twin[2]]))
    market.write_bytes(b"\r\n".join(rows))
    saved = simulate_outcomes(contacts, raw_copy, tmp_path / "out", {"cart_reminder": 1.0}, seed=0)
    out = pd.read_csv(tmp_path / "out" / "market_money.csv", dtype=str)
    assert set(out["id"]) == {str(i) for i in contacts["id"]} and f"{int(first)}x" not in set(out["id"])
    assert (out["id"] == first.decode()).sum() == 2  # the customer's two other periods; the broken one left out
    assert f"{int(first)}.0" not in set(pd.read_csv(tmp_path / "out" / "market_file.csv", dtype=str)["id"])
    assert set(saved) <= set(contacts["id"])

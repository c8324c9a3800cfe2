"""Two campaign rounds on customers we do not have: does the plan learn whom each offer moves? (issue #30)

    python -m benchmarks.campaign_rounds [--raw-dir ../shared/data/market] [--seeds 3] [--population 20000]
        [--truths const thresh ...] [--out benchmarks/campaign_rounds.md] [--sandbox DIR]

1. The real customers are split in two, stratified by label (`--holdout`, seeded): a sandbox copy of the repository
   is trained on the first part as `make real` does (`raw_import`, then `dvc exp run` with that raw folder and without
   the demo campaign and months), once; `--sandbox DIR` reuses one. The populations are drawn from the other part
   only: drawn from the customers the model was fitted on, its probabilities are their real labels (the production
   ExtraTrees gives them 0.03 or 0.99), not those of customers it has not seen.
2. Per seed, two populations of `--population` customers (disjoint fresh ids) are built from the held-out real
   customers by bootstrap with 5 % jitter on the continuous columns and written as exports in the store's four-file
   format. The untreated truth p is a logistic regression fitted on every real label (not the repo's model); the
   true save rate s_o(x) of each offer depends on the customer under each truth (TRUTHS).
3. Round 1: `python -m oneclick.predict --campaign r1` on population 1 with the params' defaults; outcomes drawn
   (a treated customer declines with p (1 - s), everyone else with p); `python -m oneclick.raw_import --campaign r1`;
   `dvc exp run -S '+readout.campaigns.r1=data/raw/campaigns/r1'`.
4. Round 2: `python -m oneclick.predict --campaign r2` on population 2, with what the campaign stage learned. Its
   targeting (planned = contact and not explored; the control group counted as sent its offer) is compared, on the
   true p and s, with plans made by `make_plan` on the same probabilities: one rate per offer at each offer's true
   average (p V-weighted over its eligible customers), the best one rate per offer (searched on the truth), the
   plan knowing each customer's true s (oracle), and round 2 before any read-out (the priors).
5. The sandbox is put back (`git checkout -- . && dvc checkout`) before the next truth.

Money in thousand roubles. Realized profit uses one draw of the true outcomes shared by all plans (common random
numbers); the paired 95 % interval is a bootstrap over population 2's customers.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from oneclick.campaign.offers import catalogue, eligibility
from oneclick.campaign.plan import make_plan, value_at_stake
from oneclick.campaign.planning import planned_actions
from oneclick.data.columns import FEATURES, MARKET_FILE, NOMINAL, NUMERIC, ORDINAL, TARGET, TARGET_RAW
from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.data.synthesize import to_raw_files
from oneclick.params import load_params
from tools.sandbox import commit, make_sandbox, run

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "market"
TRUTHS = ("const", "thresh", "thresh2", "risk", "interact", "smooth")
JITTER = 0.05  # of each continuous column's sd
DECIMALS = {"marketing_6m": 1, "promo_share": 2, "revenue_prev2": 1, "revenue_prev": 1, "revenue_current": 1,
            "profit": 2}  # the continuous columns, jittered, with the decimals of their file
BEAUTY = ["Косметика и аксессуары", "Техника для красоты и здоровья"]
REAL_RUN = ["-S", "data.raw_dir=data/raw/market", "-S", "~readout.campaigns.demo", "-S", "~monitor.exports.m2026-10",
            "-S", "~monitor.exports.m2026-11"]  # the Makefile's REAL_RUN
CAMPAIGN = "data/raw/campaigns/r1"
RESAMPLES = 1000
CONSTANT_GRID = np.linspace(0, 0.9, 31)  # the one-rate values the best constant plan is searched over


# ------------------------------------------------------------------------------------------------ the sandbox
def split_real(real: pd.DataFrame, holdout: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the real customers the sandbox trains on, the ones the populations are drawn from), stratified by label."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(real), dtype=bool)
    for label in (0, 1):
        rows = np.flatnonzero(real[TARGET].to_numpy() == label)
        held[rng.choice(rows, round(holdout * len(rows)), replace=False)] = True
    return real[~held].reset_index(drop=True), real[held].reset_index(drop=True)


def train_sandbox(dest: Path, raw_dir: Path) -> Path:
    """A copy of the repository trained on an export as `make real` does, committed as its baseline."""
    repo = make_sandbox(dest, git=True)
    run([sys.executable, "-m", "oneclick.raw_import", str(raw_dir), "--name", "market", "--no-next-step"], repo)
    run(["dvc", "exp", "run", *REAL_RUN], repo)
    commit(repo, "trained on the real export")
    return repo


def timed(cmd: list[str], repo: Path) -> float:
    start = time.perf_counter()
    run(cmd, repo)
    return time.perf_counter() - start


# ------------------------------------------------------------------------------------------------ populations
def read_customers(folder, revenue_max: float) -> pd.DataFrame:
    """The customers of an export as the repo reads them: the model table with profit (and the target if any)."""
    export = read_export(folder, with_money=True, require_target=False)
    kept, _, profit = build_table(export.frames, revenue_max)
    return kept.merge(profit, on="id", how="inner").reset_index(drop=True)


def read_population(folder, model, spec: dict, revenue_max: float) -> pd.DataFrame:
    """A population's customers as the repo reads them, with their true untreated p (`model`, truth_model) and
    their value at stake."""
    pop = read_customers(folder, revenue_max)
    pop["p_true"] = model.predict_proba(pop[FEATURES])[:, 1]
    pop["value_at_stake"] = value_at_stake(pop["profit"].to_numpy(float), spec)
    return pop


def truth_model(real: pd.DataFrame):
    """The untreated truth: a logistic regression (standardized numbers, one-hot categories) on the real labels."""
    pre = ColumnTransformer([("num", StandardScaler(), NUMERIC),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), NOMINAL + list(ORDINAL))])
    return make_pipeline(pre, LogisticRegression(C=1.0, max_iter=2000)).fit(real[FEATURES], real[TARGET])


def population(real: pd.DataFrame, n: int, seed: int, first_id: int) -> pd.DataFrame:
    """n customers drawn with replacement from the real ones, continuous columns jittered by JITTER x their sd
    (clipped to the real range, rounded as in the files), ids first_id, first_id + 1, ..."""
    rng = np.random.default_rng(seed)
    pop = real.iloc[rng.integers(0, len(real), n)].reset_index(drop=True).copy()
    for column, decimals in DECIMALS.items():
        values = real[column].to_numpy(float)
        jittered = pop[column].to_numpy(float) + rng.normal(0, JITTER * values.std(ddof=1), n)
        pop[column] = np.round(np.clip(jittered, values.min(), values.max()), decimals)
    pop["id"] = np.arange(first_id, first_id + n, dtype=np.int64)
    return pop


def write_export(pop: pd.DataFrame, folder: Path, declined: np.ndarray | None = None) -> Path:
    """The customers as an export in the store's format; with `declined`, the target column says who bought less
    (an outcome export), without it there is none (customers to score)."""
    frame = pop.assign(**{TARGET: 0 if declined is None else np.asarray(declined, int)})
    folder.mkdir(parents=True, exist_ok=True)
    for name, (raw, options) in to_raw_files(frame).items():
        if name == MARKET_FILE.name and declined is None:
            raw = raw.drop(columns=[TARGET_RAW])
        raw.to_csv(folder / name, index=False, encoding="utf-8", **options)
    return folder


# ------------------------------------------------------------------------------------------------ the truths
def true_rates(pop: pd.DataFrame, truth: str, means: np.ndarray) -> np.ndarray:
    """customers x offers (params order: recommendations, cart_reminder, targeted_promotions, service_recovery,
    retention_bonus) true save rates; `means`: the priors' means, the level every truth stays near."""
    n = len(pop)
    p = pop["p_true"].to_numpy(float)
    profit = pop["profit"].to_numpy(float)
    unpaid = pop["unpaid_items_quarter"].to_numpy(float)
    errors = pop["service_errors"].to_numpy(float)
    tenure = pop["tenure_days"].to_numpy(float)
    beauty = pop["popular_category"].isin(BEAUTY).to_numpy()
    allow = (pop["allow_messages"] == "да").to_numpy()
    premium = (pop["service_type"] == "премиум").to_numpy()
    if truth == "const":  # one rate per offer: the priors' means
        return np.tile(means, (n, 1))
    if truth == "thresh":  # one threshold or category per offer
        return np.column_stack([np.where(beauty, 0.22, 0.04), np.where(unpaid >= 5, 0.60, 0.12),
                                np.where(premium, 0.55, 0.20), np.where(errors >= 8, 0.50, 0.17),
                                np.where(profit >= 4.5, 0.65, 0.29)])
    if truth == "thresh2":  # other features, weaker contrasts
        return np.column_stack([np.where(allow, 0.14, 0.03), np.where(profit >= 4.0, 0.42, 0.18),
                                np.where(unpaid >= 4, 0.45, 0.20), np.where(beauty, 0.40, 0.18),
                                np.where(errors >= 5, 0.55, 0.30)])
    if truth == "risk":  # the likeliest decliners are the hardest to keep, the same for every offer
        return np.clip(means[None, :] * np.where(p >= 0.6, 0.7, 1.9)[:, None], 0, 1)
    if truth == "interact":  # a depth-2 AND per offer
        return np.column_stack([np.where(beauty & allow, 0.25, 0.05),
                                np.where((unpaid >= 5) & (tenure < 700), 0.65, 0.15),
                                np.where(premium & (tenure >= 600), 0.60, 0.20),
                                np.where((errors >= 7) & (profit >= 4.0), 0.55, 0.15),
                                np.where((profit >= 4.5) & (p < 0.7), 0.75, 0.28)])
    if truth == "smooth":  # logistic in one feature per offer
        def sig(z):
            return 1 / (1 + np.exp(-z))
        return np.column_stack([0.03 + 0.25 * sig((pop["pages_per_visit"].to_numpy(float) - 9) / 2),
                                0.08 + 0.62 * sig((unpaid - 5) / 0.8),
                                0.10 + 0.40 * sig(-(pop["marketing_6m"].to_numpy(float) - 4.2) / 0.5),
                                0.10 + 0.50 * sig((errors - 7.5) / 0.7),
                                0.15 + 0.60 * sig((profit - 4.3) / 0.5)])
    raise KeyError(truth)


def treated_outcome(pop: pd.DataFrame, contacts: pd.DataFrame, rates: np.ndarray, names: list[str],
                    seed: int) -> np.ndarray:
    """Who bought less after round 1: everyone with their p, a treated customer (contact, not control) with
    p (1 - s) of the offer sent."""
    sent = pop[["id"]].merge(contacts[["id", "offer", "contact", "control"]], on="id", how="left")
    treated = (sent["contact"].fillna(False).astype(bool) & ~sent["control"].fillna(False).astype(bool)).to_numpy()
    column = sent["offer"].map({name: j for j, name in enumerate(names)}).fillna(0).astype(int).to_numpy()
    s = np.where(treated, rates[np.arange(len(pop)), column], 0.0)
    rng = np.random.default_rng(seed)
    return (rng.random(len(pop)) < pop["p_true"].to_numpy(float) * (1 - s)).astype(int)


# ------------------------------------------------------------------------------------------------ plans, profit
def targeting(customers: pd.DataFrame, spec: dict, rates: np.ndarray | None) -> np.ndarray:
    """The offer make_plan gives each customer it selects ('none' otherwise) at per-customer `rates` (customers x
    offers; None: the priors' means), without control group and exploration."""
    plain = {**spec, "control": {**spec["control"], "share": 0.0}, "explore": {"share": 0.0}}
    return planned_actions(make_plan(customers, plain, catalogue(spec), rates))[0]


def profits(actions: np.ndarray, pop: pd.DataFrame, s_true: np.ndarray, spec: dict, names: list[str],
            declines: np.ndarray, keep_u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per customer (expected on the true p and s, realized on one draw of the outcomes): the value kept minus the
    offer's and the contact's cost for a customer the plan treats, 0 for the others."""
    j = pd.Series(actions).map({name: k for k, name in enumerate(names)})
    on = j.notna().to_numpy()
    j = j.fillna(0).astype(int).to_numpy()
    cost = np.array([spec["offers"][name]["cost"] for name in names])[j] + spec["contact_cost"]
    s = s_true[np.arange(len(pop)), j]
    v = pop["value_at_stake"].to_numpy(float)
    expected = pop["p_true"].to_numpy(float) * s * v - cost
    realized = (declines & (keep_u < s)) * v - cost
    return np.where(on, expected, 0.0), np.where(on, realized, 0.0)


def best_constant(customers, pop, s_true, spec, names, start: np.ndarray, grid=CONSTANT_GRID):
    """One save rate per offer maximizing the true expected profit (coordinate ascent, two sweeps): the best any
    plan assuming one rate per offer can do."""
    def value(r):
        acts = targeting(customers, spec, np.tile(r, (len(customers), 1)))
        return profits(acts, pop, s_true, spec, names, np.zeros(len(pop), bool), np.ones(len(pop)))[0].sum()

    rates, best = start.copy(), value(start)
    for _ in range(2):
        for k in range(len(rates)):
            for g in grid:
                trial = rates.copy()
                trial[k] = g
                v = value(trial)
                if v > best + 1e-9:
                    rates, best = trial, v
    return rates


def paired_interval(diff: np.ndarray, seed: int) -> tuple[float, float]:
    """95 % percentile interval of sum(diff) over bootstrap resamples of the customers."""
    rng = np.random.default_rng(seed)
    totals = [diff[rng.integers(0, len(diff), len(diff))].sum() for _ in range(RESAMPLES)]
    return tuple(np.percentile(totals, [2.5, 97.5]))


# ------------------------------------------------------------------------------------------------ one seed
def learned_summary(repo: Path) -> dict:
    """What the campaign stage learned: per offer its pooled rate and the groups where it differs."""
    learned = json.loads((repo / "metrics" / "save_rates.json").read_text(encoding="utf-8"))
    return {name: {"pooled": e["posterior"]["mean"], "in_plan": e["in_plan"], "groups": e["groups"]}
            for name, e in learned["offers"].items()}


def predict(repo: Path, folder: Path, output: Path, campaign: str) -> tuple[pd.DataFrame, float]:
    seconds = timed([sys.executable, "-m", "oneclick.predict", "--input", str(folder), "--output", str(output),
                     "--campaign", campaign, "--repo", str(repo)], repo)
    return pd.read_csv(output, dtype={"offer": "str"}, keep_default_na=False, na_values=[""]), seconds


def reset(repo: Path) -> float:
    """The sandbox back at its trained baseline: params, lock and outputs."""
    start = time.perf_counter()
    run(["git", "checkout", "--", "."], repo)
    run(["git", "clean", "-fdq"], repo)  # the campaign's import and its read-out's untracked metrics and plots
    run(["dvc", "checkout", "--force"], repo)
    return time.perf_counter() - start


def evaluate(scores: pd.DataFrame, prior_scores: pd.DataFrame, pop2: pd.DataFrame, s_true: np.ndarray,
             spec: dict, names: list[str], seed: int) -> dict:
    """Round 2's plans on the truth: totals, the learned plan against the one-rate plan (paired), gap closed."""
    customers = pop2.drop(columns=["probability"], errors="ignore").merge(scores[["id", "probability"]], on="id")
    pop = customers  # p_true, value_at_stake and the features, in the order of `customers`
    pv = (pop["p_true"] * pop["value_at_stake"]).to_numpy(float)[:, None] * eligibility(pop, spec)
    average = (pv * s_true).sum(0) / np.maximum(pv.sum(0), 1e-12)
    means = catalogue(spec)["save_rate"].to_numpy(float)
    plans = {"learned": scores.set_index("id").loc[pop["id"]],
             "priors": prior_scores.set_index("id").loc[pop["id"]]}
    plans = {name: planned_actions(plan.reset_index())[0] for name, plan in plans.items()}
    plans["one_rate"] = targeting(customers, spec, np.tile(average, (len(pop), 1)))
    plans["best_one_rate"] = targeting(customers, spec, np.tile(
        best_constant(customers, pop, s_true, spec, names, average), (len(pop), 1)))
    plans["oracle"] = targeting(customers, spec, s_true)
    rng = np.random.default_rng([seed, 2])
    declines = rng.random(len(pop)) < pop["p_true"].to_numpy(float)
    keep_u = rng.random(len(pop))
    per = {name: profits(a, pop, s_true, spec, names, declines, keep_u) for name, a in plans.items()}
    out = {"expected": {k: float(v[0].sum()) for k, v in per.items()},
           "realized": {k: float(v[1].sum()) for k, v in per.items()},
           "contacts": {k: int((a != "none").sum()) for k, a in plans.items()},
           "true_average_rates": dict(zip(names, np.round(average, 4).tolist(), strict=True)),
           "prior_means": dict(zip(names, means.tolist(), strict=True))}
    for base in ("one_rate", "best_one_rate"):
        diff = per["learned"][1] - per[base][1]
        out[f"vs_{base}"] = [float(diff.sum()), *paired_interval(diff, seed)]
    for kind in ("expected", "realized"):
        e = out[kind]
        gap = e["oracle"] - e["one_rate"]
        out[f"gap_closed_{kind}"] = (e["learned"] - e["one_rate"]) / gap if gap > 1e-9 else float("nan")
        out[f"oracle_kept_{kind}"] = e["learned"] / e["oracle"] if e["oracle"] > 0 else float("nan")
    return out


def run_seed(repo: Path, real: pd.DataFrame, model, seed: int, n: int, truths: list[str], work: Path,
             params: dict) -> list[dict]:
    """Both rounds for every truth on one seed's two populations."""
    spec, revenue_max = params["campaign"], params["prepare"]["revenue_max"]
    names = list(spec["offers"])
    means = catalogue(spec)["save_rate"].to_numpy(float)
    base = 10_000_000 + 2 * seed * n
    pops, folders = [], []
    for k in range(2):
        folder = write_export(population(real, n, seed * 2 + k, base + k * n), work / f"pop{k + 1}")
        pops.append(read_population(folder, model, spec, revenue_max))
        folders.append(folder)
    contacts, t_predict1 = predict(repo, folders[0], work / "r1_contacts.csv", "r1")
    prior_scores, _ = predict(repo, folders[1], work / "r2_priors.csv", "r2")
    rows = []
    for truth in truths:
        t0 = time.perf_counter()
        s1 = true_rates(pops[0], truth, means)
        declined = treated_outcome(pops[0], contacts, s1, names, seed * 1000 + TRUTHS.index(truth))
        outcomes = write_export(pops[0].drop(columns=[TARGET], errors="ignore"), work / f"r1_outcomes_{truth}",
                                declined)
        t_import = timed([sys.executable, "-m", "oneclick.raw_import", "--campaign", "r1", "--contacts",
                          str(work / "r1_contacts.csv"), "--outcomes", str(outcomes), "--no-next-step"], repo)
        t_exp = timed(["dvc", "exp", "run", "-S", f"+readout.campaigns.r1={CAMPAIGN}"], repo)
        learned = learned_summary(repo)
        scores, t_predict2 = predict(repo, folders[1], work / f"r2_{truth}.csv", "r2")
        t_reset = reset(repo)
        result = evaluate(scores, prior_scores, pops[1], true_rates(pops[1], truth, means), spec, names, seed)
        rows.append({"truth": truth, "seed": seed, **result, "learned": learned,
                     "round1": {"contacts": int(contacts["contact"].fillna(False).sum()),
                                "control": int(contacts["control"].fillna(False).sum()),
                                "explored": int(contacts["explored"].fillna(False).sum())},
                     "seconds": {"predict_r1": t_predict1, "raw_import": t_import, "dvc_exp_run": t_exp,
                                 "predict_r2": t_predict2, "reset": t_reset, "total": time.perf_counter() - t0}})
        print(f"{truth} seed {seed}: gap closed {result['gap_closed_expected']:.2f} (expected), "
              f"{result['gap_closed_realized']:.2f} (realized); learned - one rate "
              f"{result['vs_one_rate'][0]:+.1f} [{result['vs_one_rate'][1]:+.1f}, {result['vs_one_rate'][2]:+.1f}]; "
              f"oracle kept {result['oracle_kept_expected']:.3f}; dvc exp run {t_exp:.0f} s", file=sys.stderr)
    return rows


# ------------------------------------------------------------------------------------------------ the table
def _mean_sd(values) -> str:
    values = np.asarray(values, float)
    return f"{values.mean():.2f} ± {values.std(ddof=1) if len(values) > 1 else 0:.2f}"


def table(rows: list[dict], n: int, minutes: float, train_minutes: float | None, fitted: int, held: int) -> str:
    """The Markdown report: per truth the gap closed, the paired intervals, the share of oracle profit kept."""
    frame = pd.DataFrame(rows)
    lines = [
        "# Two campaign rounds on customers we do not have (issue #30)",
        "",
        f"Made by `python -m benchmarks.campaign_rounds` ({frame['seed'].nunique()} seeds per truth, populations "
        f"of {n} customers drawn from {held} real customers the production model was not fitted on; it was fitted "
        f"on the other {fitted}). Money in thousand roubles over the 3-month horizon; expected = on the true p and s; "
        "realized = on one draw of the true outcomes shared by all plans. Gap closed = (learned − one rate at the "
        "true average) / (oracle − one rate at the true average). The interval is a paired 95 % bootstrap over "
        "population 2's customers of the realized profit, learned minus the plan compared.",
        "",
        "| truth | gap (oracle − one rate), expected | gap closed, expected: mean ± sd (min) | gap closed, realized "
        "| learned − one rate at true average, realized (median) | interval > 0 | learned − best one rate "
        "(median) | interval > 0 | learned / oracle, expected: mean (min) | priors / oracle |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for truth, group in frame.groupby("truth", sort=False):
        exp = pd.DataFrame(list(group["expected"]))
        gap_e, gap_r = group["gap_closed_expected"], group["gap_closed_realized"]
        one, best = np.array(list(group["vs_one_rate"])), np.array(list(group["vs_best_one_rate"]))
        kept = group["oracle_kept_expected"]
        lines.append(
            f"| {truth} | {(exp['oracle'] - exp['one_rate']).mean():.1f} | {_mean_sd(gap_e)} ({gap_e.min():.2f}) "
            f"| {_mean_sd(gap_r)} | {np.median(one[:, 0]):+.1f} | {(one[:, 1] > 0).mean():.0%} "
            f"| {np.median(best[:, 0]):+.1f} | {(best[:, 1] > 0).mean():.0%} "
            f"| {kept.mean():.3f} ({kept.min():.3f}) | {(exp['priors'] / exp['oracle']).mean():.3f} |")
    lines += ["", "Per seed (expected profit of each plan; contacts of the learned plan):", "",
              "| truth | seed | learned | one rate (true avg) | best one rate | oracle | priors | contacts learned / "
              "oracle | gap closed exp / real | learned − one rate [95 %] | offers that differ (groups) |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        e = r["expected"]
        differs = ", ".join(f"{o} ({len(v['groups'])})" for o, v in r["learned"].items() if v["groups"]) or "none"
        lines.append(
            f"| {r['truth']} | {r['seed']} | {e['learned']:.1f} | {e['one_rate']:.1f} | {e['best_one_rate']:.1f} "
            f"| {e['oracle']:.1f} | {e['priors']:.1f} | {r['contacts']['learned']} / {r['contacts']['oracle']} "
            f"| {r['gap_closed_expected']:.2f} / {r['gap_closed_realized']:.2f} | {r['vs_one_rate'][0]:+.1f} "
            f"[{r['vs_one_rate'][1]:+.1f}, {r['vs_one_rate'][2]:+.1f}] | {differs} |")
    seconds = pd.DataFrame([r["seconds"] for r in rows])
    lines += ["", "Time: " + (f"training the sandbox on the real export {train_minutes:.1f} min; "
                              if train_minutes is not None else "the sandbox reused; ")
              + f"everything {minutes:.1f} min. Per truth and seed (median s): "
              + ", ".join(f"{c} {seconds[c].median():.0f}" for c in seconds.columns)
              + " (predict_r1: once per seed, on population 1)."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=REAL_DATA, help="the real export (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per truth (default: %(default)s)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--population", type=int, default=20_000, help="customers per population")
    parser.add_argument("--truths", nargs="+", default=list(TRUTHS[:5]), choices=TRUTHS)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "campaign_rounds.md")
    parser.add_argument("--holdout", type=float, default=0.5, help="share of the real customers held out of "
                        "training, the populations' source (default: %(default)s)")
    parser.add_argument("--sandbox", type=Path, help="a trained sandbox to reuse (made there if absent)")
    parser.add_argument("--work", type=Path, help="where the populations go (default: a temporary folder)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="campaign_rounds_") as tmp:
        work = args.work or Path(tmp)
        repo = args.sandbox or work / "repo"
        train_minutes = None
        params = load_params(path=ROOT / "params.yaml")
        real = read_customers(args.raw_dir, params["prepare"]["revenue_max"])
        model = truth_model(real)
        fitted, held = split_real(real, args.holdout, seed=0)
        if not (repo / "models" / "production" / "model.skops").is_file():
            t0 = time.perf_counter()
            train_sandbox(repo, write_export(fitted, work / "real_fitted", fitted[TARGET].to_numpy()))
            train_minutes = (time.perf_counter() - t0) / 60
            print(f"sandbox trained on {len(fitted)} real customers in {train_minutes:.1f} min: {repo}",
                  file=sys.stderr)
        params = load_params(path=repo / "params.yaml")
        rows = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            seed_dir = work / f"seed{seed}"
            rows += run_seed(repo, held, model, seed, args.population, args.truths, seed_dir, params)
            (work / "rows.json").write_text(json.dumps(rows, indent=1, default=float), encoding="utf-8")
            if not args.work:
                shutil.rmtree(seed_dir)
        order = {t: i for i, t in enumerate(args.truths)}
        rows.sort(key=lambda r: (order[r["truth"]], r["seed"]))
        text = table(rows, args.population, (time.perf_counter() - start) / 60, train_minutes, len(fitted), len(held))
        args.out.write_text(text, encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1, default=float) + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

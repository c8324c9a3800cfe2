"""Read out a campaign: did the offers work? Contacted customers against the control group, per offer and overall.

The library of stage readout@<name> and of `python -m oneclick.readout --campaign FILE --outcomes DIR --output
FILE.json`. FILE is the contact list as the campaign stage or predict wrote it (id, offer, contact, control,
expected_profit, value_at_stake; offer_cost if present). DIR is the next export in the store's four-file format;
its market_file.csv says, for the same customers, whether their activity decreased over the campaign's horizon.
The control group was drawn at random from the contacted customers and got nothing, so the difference of the
decline rates (control minus treated) is what the offer did:

- the difference gets Newcombe's hybrid score interval, the save rate (1 - treated rate / control rate) the
  MOVER-R interval of the ratio: both built from Wilson intervals, good on small arms;
- the customers saved: the difference x the treated customers found, with the difference's interval;
- the incremental profit is the value saved (the difference of the arms' decline rates weighted by the value at
  stake, x the treated customers' value at stake) minus what the treated customers' offers and contacts cost,
  with that difference's interval;
- the save rate's posterior from this campaign alone: the offer's Beta prior times the likelihood of both arms'
  counts, with the control decline rate integrated out on a grid, summarized as the Beta of the same mean and
  variance (what the campaign stage uses is learned from every campaign: oneclick/campaign/save_rates.py).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd

from oneclick.campaign import response
from oneclick.campaign.provenance import describe, read_record, sidecar
from oneclick.common.checks import named_folders, number, section
from oneclick.common.errors import DataError, examples
from oneclick.common.paths import CONTACTS, OUTCOMES
from oneclick.data.columns import FEATURES, ID_PATTERN, MARKET_FILE, RAW_FILES, TARGET, TARGET_RAW
from oneclick.data.load import read_export
from oneclick.data.prepare import build_table
from oneclick.data.store import check_folder, check_name
from oneclick.stats import effective_counts, newcombe_difference, power_of, ratio_interval

REQUIRED = ["id", "offer", "contact", "control", "expected_profit", "value_at_stake"]
NOT_IN_EXPORT = "not in the outcome export"
DIGITS = 4
GRID = 400  # grid points per axis of one campaign's posterior of a save rate


def _bool_column(contacts: pd.DataFrame, column: str, path) -> pd.Series:
    values = contacts[column].astype("str").str.strip().str.lower()
    bad = sorted(set(values[~values.isin(["true", "false"])]))
    if bad:
        raise DataError(f"{path}: column '{column}': expected True or False, found {examples(bad)}")
    return values.eq("true")


DESIGN = ["explored", "offers_open", "propensity"]  # the design record of a plan (oneclick/campaign/plan.py)


def _number_column(contacts: pd.DataFrame, column: str, path) -> pd.Series:
    """A money column as numbers: every contacted customer's a finite number with '.' as the decimal mark."""
    values = pd.to_numeric(contacts[column], errors="coerce")
    bad = contacts.loc[contacts["contact"] & ~np.isfinite(values), column]
    if len(bad):
        raise DataError(f"{path}: column '{column}': contacted customers without a number ('.' decimal mark): "
                        f"{_at_lines(bad)}")
    return values


def _at_lines(bad: pd.Series) -> str:
    """A column's offending cells and their lines in the file (the header is line 1; `bad` keeps the file's rows'
    positions as its index)."""
    return f"{examples(bad.tolist())} at lines {examples((bad.index + 2).tolist())}"


def read_contacts(path, offers: list[str] | None = None) -> pd.DataFrame:
    """The contact list: required columns, unique ids, booleans, a control group among the contacted, offers the
    params know (`offers`), and the design record: a list that explored (some `explored` True) must give each
    customer's propensity, in (0, 1]. A list without the design record is read as the plan alone (no
    exploration; the plan's customers treated with probability 1 - control share) and said so (`design`)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: contact list not found")
    try:
        contacts = pd.read_csv(path, dtype={"id": "str", "offer": "str"}, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: not a contact list as predict writes it (a UTF-8 CSV): "
                        f"{' '.join(str(err).split())}") from None
    missing = [c for c in REQUIRED if c not in contacts.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; a contact list has {REQUIRED}")
    if contacts.empty:
        raise DataError(f"{path}: no customer in the list (a header only)")
    ids = contacts["id"].astype("str").str.strip()
    bad = contacts.loc[~ids.str.fullmatch(ID_PATTERN), "id"]
    if len(bad):
        raise DataError(f"{path}: column 'id': not a customer id (a whole number): {_at_lines(bad)}")
    contacts["id"] = ids.astype("int64")
    repeated = contacts.loc[contacts["id"].duplicated(), "id"].tolist()
    if repeated:
        raise DataError(f"{path}: column 'id': repeated ids {examples(repeated)}")
    decided = contacts["contact"].notna()  # predict leaves customers without profit undecided
    contacts = contacts[decided].copy()
    contacts["contact"] = _bool_column(contacts, "contact", path)
    contacts["control"] = _bool_column(contacts, "control", path)
    stray = contacts.loc[contacts["control"] & ~contacts["contact"], "id"].tolist()
    if stray:
        raise DataError(f"{path}: control customers who were not contacted: ids {examples(stray)}")
    for column in ("value_at_stake", "expected_profit", "offer_cost"):
        if column in contacts.columns:
            contacts[column] = _number_column(contacts, column, path)
    if not contacts["control"].any():
        raise DataError(f"{path}: no control group (no customer has control True), so the offers' effect cannot "
                        "be measured; plan with campaign.control.share > 0")
    if offers is not None:
        unknown = sorted(set(contacts.loc[contacts["contact"], "offer"].dropna()) - set(offers))
        if unknown:
            raise DataError(f"{path}: column 'offer': offers params campaign.offers does not know: "
                            f"{examples(unknown)}")
    recorded = "explored" in contacts.columns
    contacts["explored"] = _bool_column(contacts, "explored", path) if recorded else False
    if recorded and contacts["explored"].any() and "propensity" not in contacts.columns:
        raise DataError(f"{path}: customers were explored but the list has no column 'propensity': a read-out "
                        "must know the probability of the treatment each customer got")
    if "propensity" in contacts.columns:
        values = pd.to_numeric(contacts["propensity"], errors="coerce")
        bad = contacts.loc[~values.between(0, 1, inclusive="right"), "propensity"]
        if len(bad):
            raise DataError(f"{path}: column 'propensity': values outside (0, 1]: {_at_lines(bad)}")
        contacts["propensity"] = values
    contacts.attrs["design"] = "recorded" if recorded else "not recorded (a plan without exploration assumed)"
    return contacts


def read_outcomes(folder, contacts: pd.DataFrame, revenue_max: float):
    """(outcome per campaign customer: id, declined; the campaign customers missing, with the reason; what the
    export held besides: its customers outside the campaign, counted and ignored, and the share of the campaign's
    customers it set aside for broken rows).

    The export is read under the contract of oneclick/data/load.py: a monthly export holds every customer, and a
    customer with a broken row is missing with that reason, not a reason to refuse the export."""
    folder = Path(folder)
    export = read_export(folder, with_money=False, require_target=False)
    if TARGET not in export.frames[MARKET_FILE.name].columns:
        raise DataError(f"{folder / MARKET_FILE.name}: no target column '{TARGET_RAW}': an outcome export says "
                        "whether each customer's activity decreased over the campaign's horizon")
    kept, excluded, _ = build_table(export.frames, revenue_max)
    campaign = set(contacts["id"])
    outcome = kept.loc[kept["id"].isin(campaign), ["id", TARGET, *FEATURES]].rename(columns={TARGET: "declined"})
    reasons = pd.Series(NOT_IN_EXPORT, index=contacts["id"])
    reasons[excluded.loc[excluded["id"].isin(campaign), "id"]] = excluded.loc[excluded["id"].isin(campaign),
                                                                              "reason"].to_numpy()
    broken = export.quarantine.drop_duplicates("id")
    broken = broken[broken["id"].isin({str(i) for i in campaign})]
    reasons[broken["id"].astype("int64").to_numpy()] = ("broken row: " + broken["reason"]).to_numpy()
    reasons = reasons.drop(outcome["id"], errors="ignore")
    exported = set(export.frames[MARKET_FILE.name]["id"]) | {int(i) for i in export.quarantine["id"]
                                                              if str(i).isdigit()}
    found = len(outcome) + len(broken)
    return outcome, reasons, {"outside_campaign": len(exported - campaign),
                              "broken_share": round(len(broken) / found, 6) if found else 0.0}


def broken_beyond(result: dict, outcomes, limit: float, key: str) -> str | None:
    """The message when more than `limit` of the campaign's customers have broken rows in the outcome export
    (`key`: the params key or option that sets the limit); None within it."""
    share = result["export"]["broken_share"]
    if share <= limit:
        return None
    return f"{outcomes}: {share:.1%} of the campaign's customers have broken rows, more than {key} = {limit:g}"


def posterior_grid(counts: list[tuple[int, int, int, int]], alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """(save-rate grid, posterior weights) of Beta(alpha, beta) times, per campaign, the likelihood of
    (control decliners, control, treated decliners, treated), the control decline rate p integrated out under a
    flat prior: treated customers decline with p (1 - s). What one read-out says about an offer, on its own."""
    s = (np.arange(GRID) + 0.5) / GRID
    p = (np.arange(4 * GRID) + 0.5) / (4 * GRID)  # finer: the control rate is known better than s
    log_post = (alpha - 1) * np.log(s) + (beta - 1) * np.log1p(-s)
    for dc, nc, dt, nt in counts:
        treated_rate = p[None, :] * (1 - s[:, None])  # s x p
        log_lik = (dc * np.log(p) + (nc - dc) * np.log1p(-p))[None, :] \
            + dt * np.log(treated_rate) + (nt - dt) * np.log1p(-treated_rate)
        top = log_lik.max(axis=1, keepdims=True)
        log_post += (top + np.log(np.exp(log_lik - top).mean(axis=1, keepdims=True)))[:, 0]
    weights = np.exp(log_post - log_post.max())
    return s, weights / weights.sum()


def beta_of(s: np.ndarray, weights: np.ndarray) -> dict:
    """The Beta with the grid posterior's mean and variance, and the posterior's 90 % interval."""
    mean = float((s * weights).sum())
    var = float((((s - mean) ** 2) * weights).sum())
    common = mean * (1 - mean) / var - 1 if var > 0 else 1e6
    cdf = np.cumsum(weights)
    low, high = s[np.searchsorted(cdf, 0.05)], s[min(np.searchsorted(cdf, 0.95), len(s) - 1)]
    return {"alpha": round(mean * common, DIGITS), "beta": round((1 - mean) * common, DIGITS),
            "mean": round(mean, DIGITS), "low90": round(float(low), DIGITS), "high90": round(float(high), DIGITS)}


def needed_per_arm(control_rate: float, save_rate: float, alpha: float, power: float) -> int | None:
    """Customers per arm (equal arms) for a two-sided test at `alpha` to detect the decline rate falling from
    `control_rate` to control_rate x (1 - save_rate) with `power`."""
    from oneclick.stats import size_factor

    treated_rate = control_rate * (1 - save_rate)
    if not 0 < control_rate <= 1 or treated_rate == control_rate:
        return None
    return math.ceil(size_factor(control_rate, 1, treated_rate, 1, alpha, power))


def value_difference(control: pd.DataFrame, treated: pd.DataFrame, level: float) -> tuple[float, float, float]:
    """The difference of the arms' decline rates weighted by the value at stake, with Newcombe's interval on Kish's
    effective counts: x the treated customers' value it estimates the value saved, sum p s V, also where the
    customers of high value are the likeliest to buy less (the unweighted difference is off by
    s sum (p - mean p) V there). Unweighted when a value at stake is below 0 (weights must not be)."""
    arms = [(a["declined"].to_numpy(float), a["value_at_stake"].to_numpy(float)) for a in (control, treated)]
    if all((w >= 0).all() and w.sum() > 0 for _, w in arms):
        (xc, nc), (xt, nt) = (effective_counts(y, w) for y, w in arms)
    else:
        (xc, nc), (xt, nt) = ((y.sum(), len(y)) for y, _ in arms)
    return newcombe_difference(xc, nc, xt, nt, level)


def attrition(control: int, control_found: int, treated: int, treated_found: int, level: float) -> dict:
    """The shares of each arm missing from the outcome export and, when any is, Newcombe's interval of their
    difference (control - treated). Where it excludes 0 the arms lost different shares (`attrition_differs`): a
    customer who left the store is missing, and leaving can be what the offer changed, so the difference of the
    customers found is then biased."""
    lost_c, lost_t = control - control_found, treated - treated_found
    out = {"missing_control": lost_c, "missing_treated": lost_t}
    if lost_c + lost_t == 0 or control == 0 or treated == 0:
        return out
    diff, low, high = newcombe_difference(lost_c, control, lost_t, treated, level)
    return {**out, "missing_difference": round(diff, DIGITS), "missing_difference_low": round(low, DIGITS),
            "missing_difference_high": round(high, DIGITS), "attrition_differs": bool(low > 0 or high < 0)}


def measure(group: pd.DataFrame, prior: dict | None, spec: dict, contact_cost: float) -> dict:
    """The read-out of one offer (or of all, `prior` None): arms, rates, intervals, profit, verdict, posterior.
    `group`: its contacted customers with `declined` (NA if missing) and `offer_cost`."""
    control = group[group["control"]]
    treated = group[~group["control"]]
    c_found, t_found = control[control["declined"].notna()], treated[treated["declined"].notna()]
    nc, nt = len(c_found), len(t_found)
    dc, dt = int(c_found["declined"].sum()), int(t_found["declined"].sum())
    out = {"control": len(control), "treated": len(treated), "control_found": nc, "treated_found": nt,
           "control_declined": dc, "treated_declined": dt,
           "planned_expected_profit": round(float(t_found["expected_profit"].sum()), DIGITS)}
    if prior is not None:
        out["prior"] = {"alpha": prior["alpha"], "beta": prior["beta"],
                        "mean": round(prior["alpha"] / (prior["alpha"] + prior["beta"]), DIGITS)}
    out.update(attrition(len(control), nc, len(treated), nt, 1 - spec["alpha"]))
    lost = treated[treated["declined"].isna()]  # sent an offer, outcome unknown: spent, outside the profit below
    out["spend_missing"] = round(float((lost["offer_cost"] + contact_cost).sum()), DIGITS)
    if nc == 0 or nt == 0:
        return {**out, "verdict": "too few customers to tell: an arm is empty"}
    rate_c, rate_t = dc / nc, dt / nt
    level = 1 - spec["alpha"]
    diff, low, high = newcombe_difference(dc, nc, dt, nt, level)
    ratio, r_low, r_high = ratio_interval(dt, nt, dc, nc, level)
    value = float(t_found["value_at_stake"].sum())
    spend = float((t_found["offer_cost"] + contact_cost).sum())
    v_diff, v_low, v_high = value_difference(c_found, t_found, level)
    out.update({
        "decline_rate_control": round(rate_c, DIGITS), "decline_rate_treated": round(rate_t, DIGITS),
        "difference": round(diff, DIGITS), "difference_low": round(low, DIGITS), "difference_high": round(high, DIGITS),
        "save_rate": round(1 - ratio, DIGITS) if math.isfinite(ratio) else None,
        "save_rate_low": round(1 - r_high, DIGITS) if math.isfinite(r_high) else None,
        "save_rate_high": round(1 - r_low, DIGITS),
        "customers_saved": round(nt * diff, 1), "customers_saved_low": round(nt * low, 1),
        "customers_saved_high": round(nt * high, 1),
        "incremental_profit": round(value * v_diff - spend, DIGITS),
        "incremental_profit_low": round(value * v_low - spend, DIGITS),
        "incremental_profit_high": round(value * v_high - spend, DIGITS),
        "spend": round(spend, DIGITS),
    })
    planned = float(group["probability"].mean()) if "probability" in group else None
    out["verdict"] = verdict(out, prior, spec, planned)
    if prior is not None:
        out["posterior"] = beta_of(*posterior_grid([(dc, nc, dt, nt)], prior["alpha"], prior["beta"]))
    return out


def verdict(figures: dict, prior: dict | None, spec: dict, planned_rate: float | None = None) -> str:
    """works / harms whenever the difference's interval excludes 0 (small arms flagged, as such a result rests on
    few customers); no detectable effect when the arms were large enough (`readout.min_per_arm`) and had the
    power to see the save rate assumed; too few customers to tell (with how many more per arm) otherwise.

    The effect worth detecting is the prior's mean save rate (overall: the one measured; when that is not above 0,
    arms of `readout.min_per_arm` are enough to say no detectable effect); the control decline rate
    it acts on is the control group's, or, when that is 0 or 1 on a handful of customers, the plan's expected
    one (`planned_rate`: the mean calibrated probability of the contacted customers)."""
    smallest = min(figures["control_found"], figures["treated_found"])
    small = smallest < spec["min_per_arm"]
    flag = f" (small arms: {figures['treated_found']} treated, {figures['control_found']} control)" if small else ""
    if figures["difference_low"] > 0:
        return "works" + flag
    if figures["difference_high"] < 0:
        return "harms" + flag
    expected = prior["alpha"] / (prior["alpha"] + prior["beta"]) if prior else figures["save_rate"] or 0.0
    rate_c = figures["decline_rate_control"]
    if not 0 < rate_c < 1 and planned_rate is not None:
        rate_c = planned_rate
    if not small and expected > 0 and power_of(rate_c, figures["control_found"], rate_c * (1 - expected),
                                               figures["treated_found"], spec["alpha"]) >= spec["power"]:
        return "no detectable effect"
    if not expected > 0:  # overall, the measured save rate: no effect to size the arms for, only the least arms
        return f"too few customers to tell: {spec['min_per_arm'] - smallest} more per arm needed" if small else \
            "no detectable effect"
    needed = needed_per_arm(rate_c, expected, spec["alpha"], spec["power"])
    more = (f"{max(needed - smallest, spec['min_per_arm'] - smallest, 1)} more per arm needed to see a save rate "
            f"of {expected:.2f}") if needed else \
        "the control group's decline rate leaves no room to measure a saving"
    return f"too few customers to tell: {more}"


def read_out(contacts: pd.DataFrame, outcome: pd.DataFrame, missing: pd.Series, offers: dict, spec: dict,
             contact_cost: float, export: dict | None = None) -> dict:
    """The whole read-out: counts with the missing customers' reasons, overall and per offer."""
    table = contacts.merge(outcome, on="id", how="left", validate="one_to_one")
    if "offer_cost" not in table:
        table["offer_cost"] = table["offer"].map({n: o["cost"] for n, o in offers.items()}).fillna(0.0)
    contacted = table[table["contact"]]
    not_contacted = table[~table["contact"] & table["declined"].notna()]
    out = {"customers": int(len(table)), "contacted": int(len(contacted)),
           "missing": {reason: int(n) for reason, n in missing.value_counts().sort_index().items()},
           "export": export or {},
           "overall": measure(contacted, None, spec, contact_cost),
           "not_contacted_decline_rate": round(float(not_contacted["declined"].mean()), DIGITS)
           if len(not_contacted) else None,
           "offers": {}}
    for name in [n for n in offers if (contacted["offer"] == n).any()]:
        prior = offers[name]["save_rate"]
        out["offers"][name] = measure(contacted[contacted["offer"] == name], prior, spec, contact_cost)
    return out


TABLE = ["id", "offer", "contact", "control", "treated", "explored", "offers_open", "propensity", "probability",
         "profit", "value_at_stake", "offer_cost", "expected_profit", "declined"]


def customer_table(contacts: pd.DataFrame, outcome: pd.DataFrame) -> pd.DataFrame:
    """Every customer of the list whose outcome is known: the design record, what the plan did and expected, the
    outcome, and the customer's model-table columns (of the outcome export): what save rates are learned from."""
    table = contacts.merge(outcome, on="id", how="inner", validate="one_to_one")
    table["treated"] = table["contact"] & ~table["control"]
    for column in ("offers_open", "propensity", "profit", "offer_cost"):
        if column not in table:
            table[column] = float("nan")
    table["declined"] = table["declined"].astype("int64")
    return table[TABLE + [c for c in FEATURES if c not in TABLE]].sort_values("id", ignore_index=True)


def readout_file(campaign, outcomes, params: dict) -> tuple[dict, pd.DataFrame]:
    """Read the contact list and the outcome export, check them, and read out: (the read-out, the customer table)."""
    offers = params["campaign"]["offers"]
    contacts = read_contacts(campaign, list(offers))
    outcome, missing, export = read_outcomes(outcomes, contacts, params["prepare"]["revenue_max"])
    spec = {**params["readout"], **params["campaign"]["power"]}
    result = read_out(contacts, outcome, missing, offers, spec, params["campaign"]["contact_cost"], export)
    table = customer_table(contacts, outcome)
    result["design"] = contacts.attrs["design"]
    made_by = read_record(campaign)
    result["contact_list"] = {"provenance": made_by, "says": describe(made_by)}
    for name, found in response.heterogeneity(table, offers, params["campaign"]["seed"]).items():
        if name in result["offers"]:
            result["offers"][name]["heterogeneity"] = found
    return result, table


def check_params(params: dict) -> None:
    section(params, "readout", {"campaigns", "min_per_arm"})
    named_folders(params, "readout.campaigns", "campaign")
    number(params, "readout.min_per_arm", 1, 10**9, integer=True)


def drawn_for_another(contacts: Path, name: str) -> str | None:
    """A warning when the list's provenance record says it was drawn for another campaign than `name`: its
    control group and exploration are then those of that name, the same customers as every list drawn for it."""
    found = read_record(contacts)
    if found is None or found["campaign"] == name:
        return None
    return (f"{contacts}: the list was drawn for campaign {found['campaign']!r} (its provenance record), imported as "
            f"{name!r}: its control group is the one every list for {found['campaign']!r} gets; a list made by "
            f"`predict --campaign {name}` draws its own")


def campaign_files(contacts: Path, outcomes: Path, name: str, revenue_max: float) -> dict[Path, Path]:
    """{file: path inside the import} of a campaign (python -m oneclick.raw_import --campaign), after the
    read-out's checks: the contact list as contacts.csv, the outcome export's files under outcomes/."""
    check_name(name)
    check_folder(outcomes)
    read_outcomes(outcomes, read_contacts(contacts), revenue_max)
    files = {contacts: Path(CONTACTS)}
    if sidecar(contacts).is_file():  # which model and revision made the list: kept with it
        read_record(contacts)
        files[sidecar(contacts)] = sidecar(Path(CONTACTS))
    files.update({outcomes / f.name: Path(OUTCOMES) / f.name for f in RAW_FILES if (outcomes / f.name).is_file()})
    return files

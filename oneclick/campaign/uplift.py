"""Per-customer save rates s_o(x) from randomized campaign rounds: a guarded split search with shrinkage.

The calibrated probability p is the model of the untreated outcome, so for customers treated with offer o the
likelihood of the save rate is exact given p: a customer declines (y = 1) with probability p (1 - s). Within a
group G the moment estimate is the ratio of sums  s_G = sum_G (p - y) / sum_G p.

The baseline. A round's untreated customers (the control arms and everyone not contacted, thousands of them) show
where p is off: a logistic regression of their outcome on logit p and the customer's columns refits it, and is
used when its cross-validated log-loss beats p's (untreated_baseline.py). Its own uncertainty on a group's sum of p
(delta method on the coefficients) is integrated out of that group's likelihood, so the intervals hold it too.
Each offer's control arm then checks the baseline on the offer's own customers and rescales it where it rejects.

Model:  s_o(x) = g(x) * theta_o(x)
  g        a multiplier shared by every offer (1 everywhere unless the data show a relative effect that is the
           same for all offers, e.g. "the likeliest decliners are the hardest to keep");
  theta_o  the offer's own rate, a small tree (depth <= `depth`) of splits on the customer's columns.

Each tree node (steps 1 and 2 in split_search.py):
1. scans every candidate split (numbers: x >= t at `n_thresholds` quantiles; categories: prefixes of the
   categories ordered by their rate) for the largest |z| of the two sides' rate difference, each side holding at
   least `min_info` expected decliners (sum of p);
2. guards against noise with an exact parametric null: `n_null` outcome draws y* ~ Bern(p (1 - s_node)) (one
   rate in the node, p known) give the null distribution of the maximum z over all candidates; the split is kept
   if the observed maximum's p-value is <= `alpha` (for the shared g, the split must also have the same relative
   effect in every offer: Cochran's Q at `alpha`);
3. checks the split against the untreated customers: p is a model, and where it is miscalibrated on one side the
   treated customers alone show a difference that is not the offer's. Measured against each side's own untreated
   customers (control_adjusted_z; the offer's control arm, or with a refitted baseline every untreated customer on
   that side), the difference must keep its sign and reach `check_alpha`, and each side's untreated customers
   must hold at least `min_control` expected decliners;
4. recurses into both sides.
Each leaf gets a grid posterior: a Beta prior centred on its offer's pooled rate (the params prior times all its
treated customers' likelihood), whose strength is chosen by empirical Bayes (marginal likelihood of all offers'
leaves), times the leaf's exact likelihood.

Splits are searched, guarded and checked on every treated customer (`search_share` 1), and the leaves are estimated
on all of them. The check then sees the same chance lows that made a split the best of hundreds of candidates, so
against chance the guard stands alone, at `alpha` 0.01; against a model miscalibrated on a group the check still
holds, since the untreated customers it compares with were not searched. With `search_share` below 1 the splits
are searched on that random share and checked on the others: stricter against chance, but each search sees a share
of the information (docs/campaign.md has the two measured).

numpy, pandas, scipy and a scikit-learn logistic regression. Deterministic given `seed`.

    model = fit(table, priors, columns, seed=0)
    rates = predict(model, customers)                  # customers x offers: posterior mean save rates
    low, high = interval(model, customers, level=0.9)  # per-customer posterior intervals
    print(to_json(model))                              # splits and each leaf's posterior, as plain JSON
"""

import math

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist
from scipy.stats import chi2

from oneclick.campaign.split_search import apply_split, null_outcomes, null_p_value, rate, scan
from oneclick.campaign.untreated_baseline import baseline_sd, check_calibration, refit_baseline
from oneclick.common.checks import real

UNIT = (np.arange(400) + 0.5) / 400  # posterior grid on (0, 1), scaled per tree
STRENGTHS = np.array([2, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 1e4])  # Beta prior strengths tried by EB
DEFAULTS = {
    "depth": 2,            # splits per path of an offer's tree
    "shared_depth": 1,     # splits per path of the shared multiplier g (0: no shared stage)
    "n_thresholds": 16,    # quantile thresholds per numeric column
    "min_info": 10.0,      # least sum of p (expected decliners) on each side of a split
    "alpha": 0.01,         # guard: the split's null p-value must be at most this
    "same_alpha": 0.01,    # a shared split is refused when Cochran's Q rejects one relative effect at this level
    "n_null": 200,         # null draws of the guard
    "search_share": 1.0,   # treated customers the splits are searched on; below 1 the others check them (step 3)
    "weights": "none",     # 'ipw': weight customers by 1 / propensity of the treatment they got
    "calibration_alpha": 0.01,  # rescale p by the control arm only if it rejects calibration at this level
    "min_control": 5.0,    # least expected decliners in the control arm on each side of a split
    "check_alpha": 0.01,   # the check against the control: two-sided p-value at most this (a model's
                           # miscalibration on a group passes the search's guard; only the check stops it)
    "baseline_folds": 5,   # cross-validation folds of the untreated baseline (0: keep the model's p)
    "baseline_min": 50,    # least decliners and least stayers among the untreated to refit the baseline
}


# ------------------------------------------------------------------------------------------- likelihoods
def log_lik(grid, p, y, w, b):
    """Log-likelihood on `grid` of theta for treated customers: P(y = 1) = p (1 - b theta). Each logarithm is
    taken only on the rows that need it (the decliners' log q, the others' log(1 - q)); unit weights are not
    multiplied in (the same sums, with two fewer rows x grid arrays)."""
    unit = bool((w == 1).all())

    def part(rows, log):
        terms = log(np.clip(p[rows, None] * (1 - b[rows, None] * grid[None, :]), 1e-12, 1 - 1e-12))
        return (terms if unit else w[rows, None] * terms).sum(0)

    declined = y == 1
    return part(declined, np.log) + part(~declined, lambda q: np.log1p(-q))


NODES, NODE_WEIGHTS = np.polynomial.hermite_e.hermegauss(9)  # c = 1 + sd z, z ~ N(0, 1)
NODE_WEIGHTS = NODE_WEIGHTS / NODE_WEIGHTS.sum()


def log_lik_uncertain(grid, p, y, w, b, sd):
    """log_lik with the untreated baseline p known only up to a factor c ~ N(1, sd^2) common to the rows (the
    refitted baseline's own uncertainty on their sum, refit_baseline): integrated over c by Gauss-Hermite."""
    if not sd > 0:
        return log_lik(grid, p, y, w, b)
    terms = [np.log(wk) + log_lik(grid, np.clip(p * max(1 + sd * zk, 1e-3), 0, 1), y, w, b)
             for zk, wk in zip(NODES, NODE_WEIGHTS, strict=True)]
    return np.logaddexp.reduce(np.array(terms), axis=0)


def beta_prior(grid, mean, strength):
    """Log density on `grid` of a Beta on theta / grid-max with the given mean (of theta) and strength."""
    top = grid[-1] + grid[0]
    m = float(np.clip(mean / top, 1e-4, 1 - 1e-4))
    return beta_dist.logpdf(grid / top, max(m * strength, 1e-3), max((1 - m) * strength, 1e-3))


def summarize(grid, log_post) -> dict:
    """Mean, 90 % interval, moment-matched Beta (of theta / grid-max) and the weights of a grid posterior."""
    wts = np.exp(log_post - log_post.max())
    wts /= wts.sum()
    mean = float((grid * wts).sum())
    var = float(((grid - mean) ** 2 * wts).sum())
    top = grid[-1] + grid[0]
    m, v = mean / top, var / top ** 2
    common = m * (1 - m) / v - 1 if v > 0 else 1e6
    cdf = np.cumsum(wts)
    return {"mean": mean, "low90": float(grid[np.searchsorted(cdf, 0.05)]),
            "high90": float(grid[min(np.searchsorted(cdf, 0.95), len(grid) - 1)]),
            "alpha": m * common, "beta": (1 - m) * common, "scale": float(top), "weights": wts}


# ------------------------------------------------------------------------------------------- the tree
def same_effect(rule, frame, p, y, w, b, group, min_info, alpha):
    """Does the split change the rate by the same factor in every group (offer) with at least min_info on both
    sides? Cochran's Q does not reject one factor at `alpha`, and the groups other than the one with the
    strongest evidence show the effect on their own (same sign, two-sided `alpha`). False when fewer than two
    groups can tell."""
    mask = apply_split(rule, frame)
    logs, variances = [], []
    for g in np.unique(group):
        sides = []
        for m in (mask & (group == g), ~mask & (group == g)):
            est, info = rate(p[m], y[m], w[m], b[m])
            if info < min_info:
                break
            est = max(est, 0.02)
            q = p[m] * (1 - np.clip(b[m] * est, 0, 1))
            sides.append((np.log(est), float((w[m] ** 2 * q * (1 - q)).sum()) / info ** 2 / est ** 2))
        if len(sides) == 2:
            logs.append(sides[0][0] - sides[1][0])
            variances.append(sides[0][1] + sides[1][1])
    if len(logs) < 2:
        return False
    logs, prec = np.array(logs), 1 / np.array(variances)
    centre = (logs * prec).sum() / prec.sum()
    if chi2.sf(((logs - centre) ** 2 * prec).sum(), len(logs) - 1) <= alpha:
        return False
    # and the effect shows without its strongest offer: one offer's effect, with the others too noisy to reject
    # it, is that offer's, not a shared one
    rest = np.arange(len(logs)) != np.argmax(np.abs(logs) * prec)
    z_rest = (logs[rest] * prec[rest]).sum() / np.sqrt(prec[rest].sum())
    return bool(z_rest * centre > 0 and chi2.sf(z_rest ** 2, 1) <= alpha)


def control_adjusted_z(rule: dict, frame, p, y, w, b, control, min_control: float) -> float | None:
    """The split's rate difference measured against each side's own control customers rather than against p: a
    side's untreated decline is c p with c = (control decliners) / (control sum of p) on that side, so
    theta = (sum w p - sum w y / c) / sum w p b, and its variance (delta method) holds the control's noise too.
    Where the model is miscalibrated on one side, the treated customers alone show a difference that is not the
    offer's; against the side's own control it vanishes. None when a side's control arm holds fewer than
    `min_control` expected decliners: too few to tell the offer from the model there."""
    if control is None or not len(control[0]):
        return None
    c_frame, c_p, c_y = control
    mask, c_mask = apply_split(rule, frame), apply_split(rule, c_frame)
    sides = []
    for m, cm in ((mask, c_mask), (~mask, ~c_mask)):
        expected = c_p[cm].sum()
        if expected < min_control or c_y[cm].sum() <= 0:
            return None
        c = c_y[cm].sum() / expected
        var_c = (c * c_p[cm] * (1 - np.clip(c * c_p[cm], 0, 1))).sum() / expected ** 2
        P, B, Y = (w[m] * p[m]).sum(), (w[m] * p[m] * b[m]).sum(), (w[m] * y[m]).sum()
        theta = (P - Y / c) / B
        q = np.clip(c * p[m] * (1 - b[m] * theta), 1e-9, 1 - 1e-9)
        var_y = (w[m] ** 2 * q * (1 - q)).sum()
        sides.append((theta, var_y / (c * B) ** 2 + Y ** 2 * var_c / (c ** 2 * B) ** 2))
    (t1, v1), (t2, v2) = sides
    return float((t1 - t2) / np.sqrt(max(v1 + v2, 1e-12)))


def grow(frame, p, y, w, b, search, depth, opts, rng, columns, group=None, path=(), control=None):
    """A tree on rows `frame` (theta multiplies b). `search`: rows the splits are searched on. `group`: the
    offer of each row for the shared tree (its splits must pass `same_effect`). `control`: (frame, p, y) of the
    control customers in the node: a split must also hold against them, on the rows it was not chosen on.
    Returns a nested dict."""
    node = {"path": list(path)}
    s = search
    if depth == 0 or (w[s] * p[s] * b[s]).sum() < 2 * opts["min_info"]:
        return node
    D, info, var = null_outcomes(p[s], y[s], w[s], b[s], opts["n_null"], rng)
    stats, rule, diff = scan(frame[s], D, info, var, columns, opts["n_thresholds"], opts["min_info"],
                             info_min=w[s] * p[s])
    if rule is None:
        return node
    pval = null_p_value(stats)
    node["candidate"] = {**rule, "z": float(np.sign(diff) * np.sqrt(stats[0])), "p_value": pval}
    if pval > opts["alpha"]:
        return node
    if group is not None and not same_effect(rule, frame[s], p[s], y[s], w[s], b[s], group[s],
                                             opts["min_info"], opts["same_alpha"]):
        node["candidate"]["same_effect"] = False
        return node
    check = ~s if (~s).any() else s  # the treated customers the split was not chosen on
    z_control = control_adjusted_z(rule, frame[check], p[check], y[check], w[check], b[check], control,
                                   opts["min_control"])
    node["candidate"]["z_against_control"] = None if z_control is None else z_control
    if z_control is None or z_control * diff <= 0 or chi2.sf(z_control ** 2, 1) > opts["check_alpha"]:
        return node  # the difference does not hold against each side's own control customers
    mask = apply_split(rule, frame)
    node["split"] = rule
    c_mask = apply_split(rule, control[0]) if control is not None and len(control[0]) else None
    node["children"] = [grow(frame[m], p[m], y[m], w[m], b[m], search[m], depth - 1, opts, rng, columns,
                             None if group is None else group[m], path + ((rule, side),),
                             None if c_mask is None else tuple(part[cm] for part in control))
                        for (side, m), cm in zip(((False, ~mask), (True, mask)),
                                                 (None, None) if c_mask is None else (~c_mask, c_mask), strict=True)]
    return node


def leaves(node) -> list:
    return [node] if "children" not in node else leaves(node["children"][0]) + leaves(node["children"][1])


def leaf_index(node, frame: pd.DataFrame) -> np.ndarray:
    """Leaf number (in `leaves` order) of each row of `frame`, for a tree as fitted or in its JSON form (to_json):
    both have a node's `split` and `children`."""
    out = np.zeros(len(frame), dtype=int)

    def walk(nd, rows, start):
        if "children" not in nd:
            out[rows] = start
            return start + 1
        m = apply_split(nd["split"], frame.iloc[rows])
        return walk(nd["children"][1], rows[m], walk(nd["children"][0], rows[~m], start))

    walk(node, np.arange(len(frame)), 0)
    return out


def choose_strength(items) -> float:
    """Empirical Bayes: the Beta prior strength maximizing the marginal likelihood of the leaves
    (items: (grid, prior mean, leaf log-likelihood))."""
    if not items:
        return float(STRENGTHS[-1])
    totals = []
    for m in STRENGTHS:
        total = 0.0
        for grid, mean, lk in items:
            a = beta_prior(grid, mean, m) + lk
            total += a.max() + np.log(np.exp(a - a.max()).mean())
        totals.append(total)
    return float(STRENGTHS[int(np.argmax(totals))])


# ------------------------------------------------------------------------------------------- fitting
def fit(table: pd.DataFrame, priors: dict, columns: list[str], seed: int = 0, **options) -> dict:
    """Fit the save-rate model.

    table: round-1 customers, one row each, with `columns`, probability (calibrated, untreated), offer (name or
      'none'), treated (bool: got the offer), control (bool: planned or explored, offer withheld), propensity
      (of the treatment received; used when weights='ipw'), declined (0/1).
    priors: offer -> {alpha, beta} (params campaign.offers.<o>.save_rate), in params order.
    columns: candidate split columns (model-table features, probability, profit, ...).
    options: see DEFAULTS.

    Returns a dict: options, calibration, pooled (offer -> posterior), shared (tree, leaves), offers (offer ->
    tree, leaves, info), strength (EB prior strength of the offers' leaves).
    """
    opts = {**DEFAULTS, **options}
    rng = np.random.default_rng(seed)
    names = list(priors)
    table = table.reset_index(drop=True)
    baseline, refit = refit_baseline(table, columns, opts, seed)
    # each offer's customers (its eligibility rule makes them a group of their own) checked against its control
    # arm: the baseline rescaled where the arm rejects it
    refitted = table.assign(probability=baseline)
    calib = {o: check_calibration(refitted[refitted["offer"] == o], opts["calibration_alpha"]) for o in names}
    factors = {o: c["factor"] if c["applied"] else 1.0 for o, c in calib.items()}
    treated = table["treated"].astype(bool).to_numpy() & table["offer"].isin(names).to_numpy()
    rows = table[treated].reset_index(drop=True)
    position = np.flatnonzero(treated)  # each treated row's place in the table

    def sd(m):  # the baseline's relative uncertainty on the rows m of the treated
        return baseline_sd(refit, position[m], w[m], baseline[position[m]])

    factor = rows["offer"].map(factors).to_numpy(float)
    p = np.clip(baseline[treated] * factor, 1e-6, 1 - 1e-6)
    y = rows["declined"].to_numpy(float)
    w = 1 / rows["propensity"].to_numpy(float) if opts["weights"] == "ipw" else np.ones(len(rows))
    offer = rows["offer"].to_numpy(str)
    for o in names:  # IPW weights normalized to mean 1 per offer
        if (offer == o).any():
            w[offer == o] /= max(w[offer == o].mean(), 1e-12)
    search = rng.random(len(rows)) < opts["search_share"]
    est = np.ones(len(rows), bool)
    # what a split is checked against: each offer's control arm, or, with a refitted baseline, every untreated
    # customer (the baseline is the same for all of them, whatever offer they would have got)
    untreated = (~table["treated"].astype(bool)).to_numpy() if refit["applied"] else \
        (table["control"].astype(bool) & table["offer"].isin(names)).to_numpy()
    ctrl = table[untreated].reset_index(drop=True)
    ctrl_p = np.clip(baseline[untreated] * ctrl["offer"].map(factors).fillna(1.0).to_numpy(float), 1e-6, 1 - 1e-6)
    ctrl_y, ctrl_offer = ctrl["declined"].to_numpy(float), ctrl["offer"].to_numpy(str)

    # pooled posterior per offer: params prior x every treated customer's likelihood
    pooled = {}
    for o in names:
        m = offer == o
        a, bb = priors[o]["alpha"], priors[o]["beta"]
        pooled[o] = summarize(UNIT, beta_prior(UNIT, a / (a + bb), a + bb)
                              + log_lik_uncertain(UNIT, p[m], y[m], w[m], np.ones(m.sum()), sd(m)))
    base = np.array([pooled[o]["mean"] for o in offer])
    if refit["applied"]:
        refit["relative_sd"] = {o: sd(offer == o) for o in names}  # the baseline's, on each offer's treated

    # shared multiplier g(x): a tree on all offers' customers relative to each offer's pooled rate
    g_grid = UNIT * (1 / max(pooled[o]["mean"] for o in names))
    shared = {"tree": {"path": []}}
    if opts["shared_depth"] > 0 and len(rows):
        shared["tree"] = grow(rows, p, y, w, base, search, opts["shared_depth"], opts, rng, columns, group=offer,
                              control=(ctrl, ctrl_p, ctrl_y))
    idx = leaf_index(shared["tree"], rows)
    n_shared = len(leaves(shared["tree"]))
    if n_shared == 1:
        shared["leaves"] = [{"mean": 1.0, "low90": 1.0, "high90": 1.0, "weights": None, "grid": None}]
    else:
        liks = [log_lik_uncertain(g_grid, p[est & (idx == k)], y[est & (idx == k)], w[est & (idx == k)],
                                  base[est & (idx == k)], sd(est & (idx == k))) for k in range(n_shared)]
        k_g = choose_strength([(g_grid, 1.0, lk) for lk in liks])
        shared["strength"] = k_g
        shared["leaves"] = [{**summarize(g_grid, beta_prior(g_grid, 1.0, k_g) + lk), "grid": g_grid}
                            for lk in liks]
    g = np.array([lf["mean"] for lf in shared["leaves"]])[idx]

    # each offer's tree on theta, s = g theta
    fitted, items = {}, []
    for o in names:
        m = offer == o
        fr, pm, ym, wm, gm = rows[m].reset_index(drop=True), p[m], y[m], w[m], g[m]
        grid = UNIT * min(1.0, 1 / g.max()) if len(g) else UNIT
        c = np.ones(len(ctrl), bool) if refit["applied"] else ctrl_offer == o
        tree = grow(fr, pm, ym, wm, gm, search[m], opts["depth"], opts, rng, columns,
                    control=(ctrl[c].reset_index(drop=True), ctrl_p[c], ctrl_y[c])) if m.any() else {"path": []}
        lv = leaf_index(tree, fr) if m.any() else np.zeros(0, dtype=int)
        k_leaves = len(leaves(tree))
        use = est[m]
        g_bar = max(float((gm * pm).sum() / pm.sum()), 1e-12) if m.any() else 1.0  # mean g of its customers
        theta0 = pooled[o]["mean"] / g_bar
        within = np.flatnonzero(m)
        liks = [log_lik_uncertain(grid, pm[use & (lv == k)], ym[use & (lv == k)], wm[use & (lv == k)],
                                  gm[use & (lv == k)], sd(within[use & (lv == k)])) for k in range(k_leaves)]
        fitted[o] = {"tree": tree, "grid": grid, "theta0": theta0, "g_bar": g_bar, "liks": liks,
                     "info": [float((wm * pm)[use & (lv == k)].sum()) for k in range(k_leaves)]}
        if k_leaves > 1:
            items += [(grid, theta0, lk) for lk in liks]
    strength = choose_strength(items)
    a0 = {o: priors[o]["alpha"] + priors[o]["beta"] for o in names}
    for o, f in fitted.items():
        if len(f["liks"]) == 1:  # no split: the params prior (on theta = s / mean g) times the likelihood
            prior = beta_prior(f["grid"], priors[o]["alpha"] / a0[o] / f["g_bar"], a0[o])
        else:
            prior = beta_prior(f["grid"], f["theta0"], strength)
        f["leaves"] = [summarize(f["grid"], prior + lk) for lk in f.pop("liks")]
    return {"options": opts, "calibration": calib, "baseline": refit, "names": names, "pooled": pooled,
            "shared": shared, "offers": fitted, "strength": strength}


# ------------------------------------------------------------------------------------------- use
def predict(model: dict, customers: pd.DataFrame) -> pd.DataFrame:
    """customers x offers: each customer's posterior mean save rate g(x) theta_o(x) for every offer."""
    names = list(model["offers"])
    return pd.DataFrame(predict_json(model, customers, names), columns=names, index=customers.index)


def cells(model: dict, customers: pd.DataFrame) -> dict:
    """offer -> (shared leaf, offer leaf) of each customer: the groups the model gives one rate."""
    c = customers.reset_index(drop=True)
    gi = leaf_index(model["shared"]["tree"], c)
    return {o: np.column_stack([gi, leaf_index(f["tree"], c)]) for o, f in model["offers"].items()}


def interval(model: dict, customers: pd.DataFrame, level: float = 0.9, draws: int = 4000, seed: int = 0):
    """(low, high) customers x offers: the posterior interval of g theta per (shared leaf, offer leaf) cell, by
    Monte Carlo from the grid posteriors (g and theta independent)."""
    rng = np.random.default_rng(seed)
    q = [(1 - level) / 2, (1 + level) / 2]
    sl = model["shared"]["leaves"]
    g_draws = [np.ones(draws) if lf["weights"] is None else rng.choice(lf["grid"], draws, p=lf["weights"])
               for lf in sl]
    cl = cells(model, customers)
    low, high = {}, {}
    for o, f in model["offers"].items():
        t_draws = [rng.choice(f["grid"], draws, p=lf["weights"]) for lf in f["leaves"]]
        table = {(a, b): np.quantile(np.clip(g_draws[a] * t_draws[b], 0, 1), q)
                 for a in range(len(sl)) for b in range(len(f["leaves"]))}
        lh = np.array([table[(a, b)] for a, b in cl[o]])
        low[o], high[o] = lh[:, 0], lh[:, 1]
    return pd.DataFrame(low, index=customers.index), pd.DataFrame(high, index=customers.index)


def _rule_text(rule, side):
    if rule["kind"] == "min":
        return f"{rule['column']} {'>=' if side else '<'} {rule['value']:.4g}"
    return f"{rule['column']} {'in' if side else 'not in'} {rule['value']}"


# ------------------------------------------------------------------------------------------- the JSON form
def _node_json(node: dict) -> dict:
    out = {}
    if "candidate" in node:
        out["candidate"] = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in node["candidate"].items()}
    if "split" in node:
        rule = dict(node["split"])
        if rule["kind"] == "min":
            rule["value"] = round(rule["value"], 6)
        out["split"] = rule
        out["children"] = [_node_json(child) for child in node["children"]]
    return out


def _leaf_json(leaf: dict, info: float | None = None) -> dict:
    out = {k: round(float(leaf[k]), 6) for k in ("mean", "low90", "high90")}
    if "alpha" in leaf:
        out.update({"alpha": round(float(leaf["alpha"]), 4), "beta": round(float(leaf["beta"]), 4),
                    "scale": round(float(leaf["scale"]), 6)})
    if info is not None:
        out["information"] = round(float(info), 3)
    return out


def to_json(model: dict) -> dict:
    """The fitted model as plain JSON (metrics/save_rates.json): the trees' splits and each leaf's posterior, all
    that predict_json needs to give new customers their rates; reading it runs nothing."""
    offers = {}
    for o, f in model["offers"].items():
        offers[o] = {"tree": _node_json(f["tree"]),
                     "leaves": [{"where": _path_text(node["path"]), **_leaf_json(lf, info)}
                                for lf, node, info in zip(f["leaves"], leaves(f["tree"]), f["info"], strict=True)]}
    shared = model["shared"]
    return {"calibration": {o: {k: (round(v, 6) if isinstance(v, float) else v) for k, v in c.items()}
                            for o, c in model["calibration"].items()},
            "baseline": {k: (round(v, 6) if isinstance(v, float) else
                             {o: round(x, 6) for o, x in v.items()} if isinstance(v, dict) else v)
                         for k, v in model["baseline"].items() if not isinstance(v, np.ndarray)},
            "strength": model["strength"],
            "shared": {"tree": _node_json(shared["tree"]),
                       "leaves": [{"where": _path_text(node["path"]), **_leaf_json(lf)}
                                  for lf, node in zip(shared["leaves"], leaves(shared["tree"]), strict=True)]},
            "offers": offers}


def _path_text(path) -> str:
    return " and ".join(_rule_text(r, s) for r, s in path) or "everyone"


def json_problem(model, names: list[str], numeric: list[str], categorical: list[str]) -> str | None:
    """What keeps a model read back from its JSON form (data made elsewhere) from giving customers their rates,
    or None: the shared tree (leaves: a multiplier of at least 0) and each offer's (leaves: a rate in [0, 1]), split
    at a number on a `numeric` column or by text categories of a `categorical` one."""
    if not isinstance(model, dict) or not isinstance(model.get("offers"), dict):
        return "'model' must be null or an object with 'shared' and 'offers'"
    parts = {"shared": model.get("shared"), **{f"offers.{o}": model["offers"].get(o) for o in names}}
    for where, part in parts.items():
        if not isinstance(part, dict) or not isinstance(part.get("leaves"), list):
            return f"'model.{where}' must hold a 'tree' and a list of 'leaves'"
        n = _tree_leaves(part.get("tree"), numeric, categorical)
        if n is None:
            return (f"'model.{where}.tree' must be nodes that are leaves or split into two 'children' (kind 'min': "
                    f"a number 'value' on one of {numeric}; kind 'in': a list of categories on one of {categorical})")
        high, what = (math.inf, "a 'mean' of at least 0") if where == "shared" else (1, "a 'mean' in [0, 1]")
        if n != len(part["leaves"]) or not all(isinstance(lf, dict) and real(lf.get("mean"), 0, high)
                                               for lf in part["leaves"]):
            return f"'model.{where}.leaves' must give each of the tree's {n} leaves {what}"
    return None


def _tree_leaves(node, numeric, categorical) -> int | None:
    """The number of leaves of a tree in JSON form, or None where a node is not one predict_json can follow."""
    if not isinstance(node, dict):
        return None
    if "split" not in node and "children" not in node:
        return 1
    rule, children = node.get("split"), node.get("children")
    ok = (isinstance(rule, dict)
          and (rule.get("kind") == "min" and rule.get("column") in numeric and real(rule.get("value"))
               or rule.get("kind") == "in" and rule.get("column") in categorical
               and isinstance(rule.get("value"), list) and all(isinstance(v, str) for v in rule["value"]))
          and isinstance(children, list) and len(children) == 2)
    counts = [_tree_leaves(child, numeric, categorical) for child in children] if ok else [None]
    return None if None in counts else sum(counts)


def predict_json(model: dict, customers: pd.DataFrame, names: list[str]) -> np.ndarray:
    """customers x offers (in `names` order): each customer's posterior mean save rate g(x) theta_o(x), from a
    fitted model or its JSON form (to_json): both hold the trees' splits and each leaf's mean."""
    c = customers.reset_index(drop=True)
    g = np.array([lf["mean"] for lf in model["shared"]["leaves"]])[leaf_index(model["shared"]["tree"], c)]
    out = np.zeros((len(c), len(names)))
    for j, o in enumerate(names):
        f = model["offers"][o]
        theta = np.array([lf["mean"] for lf in f["leaves"]])[leaf_index(f["tree"], c)]
        out[:, j] = np.clip(g * theta, 0.0, 1.0)
    return out

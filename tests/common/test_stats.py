"""The paired intervals against hand-computed numbers and slow reference implementations."""

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from oneclick.stats import (
    bootstrap_means,
    corrected_t_difference,
    cv_interval,
    delong_difference,
    delong_interval,
    effective_counts,
    mean_interval,
    unpaired_difference,
    verdict,
)


def test_cv_interval_is_the_corrected_resampled_t():
    """5 folds x 2 repeats: variance s² (1/10 + 1/4), not s²/10 (the folds share training rows), with s the sample
    std of the fold scores, given the population std that scikit-learn's cv_results_ reports."""
    scores = np.array([0.91, 0.88, 0.90, 0.93, 0.87, 0.92, 0.89, 0.90, 0.94, 0.86])
    low, high = cv_interval(scores.mean(), scores.std(), folds=5, repeats=2)
    half = stats.t.ppf(0.975, 9) * scores.std(ddof=1) * math.sqrt(1 / 10 + 1 / 4)
    assert (low, high) == pytest.approx((scores.mean() - half, scores.mean() + half))
    assert half > stats.t.ppf(0.975, 9) * scores.std(ddof=1) / math.sqrt(10)  # wider than the naive interval
    assert cv_interval(0.99, 0.05, folds=5, repeats=2)[1] == 1.0  # a ROC-AUC interval stops at 1


def test_corrected_t_difference_on_hand_computed_numbers():
    """Differences 0.01, 0.02, 0.03, 0.00, 0.04 over 5 folds: mean 0.02, sample variance 2.5e-4, corrected
    variance 2.5e-4 x (1/5 + 1/4) = 1.125e-4, t(4, 0.975) = 2.776445, half-width 0.0294486."""
    base = [0.80, 0.81, 0.79, 0.82, 0.80]
    head = [0.81, 0.83, 0.82, 0.82, 0.84]
    mean, low, high = corrected_t_difference(base, head, folds=5)
    assert mean == pytest.approx(0.02)
    assert (low, high) == pytest.approx((0.02 - 0.0294486, 0.02 + 0.0294486), abs=1e-6)
    assert verdict(low, high) == "no detectable difference"
    # the naive paired t (variance s²/J) would call the same numbers better
    naive_half = 2.776445 * math.sqrt(2.5e-4 / 5)
    assert 0.02 - naive_half > 0


def test_identical_scores_give_a_zero_interval_and_no_difference():
    scores = [0.9, 0.85, 0.92, 0.88]
    mean, low, high = corrected_t_difference(scores, scores, folds=4)
    assert (mean, low, high) == (0.0, 0.0, 0.0) and verdict(low, high) == "no detectable difference"


def test_verdict_words():
    assert verdict(0.001, 0.02) == "better"
    assert verdict(-0.03, -0.001) == "worse"
    assert verdict(-0.01, 0.01) == "no detectable difference"


def slow_delong(y, base, head):
    """DeLong's variance from its definition: placement values by comparing every positive with every negative."""
    y = np.asarray(y)

    def placements(p):
        pos, neg = p[y == 1], p[y == 0]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        return psi.mean(), psi.mean(axis=1), psi.mean(axis=0)

    (a_b, x_b, y_b), (a_h, x_h, y_h) = placements(np.asarray(base)), placements(np.asarray(head))
    s_x, s_y = np.cov(np.vstack([x_b, x_h])), np.cov(np.vstack([y_b, y_h]))
    var = (s_x[0, 0] + s_x[1, 1] - 2 * s_x[0, 1]) / len(x_b) + (s_y[0, 0] + s_y[1, 1] - 2 * s_y[0, 1]) / len(y_b)
    half = stats.norm.ppf(0.975) * math.sqrt(var)
    return a_h - a_b, a_h - a_b - half, a_h - a_b + half


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_delong_matches_the_slow_reference_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 60)
    base = np.round(y * 0.5 + rng.normal(0, 0.5, 60), 1)  # rounded: many ties
    head = np.round(y * 0.8 + rng.normal(0, 0.5, 60), 1)
    fast = delong_difference(y, base, head)
    assert fast == pytest.approx(slow_delong(y, base, head), abs=1e-12)
    assert fast[0] == pytest.approx(roc_auc_score(y, head) - roc_auc_score(y, base))


def test_delong_calls_a_much_worse_model_worse_and_the_same_model_equal():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 300)
    good = y + rng.normal(0, 0.6, 300)
    bad = y + rng.normal(0, 3.0, 300)
    assert verdict(*delong_difference(y, good, bad)[1:]) == "worse"
    assert verdict(*delong_difference(y, bad, good)[1:]) == "better"
    assert delong_difference(y, good, good) == (0.0, 0.0, 0.0)


def test_delong_covers_the_truth_about_95_percent_of_the_time():
    """Coverage by simulation: two models with the same true ROC-AUC, 400 test sets of 200 customers."""
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(400):
        y = rng.integers(0, 2, 200)
        signal = rng.normal(0, 1, 200)
        a = y + signal + rng.normal(0, 1, 200)
        b = y + signal + rng.normal(0, 1, 200)
        _, low, high = delong_difference(y, a, b)
        covered += low <= 0 <= high
    assert 0.92 <= covered / 400 <= 0.98


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_delong_interval_matches_the_slow_reference_with_ties(seed):
    """One model's DeLong interval from the slow reference against a constant base model: the base's ROC-AUC is
    1/2 and its placement values are all 1/2, so the difference is ROC-AUC - 1/2 with the single model's variance
    S_10 / m + S_01 / n (sample variances of the placement values of the m positives and n negatives). Its standard
    error, taken on the logit scale: logit(AUC) +- z se / (AUC (1 - AUC)), mapped back."""
    rng = np.random.default_rng(seed)
    y = (rng.random(80) < 0.35).astype(int)  # unequal classes: a variance divided by the other class's size differs
    proba = np.round(y * 0.6 + rng.normal(0, 0.5, 80), 1)  # rounded: ties within and across the classes
    auc, low, high = delong_interval(y, proba)
    diff, ref_low, ref_high = slow_delong(y, np.zeros(80), proba)
    assert auc == pytest.approx(roc_auc_score(y, proba), abs=1e-12) and auc == pytest.approx(diff + 0.5, abs=1e-12)
    z = stats.norm.ppf(0.975)
    se = (ref_high - diff) / z  # the reference's standard error
    half = z * se / (auc * (1 - auc))
    expected = [1 / (1 + math.exp(-(math.log(auc / (1 - auc)) + sign * half))) for sign in (-1, 1)]
    assert (low, high) == pytest.approx(expected, abs=1e-12)
    assert 0 < low < auc < high < 1


def test_delong_interval_refuses_a_class_of_one_customer():
    """A variance from one placement value is NaN: refused, not returned as an interval."""
    for y in ([1] + [0] * 20, [0] + [1] * 20):
        with pytest.raises(ValueError, match="two customers of each class"):
            delong_interval(np.array(y), np.linspace(0, 1, 21))


def test_delong_interval_stays_below_1_and_is_a_point_at_1():
    """3 positives above 6 of 7 negatives, one negative above them all: ROC-AUC 18/21 = 0.857 and se
    sqrt(0 / 3 + (1/7) / 7) = 1/7, whose plain normal interval would reach 1.137; on the logit scale it is
    logit(6/7) +- 1.96 (1/7) / ((6/7)(1/7)) = ln 6 +- 1.96 x 7/6, 0.379 to 0.983. Every positive above every
    negative: ROC-AUC 1 with no spread in the placement values, the interval the point 1."""
    y = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    proba = [0.7, 0.8, 0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.95]
    auc, low, high = delong_interval(y, proba)
    half = stats.norm.ppf(0.975) * 7 / 6
    assert auc == pytest.approx(18 / 21)
    assert (low, high) == pytest.approx((1 / (1 + 6 ** -1 * math.exp(half)), 1 / (1 + 6 ** -1 * math.exp(-half))),
                                        abs=1e-12)
    assert (round(low, 3), round(high, 3)) == (0.379, 0.983)
    assert delong_interval([1, 1, 0, 0, 0], [0.9, 0.8, 0.3, 0.2, 0.1]) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("auc, positives, negatives", [(stats.norm.cdf(1 / math.sqrt(2)), 60, 90), (0.91, 15, 40)],
                         ids=["auc-0.76-of-150", "auc-0.91-of-55"])
def test_delong_interval_covers_the_true_roc_auc_about_95_percent_of_the_time(auc, positives, negatives):
    """Binormal scores, positives N(d, 1) and negatives N(0, 1), true ROC-AUC Φ(d / √2): an export of 150 and a
    small one of 55 with a high ROC-AUC. Over 1000 test sets the interval covers it within the central 99.9 % of
    Binomial(1000, 0.95) / 1000, 0.926 to 0.971. Measured on 40 000 sets: 0.953 and 0.944 (this seed: 0.956 and
    0.941), where the plain normal interval covers 0.944 and 0.877 (which fails here). A 90 % z or the negatives'
    variance term left out fails."""
    d = stats.norm.ppf(auc) * math.sqrt(2)
    reps = 1000
    low_bound, high_bound = stats.binom.ppf([0.0005, 0.9995], reps, 0.95) / reps
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(positives, dtype=int), np.zeros(negatives, dtype=int)]
    covered = 0
    for _ in range(reps):
        _, low, high = delong_interval(y, np.r_[rng.normal(d, 1, positives), rng.normal(0, 1, negatives)])
        covered += low <= auc <= high
    assert low_bound <= covered / reps <= high_bound


def test_unpaired_difference_on_hand_computed_numbers():
    """0.80 [0.77, 0.83] minus 0.72 [0.68, 0.76]: standard errors 0.03 / z and 0.04 / z (z = Φ⁻¹(0.975) = 1.96),
    in quadrature 0.05 / z = 0.02551; difference 0.08, interval 0.08 ± 0.05 = [0.03, 0.13], z = 3.136, better.
    Only an interval's width is read (an asymmetric bootstrap interval of the same width gives the same), and the
    level cancels: two 90 % intervals of the same widths give the 90 % interval [0.03, 0.13]."""
    z = stats.norm.ppf(0.975)
    se = math.hypot(0.03 / z, 0.04 / z)
    expected = stats.norm.interval(0.95, loc=0.08, scale=se)
    assert expected == pytest.approx((0.03, 0.13), abs=1e-12) and 0.08 / se == pytest.approx(3.1359, abs=1e-4)
    diff, low, high = unpaired_difference(0.80, 0.77, 0.83, 0.72, 0.68, 0.76)
    assert (diff, low, high) == pytest.approx((0.08, *expected), abs=1e-12)
    assert verdict(low, high) == "better"
    assert unpaired_difference(0.72, 0.68, 0.76, 0.80, 0.77, 0.83) == pytest.approx((-0.08, -0.13, -0.03), abs=1e-12)
    assert unpaired_difference(0.80, 0.77, 0.83, 0.72, 0.69, 0.77) == pytest.approx((diff, low, high), abs=1e-12)
    se_90 = math.hypot(0.03 / stats.norm.ppf(0.95), 0.04 / stats.norm.ppf(0.95))
    assert unpaired_difference(0.80, 0.77, 0.83, 0.72, 0.68, 0.76, level=0.90) == pytest.approx(
        (0.08, *stats.norm.interval(0.90, loc=0.08, scale=se_90)), abs=1e-12)


def test_unpaired_difference_of_two_delong_intervals_covers_the_true_difference():
    """Two models on different customers: binormal separations 1 (60 positives, 90 negatives) and 1.5 (100, 150),
    true difference Φ(1/√2) - Φ(1.5/√2) = 0.7602 - 0.8556 = -0.0953. Over 1000 pairs of test sets the interval
    covers it within the central 99.9 % of Binomial(1000, 0.95) / 1000, 0.926 to 0.971 (0.949 on 20 000 pairs,
    where 0.1 % of seeds would fail; 0.944 with this seed). Half-widths added rather than in quadrature (0.995)
    or the second model's left out (0.895) fail."""
    truth = stats.norm.cdf(1 / math.sqrt(2)) - stats.norm.cdf(1.5 / math.sqrt(2))
    reps = 1000
    low_bound, high_bound = stats.binom.ppf([0.0005, 0.9995], reps, 0.95) / reps
    rng = np.random.default_rng(0)
    y_a = np.r_[np.ones(60, dtype=int), np.zeros(90, dtype=int)]
    y_b = np.r_[np.ones(100, dtype=int), np.zeros(150, dtype=int)]
    covered = 0
    for _ in range(reps):
        a = delong_interval(y_a, np.r_[rng.normal(1, 1, 60), rng.normal(0, 1, 90)])
        b = delong_interval(y_b, np.r_[rng.normal(1.5, 1, 100), rng.normal(0, 1, 150)])
        _, low, high = unpaired_difference(*a, *b)
        covered += low <= truth <= high
    assert low_bound <= covered / reps <= high_bound


def _mover_r_by_root(x1, n1, x2, n2):
    """MOVER-R limits of p1 / p2 solved numerically: the t where p1 - t p2 equals minus (lower) or plus (upper) the
    MOVER half-width sqrt((p1 - l1)^2 + t^2 (u2 - p2)^2), resp. sqrt((u1 - p1)^2 + t^2 (p2 - l2)^2)."""
    from scipy.optimize import brentq

    from oneclick.stats import wilson

    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1), wilson(x2, n2)

    def lower(t):
        return p1 - t * p2 - math.sqrt((p1 - l1) ** 2 + t ** 2 * (u2 - p2) ** 2)

    def upper(t):
        return p1 - t * p2 + math.sqrt((u1 - p1) ** 2 + t ** 2 * (p2 - l2) ** 2)

    low = brentq(lower, 0, p1 / p2) if lower(0) > 0 else 0.0
    high = brentq(upper, p1 / p2, 1e6) if upper(1e6) < 0 else math.inf
    return low, high


@pytest.mark.parametrize("counts", [(5, 60, 2, 30), (30, 100, 40, 100), (12, 50, 20, 40), (1, 20, 3, 25),
                                    (40, 200, 10, 30), (0, 30, 5, 30)])
def test_mover_r_limits_are_the_roots_of_their_equations(counts):
    from oneclick.stats import ratio_interval

    ratio, low, high = ratio_interval(*counts)
    ref_low, ref_high = _mover_r_by_root(*counts)
    assert low == pytest.approx(ref_low, abs=1e-9) and high == pytest.approx(ref_high, rel=1e-9)
    assert low <= ratio <= high


def test_a_small_denominator_arm_keeps_its_lower_limit():
    """5/60 against 2/30: the Wilson upper limit of 2/30 is more than twice 2/30, where the old code gave 0."""
    from oneclick.stats import ratio_interval

    _, low, high = ratio_interval(5, 60, 2, 30)
    assert round(low, 3) == 0.293 and round(1 - low, 2) == 0.71


COUNTS = [(x1, n1, x2, n2) for x1 in (2, 5, 20, 50) for n1 in (60, 200) for x2 in (2, 8, 20) for n2 in (30, 150)
          if x1 < n1 and x2 < n2]


def test_newcombe_is_statsmodels_hybrid_score_interval():
    from statsmodels.stats.proportion import confint_proportions_2indep

    from oneclick.stats import newcombe_difference

    for counts in COUNTS:
        _, low, high = newcombe_difference(*counts)
        ref = confint_proportions_2indep(*counts, method="newcomb", compare="diff")
        assert (low, high) == pytest.approx(ref, abs=1e-12), counts


def test_mover_r_is_close_to_the_score_interval_of_the_ratio():
    """Another method of the same ratio (Miettinen-Nurminen score, statsmodels): within 9 % on the log scale on
    this grid, the largest gap where both arms are small (2/200 against 2/150)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    from oneclick.stats import ratio_interval

    for counts in COUNTS:
        _, low, high = ratio_interval(*counts)
        ref_low, ref_high = confint_proportions_2indep(*counts, method="score", compare="ratio")
        assert abs(math.log(low / ref_low)) < 0.09 and abs(math.log(high / ref_high)) < 0.09, counts


def test_the_bootstrap_interval_of_a_mean_is_the_normal_one_on_a_large_sample_and_pairs_its_columns():
    """On 5000 skewed values the percentile bootstrap of the mean agrees with mean ± 1.96 sd / sqrt(n); a column
    of differences of two correlated columns gets the paired interval, far narrower than either column's."""
    rng = np.random.default_rng(3)
    a = rng.exponential(2.0, 5000)
    b = a + rng.normal(0.1, 0.3, 5000)
    low, high = bootstrap_means(np.column_stack([a, b, b - a]), 2000, seed=0)
    for j, x in enumerate([a, b, b - a]):
        half = 1.96 * x.std(ddof=1) / math.sqrt(len(x))
        assert low[j] == pytest.approx(x.mean() - half, abs=0.1 * half)
        assert high[j] == pytest.approx(x.mean() + half, abs=0.1 * half)
    assert high[2] - low[2] < (high[0] - low[0]) / 5
    assert bootstrap_means(np.full(10, 2.5), 50, seed=0) == (pytest.approx([2.5]), pytest.approx([2.5]))


def test_mean_interval_is_scipys_normal_interval_of_the_mean():
    x = np.random.default_rng(5).normal(0.3, 2.0, 400)
    expected = stats.norm.interval(0.95, loc=x.mean(), scale=stats.sem(x))
    assert mean_interval(x) == pytest.approx(expected, rel=1e-9)
    assert mean_interval(np.zeros(5)) == (0.0, 0.0)


def test_effective_counts_are_the_plain_counts_under_equal_weights_and_kish_s_size_otherwise():
    y = np.array([1, 0, 1, 1, 0])
    assert effective_counts(y, np.full(5, 2.5)) == pytest.approx((3.0, 5.0))
    # weights 1, 1, 2: Kish's size (sum w)^2 / sum w^2 = 16 / 6; the weighted rate (1 + 2) / 4
    assert effective_counts([1, 0, 1], [1, 1, 2]) == pytest.approx((0.75 * 16 / 6, 16 / 6))


def test_the_edges_give_the_honest_answer_or_one_clear_refusal():
    """An empty arm knows nothing ([0, 1]); equal rates are never told apart (power = alpha's share is not claimed:
    0 with no spread, infinitely many customers needed); no customers, no interval; one fold or one class is
    refused by name."""
    import math

    from oneclick.stats import power_of, size_factor, wilson

    assert wilson(0, 0) == (0.0, 1.0)
    assert power_of(0.3, 100, 0.3, 100, 0.05) == pytest.approx(0.05 / 2, abs=1e-3)  # only the test's own errors
    assert power_of(0.0, 100, 0.0, 100, 0.05) == 0.0 and power_of(0.0, 100, 1.0, 100, 0.05) == 1.0
    assert math.isinf(size_factor(0.4, 50, 0.4, 50, 0.05, 0.8))
    low, high = bootstrap_means(np.zeros((0, 2)), 100, 0)
    assert low.tolist() == [0.0, 0.0] and high.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="at least two folds"):
        corrected_t_difference([0.8], [0.9], 5)
    with pytest.raises(ValueError, match="at least two customers of each class"):
        delong_difference([1, 1, 1], [0.2, 0.5, 0.9], [0.1, 0.4, 0.8])
    with pytest.raises(ValueError, match="at least two customers of each class"):  # one positive: no variance
        delong_difference([1, 0, 0, 0, 0], [0.9, 0.1, 0.2, 0.3, 0.95], [0.5, 0.1, 0.2, 0.3, 0.4])
    # no successes or all: the bound is 0 or 1 exactly, as statsmodels gives it, so the interval holds p
    from statsmodels.stats.proportion import proportion_confint
    for x, n in ((0, 10), (10, 10), (0, 1), (7, 7)):
        assert wilson(x, n) == pytest.approx(proportion_confint(x, n, alpha=0.05, method="wilson"), abs=1e-12)
        low, high = wilson(x, n)
        assert low <= x / n <= high

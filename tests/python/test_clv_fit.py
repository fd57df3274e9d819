"""The CLV fits (custseg.clv) reach the maximum likelihood on data the project never made.

Oracles: the public data sets shipped inside the ``lifetimes`` package and lifetimes' own
fitters (BetaGeoFitter, ModifiedBetaGeoFitter, GammaGammaFitter) on them; and data
simulated here from known parameters, whose fit must recover the parameters within
sampling error (standard errors from the Hessian) and match lifetimes on the same data.
Pure Python, no dbt build.
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter
from lifetimes import datasets as lifetimes_datasets
from lifetimes.utils import ConvergenceError, summary_data_from_transaction_data
from scipy.optimize import minimize

from custseg import clv

RELATIVE = 1e-3  # 0.1 %
PURCHASE_FITTERS = {
    "bg_nbd": (clv.fit_bg_nbd, BetaGeoFitter),
    "mbg_nbd": (clv.fit_mbg_nbd, ModifiedBetaGeoFitter),
}


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


# ------------------------------------------------------------------ public data sets


def _cdnow_transactions(filename: str) -> pd.DataFrame:
    """CDNOW_master / CDNOW_sample (whitespace separated: id, [sample id,] yyyymmdd, CDs,
    dollars) as a lifetimes summary in days, as of the last transaction date."""
    path = Path(lifetimes_datasets.__file__).parent / filename
    raw = pd.read_csv(path, sep=r"\s+", header=None, dtype=str)
    raw = raw[raw[0] != "customer_id"]  # CDNOW_master has a header line
    date_column = 2 if raw.shape[1] == 5 else 1
    transactions = pd.DataFrame(
        {
            "customer_id": raw[0],
            "date": pd.to_datetime(raw[date_column], format="%Y%m%d"),
            "value": raw[raw.shape[1] - 1].astype(float),
        }
    )
    return summary_data_from_transaction_data(
        transactions, "customer_id", "date", monetary_value_col="value", freq="D"
    )


@cache
def public_summary(name: str) -> pd.DataFrame:
    """Every data set in lifetimes.datasets as a (frequency, recency, T[, monetary_value])
    summary. donations (a discrete-time data set of 6 periods, weighted) is expanded."""
    if name == "cdnow_summary":
        return lifetimes_datasets.load_cdnow_summary()
    if name == "cdnow_summary_data_with_monetary_value":
        return lifetimes_datasets.load_cdnow_summary_data_with_monetary_value()
    if name == "CDNOW_sample":
        return _cdnow_transactions("CDNOW_sample.txt")
    if name == "CDNOW_master":
        return _cdnow_transactions("CDNOW_master.txt")
    if name == "example_transactions":
        transactions = lifetimes_datasets.load_transaction_data()
        transactions["date"] = pd.to_datetime(transactions["date"])
        return summary_data_from_transaction_data(transactions, "id", "date", freq="D")
    if name == "donations":
        weighted = lifetimes_datasets.load_donations()
        return pd.DataFrame(
            {
                "frequency": np.repeat(weighted["frequency"], weighted["weights"]),
                "recency": np.repeat(weighted["recency"], weighted["weights"]),
                "T": np.repeat(weighted["periods"], weighted["weights"]),
            }
        ).reset_index(drop=True)
    raise KeyError(name)


WITH_TRANSACTIONS = [
    "cdnow_summary",
    "cdnow_summary_data_with_monetary_value",
    "CDNOW_sample",
    "CDNOW_master",
    "example_transactions",
]
WITH_SPEND = ["cdnow_summary_data_with_monetary_value", "CDNOW_sample", "CDNOW_master"]


def test_every_public_data_set_is_covered():
    """The lists above name every data file lifetimes ships (a new one would fail here)."""
    shipped = {
        path.name
        for path in Path(lifetimes_datasets.__file__).parent.iterdir()
        if path.suffix in {".csv", ".txt"}
    }
    assert shipped == {
        "cdnow_customers_summary.csv",  # cdnow_summary
        "cdnow_customers_summary_with_transactions.csv",  # ..._with_monetary_value
        "CDNOW_sample.txt",
        "CDNOW_master.txt",
        "example_transactions.csv",
        "donations.csv",
    }


@pytest.mark.parametrize("model", sorted(PURCHASE_FITTERS))
@pytest.mark.parametrize("name", WITH_TRANSACTIONS)
def test_purchase_fit_matches_lifetimes_on_public_data(name, model):
    summary = public_summary(name)
    ours_fit, reference_fitter = PURCHASE_FITTERS[model]
    f, r, t = summary["frequency"], summary["recency"], summary["T"]
    fit = ours_fit(f, r, t, min_customers=1)
    reference = quiet(reference_fitter().fit, f, r, t)
    assert fit.converged, fit.reason
    for parameter, value in reference.params_.items():
        assert fit.params[parameter] == pytest.approx(value, rel=RELATIVE), parameter


@pytest.mark.parametrize("name", WITH_SPEND)
def test_gamma_gamma_matches_lifetimes_on_public_data(name):
    """On cdnow_summary_data_with_monetary_value (946 repeat buyers) the fit used to walk
    off to p ~ 1e7, gamma ~ 1e-6 and report converged = false."""
    summary = public_summary(name)
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    fit = clv.fit_gamma_gamma(summary["frequency"], summary["monetary_value"], min_customers=1)
    reference = quiet(GammaGammaFitter().fit, repeat["frequency"], repeat["monetary_value"])
    assert fit.converged, fit.reason
    assert fit.n_customers == len(repeat)
    for parameter, value in reference.params_.rename({"v": "gamma"}).items():
        assert fit.params[parameter] == pytest.approx(value, rel=RELATIVE), parameter
    # and the log-likelihood is lifetimes' (its objective is the mean negative one)
    assert fit.log_likelihood == pytest.approx(
        -reference._negative_log_likelihood_ * len(repeat), rel=1e-9
    )


def test_cdnow_predictions_match_lifetimes_for_every_customer():
    """MBG/NBD + Gamma-Gamma predictions on the retail benchmark: none null, all within
    0.1 % of lifetimes (p_alive, expected purchases, value per purchase, 12-month CLV)."""
    summary = public_summary("cdnow_summary_data_with_monetary_value")
    f, r, t, m = (summary[c] for c in ("frequency", "recency", "T", "monetary_value"))
    purchase = clv.fit_mbg_nbd(f, r, t, min_customers=1)
    spend = clv.fit_gamma_gamma(f, m, min_customers=1)
    rows = pd.DataFrame(purchase.rows() + spend.rows())
    frame = pd.DataFrame(
        {"customer_id": summary.index, "frequency": f, "recency": r, "t": t, "monetary_value": m}
    )
    found = clv.predictions(frame, rows, monthly_discount_rate=0.01)
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    mbg = quiet(ModifiedBetaGeoFitter().fit, f, r, t)
    gg = quiet(GammaGammaFitter().fit, repeat["frequency"], repeat["monetary_value"])
    expected = {
        "p_alive": mbg.conditional_probability_alive(f, r, t),
        "expected_purchases_90d": mbg.conditional_expected_number_of_purchases_up_to_time(
            90, f, r, t
        ),
        "expected_average_order_value": gg.conditional_expected_average_profit(f, m),
        # CDNOW is in weeks: 12 "months" of 30 time units, as lifetimes with freq="D"
        "predicted_clv_12m": quiet(
            gg.customer_lifetime_value, mbg, f, r, t, m, time=12, discount_rate=0.01, freq="D"
        ),
    }
    for column, reference in expected.items():
        values = found[column].to_numpy(dtype=float)
        assert np.isfinite(values).all(), column
        assert np.allclose(values, np.asarray(reference, dtype=float), rtol=RELATIVE), column


def test_donations_has_no_interior_maximum_and_says_so():
    """donations is a discrete-time data set (6 yearly periods, BG/BB in lifetimes): neither
    BG/NBD nor MBG/NBD has an interior maximum there (lifetimes raises ConvergenceError).
    The fit publishes null parameters and the reason, and the reason is true: the
    likelihood keeps rising along the ray the fit reported."""
    summary = public_summary("donations")
    f, r, t = summary["frequency"], summary["recency"], summary["T"]
    for model, (ours_fit, reference_fitter) in PURCHASE_FITTERS.items():
        with pytest.raises(ConvergenceError):
            quiet(reference_fitter().fit, f, r, t)
        fit = ours_fit(f, r, t, min_customers=1)
        assert not fit.converged, model
        assert all(value is None for value in fit.params.values()), model
        assert fit.log_likelihood is None
        assert "boundary" in fit.reason, fit.reason
        assert all(row["value"] is None and row["reason"] for row in fit.rows())
    # MBG/NBD: r runs off (a homogeneous purchase rate). The profile likelihood, maximised
    # over (alpha, a, b) by Nelder-Mead for each fixed r, only grows with r.
    weighted = lifetimes_datasets.load_donations()
    x, t_x, periods, w = (
        weighted[c].to_numpy(float) for c in ("frequency", "recency", "periods", "weights")
    )

    def profile(r):
        def negative(log_rest):
            alpha, a, b = np.exp(log_rest)
            return -(w * clv.mbg_nbd_log_likelihood((r, alpha, a, b), x, t_x, periods)).sum()

        start = np.log([r / 0.6, 0.2, 0.5])
        return -minimize(negative, start, method="Nelder-Mead", options={"maxiter": 4000}).fun

    likelihood = [profile(r) for r in (1.0, 10.0, 100.0, 1000.0, 10000.0)]
    assert np.all(np.diff(likelihood) > 0), likelihood


# ------------------------------------------------------------------------ simulations


def simulate_purchases(rng, n: int, r, alpha, a, b, T, modified: bool = True):
    """(M)BG/NBD customers in continuous time: lambda ~ Gamma(r, alpha), dropout p ~
    Beta(a, b). The repeat purchases a customer lives for is geometric: MBG/NBD may drop
    out right after the first purchase (0, 1, 2, ...), BG/NBD only after a repeat
    purchase (1, 2, ...). Within T the purchase count is Poisson; x is the smaller of the
    two, and the x-th of N uniform purchase times is T * Beta(x, N - x + 1)."""
    rate = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    lives = rng.geometric(dropout) - (1 if modified else 0)
    count = rng.poisson(rate * T)
    x = np.minimum(lives, count)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(count - x + 1, 1)), 0.0)
    return x.astype(float), t_x, np.asarray(T, dtype=float)


def simulate_spend(rng, x, p, q, gamma):
    """Gamma-Gamma: nu ~ Gamma(q, rate gamma); the mean of x purchases ~ Gamma(p x, rate nu x)."""
    nu = rng.gamma(q, 1 / gamma, len(x))
    return rng.gamma(p * x, 1 / (nu * x))


def spend_cv(p, q):
    """Coefficient of variation of one purchase's value across the population."""
    return np.sqrt((p + 1) * (q - 1) / (p * (q - 2)) - 1)


PURCHASE_REGIMES = {
    # name: (r, alpha, a, b) in days, expected share of repeat buyers
    "few_repeat_buyers": ((0.15, 60.0, 1.2, 2.0), (0.0, 0.3)),
    "many_repeat_buyers": ((2.0, 30.0, 0.5, 6.0), (0.8, 1.0)),
    "cdnow_like": ((0.7, 70.0, 0.5, 0.9), (0.3, 0.7)),
}


def assert_recovered(fit, truth: dict, sigmas: float = 4.0):
    for parameter, value in truth.items():
        error = fit.standard_errors[parameter]
        assert np.isfinite(error) and error > 0, parameter
        assert abs(fit.params[parameter] - value) < sigmas * error, (
            parameter,
            fit.params[parameter],
            value,
            error,
        )


@pytest.mark.parametrize("modified", [True, False], ids=["mbg_nbd", "bg_nbd"])
@pytest.mark.parametrize("regime", sorted(PURCHASE_REGIMES))
def test_purchase_fit_recovers_simulated_parameters(regime, modified):
    (r, alpha, a, b), (low, high) = PURCHASE_REGIMES[regime]
    rng = np.random.default_rng(20070301)
    n = 4000
    ages = rng.uniform(30, 730, n).round()  # customers acquired over two years, in days
    x, t_x, T = simulate_purchases(rng, n, r, alpha, a, b, ages, modified)
    assert low <= (x > 0).mean() <= high  # the regime is what it says
    fit = (clv.fit_mbg_nbd if modified else clv.fit_bg_nbd)(x, t_x, T, min_customers=1)
    assert fit.converged, fit.reason
    assert_recovered(fit, {"r": r, "alpha": alpha, "a": a, "b": b})
    reference_fitter = ModifiedBetaGeoFitter if modified else BetaGeoFitter
    reference = quiet(reference_fitter().fit, x, t_x, T)
    for parameter, value in reference.params_.items():
        assert fit.params[parameter] == pytest.approx(value, rel=RELATIVE), parameter


SPEND_REGIMES = {
    # name: (p, q, gamma): coefficient of variation of one purchase's value 0.3 ... 2
    "cv_0.35": (12.0, 30.0, 400.0),
    "cv_1.0": (2.0, 5.0, 50.0),
    "cv_2.0": (0.4, 4.5, 10.0),
}


@pytest.mark.parametrize("few_repeats", [True, False], ids=["1-2_repeats", "1-12_repeats"])
@pytest.mark.parametrize("regime", sorted(SPEND_REGIMES))
def test_gamma_gamma_recovers_simulated_parameters(regime, few_repeats):
    p, q, gamma = SPEND_REGIMES[regime]
    assert 0.3 <= spend_cv(p, q) <= 2.05
    rng = np.random.default_rng(19970101)
    n = 3000
    x = rng.integers(1, 3 if few_repeats else 13, n).astype(float)
    m = simulate_spend(rng, x, p, q, gamma)
    fit = clv.fit_gamma_gamma(x, m, min_customers=1)
    assert fit.converged, fit.reason
    assert_recovered(fit, {"p": p, "q": q, "gamma": gamma})
    # lifetimes on the same data, spend in units of its mean (its BFGS stops with
    # "precision loss" on raw amounts in the hundreds; the model is scale-equivariant)
    unit = m.mean()
    reference = quiet(GammaGammaFitter().fit, x, m / unit)
    expected = {"p": reference.params_["p"], "q": reference.params_["q"]}
    expected["gamma"] = reference.params_["v"] * unit
    for parameter, value in expected.items():
        assert fit.params[parameter] == pytest.approx(value, rel=RELATIVE), parameter


def test_standard_errors_match_the_spread_of_repeated_simulations():
    """The Hessian's standard errors are the spread of the estimates over 30 simulations
    (within a factor 1.6), so 'within a few standard errors' means sampling error."""
    p, q, gamma = SPEND_REGIMES["cv_1.0"]
    rng = np.random.default_rng(7)
    estimates, errors = [], []
    for _ in range(30):
        x = rng.integers(1, 6, 1500).astype(float)
        fit = clv.fit_gamma_gamma(x, simulate_spend(rng, x, p, q, gamma), min_customers=1)
        assert fit.converged, fit.reason
        estimates.append([fit.params[k] for k in ("p", "q")])
        errors.append([fit.standard_errors[k] for k in ("p", "q")])
    spread = np.std(estimates, axis=0, ddof=1)
    typical = np.median(errors, axis=0)
    assert np.all(spread / typical > 1 / 1.6) and np.all(spread / typical < 1.6)


# --------------------------------------------------------------------- failed fits


def test_a_fit_without_a_maximum_publishes_only_the_reason():
    """Every repeat purchase costs the same: within-customer variation is zero, p runs to
    infinity. Nothing but the reason is published, and predictions are null."""
    rng = np.random.default_rng(3)
    n = 400
    x = rng.integers(1, 10, n).astype(float)
    fit = clv.fit_gamma_gamma(x, np.full(n, 20.0), min_customers=1)
    assert not fit.converged
    assert fit.params == {"p": None, "q": None, "gamma": None}
    assert fit.log_likelihood is None
    assert "did not converge" in fit.reason and "boundary" in fit.reason
    rows = pd.DataFrame(fit.rows())
    assert rows["value"].isna().all() and (~rows["converged"]).all()
    assert rows["reason"].eq(fit.reason).all()

    ages = rng.uniform(30, 730, n).round()
    f, r, t = simulate_purchases(rng, n, 0.7, 70.0, 0.5, 0.9, ages)
    purchase = clv.fit_mbg_nbd(f, r, t, min_customers=1)
    assert purchase.converged
    summary = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "frequency": f,
            "recency": r,
            "t": t,
            "monetary_value": np.where(f > 0, 20.0, np.nan),
        }
    )
    found = clv.predictions(summary, pd.DataFrame(purchase.rows() + fit.rows()))
    assert found["expected_average_order_value"].isna().all()
    assert found["predicted_clv_12m"].isna().all()
    assert found["p_alive"].notna().all()  # the purchase model did converge
    # a failed purchase model nulls everything it feeds
    failed = clv.Fit.unavailable("mbg_nbd", clv.PURCHASE_PARAMETERS, n, "test")
    found = clv.predictions(summary, pd.DataFrame(failed.rows()))
    assert found.drop(columns="customer_id").isna().all().all()


# ------------------------------------------------------- churn risk of one-time buyers


def test_one_time_buyers_get_a_probability_alive_that_falls_with_silence():
    """BG/NBD gives every one-time buyer p_alive = 1; MBG/NBD does not, and agrees with
    lifetimes' ModifiedBetaGeoFitter for every customer of CDNOW_master."""
    summary = public_summary("CDNOW_master")
    f, r, t = summary["frequency"], summary["recency"], summary["T"]
    fit = clv.fit_mbg_nbd(f, r, t, min_customers=1)
    p_alive = clv.probability_alive(fit.params, f, r, t)
    reference = quiet(ModifiedBetaGeoFitter().fit, f, r, t)
    expected = np.asarray(reference.conditional_probability_alive(f, r, t), dtype=float)
    assert np.allclose(p_alive, expected, rtol=RELATIVE)
    one_time = (f == 0).to_numpy()
    assert one_time.sum() > 10000
    assert p_alive[one_time].max() < 1
    # the longer a one-time buyer has been silent, the less likely alive
    order = np.argsort(t.to_numpy()[one_time])
    assert np.all(np.diff(p_alive[one_time][order]) <= 0)
    assert p_alive[one_time].min() < 0.5
    # BG/NBD, for contrast: exactly 1
    bg_nbd = clv.fit_bg_nbd(f, r, t, min_customers=1)
    assert (clv.probability_alive(bg_nbd.params, f, r, t, modified=False)[one_time] == 1).all()


# ------------------------------------------------------------------ extreme inputs


EXTREMES = pd.DataFrame(
    {
        "x": [0, 0, 0, 1, 5, 200, 2000, 2000, 50, 0, 3],
        "t_x": [0, 0, 0, 1, 100, 700, 730, 10, 1e5, 0, 3],
        "T": [0, 1, 1e5, 1, 730, 730, 730, 730, 1e5, 1e6, 3],
    },
    dtype=float,
)


@pytest.mark.parametrize(
    "params",
    [
        {"r": 0.69, "alpha": 69.2, "a": 0.49, "b": 0.86},
        {"r": 2.0, "alpha": 30.0, "a": 1.8, "b": 6.0},
        {"r": 0.2, "alpha": 0.5, "a": 3.0, "b": 0.3},
    ],
)
def test_predictions_stay_finite_for_extreme_inputs(params):
    """T = 0, a new customer with a purchase today, 2,000 repeat purchase days, an age of
    a million days: every prediction is finite and non-negative, and equals lifetimes'
    wherever lifetimes' own formula is finite (it overflows to nan for x = 2000)."""
    x, t_x, T = EXTREMES["x"], EXTREMES["t_x"], EXTREMES["T"]
    reference = ModifiedBetaGeoFitter()
    reference.params_ = pd.Series(params)
    for horizon in (0, 30, 90, 365, 3650):
        found = clv.expected_purchases(params, horizon, x, t_x, T)
        assert np.isfinite(found).all() and (found >= 0).all(), horizon
        expected = np.asarray(
            quiet(
                reference.conditional_expected_number_of_purchases_up_to_time, horizon, x, t_x, T
            ),
            dtype=float,
        )
        comparable = np.isfinite(expected)
        assert comparable.sum() >= len(x) - 2
        assert np.allclose(found[comparable], expected[comparable], rtol=RELATIVE, atol=1e-12)
    p_alive = clv.probability_alive(params, x, t_x, T)
    assert np.isfinite(p_alive).all() and ((p_alive >= 0) & (p_alive <= 1)).all()
    value = clv.expected_average_value(
        {"p": 6.2, "q": 3.7, "gamma": 15.4}, x, np.full(len(x), 30.0)
    )
    lifetime = clv.predicted_clv(params, value, x, t_x, T)
    assert np.isfinite(lifetime).all() and (lifetime >= 0).all()


def test_spend_prediction_is_null_where_its_mean_does_not_exist():
    """q <= 1: the population has no finite mean spend; customers with p x + q <= 1 get no
    spend prediction instead of a negative one (lifetimes' formula turns negative)."""
    params = {"p": 0.3, "q": 0.8, "gamma": 10.0}
    x = np.array([0.0, 1.0, 3.0])
    value = clv.expected_average_value(params, x, np.array([np.nan, 40.0, 40.0]))
    assert np.isnan(value[0])  # one-time buyer: the population mean, p gamma / (q - 1) < 0
    # with repeats: the posterior mean p (gamma + x m) / (p x + q - 1), by hand
    assert value[1] == pytest.approx(0.3 * (10 + 40) / (0.3 + 0.8 - 1))
    assert value[2] == pytest.approx(0.3 * (10 + 120) / (0.9 + 0.8 - 1))
    assert np.isnan(clv.expected_average_value({"p": 0.1, "q": 0.5, "gamma": 1.0}, [4.0], [9.0]))


def test_gradients_match_finite_differences():
    """The analytic gradients the optimiser relies on (BG/NBD, MBG/NBD, Gamma-Gamma)."""
    rng = np.random.default_rng(11)
    x, t_x, T = simulate_purchases(rng, 300, 0.7, 70.0, 0.5, 0.9, rng.uniform(30, 730, 300))
    point = np.array([0.7, 70.0, 0.5, 0.9])
    for modified, likelihood in (
        (False, clv.bg_nbd_log_likelihood),
        (True, clv.mbg_nbd_log_likelihood),
    ):
        _, gradient = clv._purchase_gradient(point, x, t_x, T, modified)
        for i in range(4):
            step = np.zeros(4)
            step[i] = 1e-6 * point[i]
            numeric = (
                likelihood(point + step, x, t_x, T).sum()
                - likelihood(point - step, x, t_x, T).sum()
            ) / (2 * step[i])
            assert gradient[i].sum() == pytest.approx(numeric, rel=1e-5), (modified, i)
    repeat = x > 0
    m = simulate_spend(rng, x[repeat], 2.0, 5.0, 50.0)
    spend_point = np.array([2.0, 5.0, 50.0])
    _, gradient = clv._gamma_gamma_gradient(spend_point, x[repeat], m)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6 * spend_point[i]
        numeric = (
            clv.gamma_gamma_log_likelihood(spend_point + step, x[repeat], m).sum()
            - clv.gamma_gamma_log_likelihood(spend_point - step, x[repeat], m).sum()
        ) / (2 * step[i])
        assert gradient[i].sum() == pytest.approx(numeric, rel=1e-5), i


# ------------------------------------------------------------------------ at scale


@pytest.mark.parametrize("model", ["mbg_nbd", "bg_nbd", "gamma_gamma"])
def test_a_fit_started_on_a_sample_ends_at_the_whole_datas_maximum(monkeypatch, model):
    """CDNOW_master (23,570 customers, spend per repeat purchase continuous) with the
    sample threshold lowered to 300 unique rows: the starting points are searched on a
    stratified sample, yet the published parameters are the maximum over every row, as the
    fit without a sample finds it (1e-6) and lifetimes does (0.1 %)."""
    summary = public_summary("CDNOW_master")
    f, r, t = summary["frequency"], summary["recency"], summary["T"]
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if model == "gamma_gamma":

        def fit():
            return clv.fit_gamma_gamma(
                repeat["frequency"], repeat["monetary_value"], min_customers=1
            )

        reference = quiet(GammaGammaFitter().fit, repeat["frequency"], repeat["monetary_value"])
        reference.params_ = reference.params_.rename({"v": "gamma"})
        rows = len(repeat[["frequency", "monetary_value"]].drop_duplicates())
    else:
        ours_fit, reference_fitter = PURCHASE_FITTERS[model]

        def fit():
            return ours_fit(f, r, t, min_customers=1)

        reference = quiet(reference_fitter().fit, f, r, t)
        rows = len(summary[["frequency", "recency", "T"]].drop_duplicates())
    whole = fit()
    sampled_rows = []
    original = clv._stratified_sample

    def recording(strata, w, size, seed=0):
        chosen, weights = original(strata, w, size, seed)
        sampled_rows.append(len(chosen))
        assert weights.sum() == pytest.approx(w.sum())  # every stratum keeps its weight
        return chosen, weights

    monkeypatch.setattr(clv, "FIT_SAMPLE_ROWS", 300)
    monkeypatch.setattr(clv, "_stratified_sample", recording)
    sampled = fit()
    assert rows > 1000 and sampled_rows and max(sampled_rows) < rows / 2
    assert whole.converged and sampled.converged, (whole.reason, sampled.reason)
    for parameter, value in whole.params.items():
        assert sampled.params[parameter] == pytest.approx(value, rel=1e-6), parameter
        assert sampled.params[parameter] == pytest.approx(
            reference.params_[parameter], rel=RELATIVE
        ), parameter
    assert sampled.log_likelihood == pytest.approx(whole.log_likelihood, rel=1e-9)


def test_a_fit_out_of_time_stops_and_says_so():
    """A time budget of 0 s: the fit stops after its first iteration, publishes null
    parameters and a reason naming the budget, instead of running on."""
    summary = public_summary("CDNOW_master")
    fit = clv.fit_mbg_nbd(
        summary["frequency"], summary["recency"], summary["T"], min_customers=1, time_budget=0
    )
    assert not fit.converged
    assert all(value is None for value in fit.params.values())
    assert "time budget ran out" in fit.reason and "(time budget 0 s)" in fit.reason, fit.reason
    spend = summary[summary["frequency"] > 0]
    fit = clv.fit_gamma_gamma(
        spend["frequency"], spend["monetary_value"], min_customers=1, time_budget=0
    )
    assert not fit.converged and "time budget" in fit.reason, fit.reason

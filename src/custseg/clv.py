"""Customer lifetime value: MBG/NBD (purchases, churn) and Gamma-Gamma (spend per purchase).

Maximum-likelihood fits and per-customer predictions with the conventions of the
reference implementation, the ``lifetimes`` package (daily frequency):

- a purchase occasion is a distinct purchase day (its value: the day's total);
- ``frequency`` = purchase days after the first, ``recency`` = days from the first to
  the last purchase day, ``T`` = days from the first purchase day to as_of_date;
- Gamma-Gamma is fitted on customers with ``frequency > 0`` on the mean value of their
  repeat purchase days (the first day excluded).

The purchase model the project uses is the modified BG/NBD (MBG/NBD, Batislam, Denizel
and Filiztekin 2007; Wagner and Hoppe 2008): unlike the BG/NBD (Fader, Hardie and Lee
2005), a customer may drop out right after the first purchase, so a one-time buyer who
has been silent for long gets a probability alive below 1 (BG/NBD gives every one-time
buyer exactly 1). The BG/NBD fit stays available (same machinery, ``fit_bg_nbd``).

Fits run on the unique (frequency, recency, T) combinations weighted by how many
customers share them, and the special functions of the likelihood (gammaln, digamma of
x-shifted arguments) on the unique frequencies only. Where the unique rows barely
compress (more than FIT_SAMPLE_ROWS of them: long histories, continuous spend), the
starting points are searched on a stratified sample (strata of frequency and time, each
keeping its total weight) and the best maximum is then polished on every row, so a million
customers fit in seconds and the answer is the whole data's maximum, not the sample's.
Each fit starts from method-of-moments estimates (the purchase-rate part of MBG/NBD by the
moments of x / T, the dropout part by a coarse likelihood grid; Gamma-Gamma by regressing
the squared deviation of the mean spend on 1 / frequency), runs L-BFGS-B (bounded) on
log-parameters with the analytic gradient, and restarts from other starting points when a
run stops without a zero gradient and a positive-definite Hessian or with a parameter at
the boundary. Every fit has an iteration and a time budget (``time_budget`` seconds): one
that runs out stops and reports non-convergence with the reason. A fit that reaches no
interior maximum publishes null parameters and the reason. The dbt
Python models ``int_clv_model_fit`` and ``int_clv_predictions`` call this module;
``lifetimes`` is only the test oracle.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

PURCHASE_PARAMETERS = ("r", "alpha", "a", "b")
BG_NBD_PARAMETERS = PURCHASE_PARAMETERS  # the name kept for callers of the BG/NBD fit
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")
PURCHASE_MODEL = "mbg_nbd"  # the purchase model whose parameters the marts publish
DAYS_PER_MONTH = 30  # lifetimes' convention for monthly discounting on daily data

# A fitted parameter (after scaling time to max(T) = 10 and spend to a mean of 1) beyond
# these bounds is a likelihood that keeps rising towards 0 or infinity: no interior maximum.
LOG_BOUND = np.log(1e5)
GRADIENT_TOLERANCE = 1e-5  # on the mean log-likelihood per customer, log-parameters
# Above this many unique rows, starting points are searched on a stratified sample and the
# best maximum polished on every row.
FIT_SAMPLE_ROWS = 20_000
FIT_MAX_ITERATIONS = 3000  # per local run
FIT_TIME_BUDGET_SECONDS = 120.0  # per model fit, every start and the polish together


@dataclass(frozen=True)
class Fit:
    """One fitted model: parameters by name, and how the fit went.

    ``standard_errors`` (same keys as ``params``) come from the inverse Hessian of the
    log-likelihood at the maximum; they are not published in the marts.
    """

    model: str
    params: dict[str, float | None]
    n_customers: int
    log_likelihood: float | None
    converged: bool
    reason: str | None = None
    standard_errors: dict[str, float] | None = field(default=None, compare=False)

    @classmethod
    def unavailable(cls, model: str, names: tuple[str, ...], n: int, reason: str) -> Fit:
        return cls(model, dict.fromkeys(names), n, None, False, reason)

    @property
    def usable(self) -> bool:
        """Parameters a prediction may use: converged, all present."""
        return self.converged and all(v is not None for v in self.params.values())

    def rows(self, time_unit: str = "days") -> list[dict]:
        return [
            {
                "model_name": self.model,
                "parameter": name,
                "value": value,
                "time_unit": time_unit,
                "n_customers": self.n_customers,
                "log_likelihood": self.log_likelihood,
                "converged": self.converged,
                "reason": self.reason,
            }
            for name, value in self.params.items()
        ]


# --------------------------------------------------------------------------- optimiser


@dataclass
class _Attempt:
    log_params: np.ndarray
    value: float  # mean negative log-likelihood
    gradient_norm: float
    hessian: np.ndarray | None
    interior: bool
    converged: bool
    out_of_budget: bool = False


def _numeric_hessian(gradient, x: np.ndarray) -> np.ndarray:
    """Central differences of the analytic gradient."""
    n = len(x)
    hessian = np.empty((n, n))
    for i in range(n):
        step = 1e-5 * max(1.0, abs(x[i]))
        up, down = x.copy(), x.copy()
        up[i] += step
        down[i] -= step
        hessian[:, i] = (gradient(up) - gradient(down)) / (2 * step)
    return (hessian + hessian.T) / 2


class _OutOfBudget(Exception):
    pass


def _local(objective, x0: np.ndarray, deadline: float = np.inf) -> _Attempt:
    """L-BFGS-B with the analytic gradient, bounded just beyond LOG_BOUND (a likelihood
    rising towards infinity ends there); Nelder-Mead first when it cannot leave x0. Stops
    at `deadline` (time.monotonic()) or FIT_MAX_ITERATIONS, not converged."""
    bound = [(-LOG_BOUND - 1, LOG_BOUND + 1)] * len(x0)
    out_of_budget = False

    def value(x):
        return objective(x, False)[0]

    def gradient(x):
        return objective(x)[1]

    def check_budget(*_):
        nonlocal out_of_budget
        if time.monotonic() > deadline:
            out_of_budget = True
            raise StopIteration

    def run(start):
        return minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bound,
            callback=check_budget,
            options={"gtol": 1e-10, "ftol": 1e-15, "maxiter": FIT_MAX_ITERATIONS, "maxls": 50},
        )

    best = run(x0)
    gradient_ok = np.max(np.abs(gradient(best.x))) <= GRADIENT_TOLERANCE
    if not out_of_budget and (not np.isfinite(best.fun) or not gradient_ok):
        coarse = minimize(
            value,
            x0,
            method="Nelder-Mead",
            bounds=bound,
            callback=check_budget,
            options={"xatol": 1e-9, "fatol": 1e-13, "maxiter": 1500},
        )
        if not out_of_budget:
            polished = run(coarse.x) if np.all(np.abs(coarse.x) < LOG_BOUND) else coarse
            if polished.fun < best.fun or not np.isfinite(best.fun):
                best = polished
    x = best.x
    gradient_norm = float(np.max(np.abs(gradient(x))))
    interior = bool(np.all(np.abs(x) < LOG_BOUND))
    hessian = None
    positive_definite = False
    if np.isfinite(best.fun) and interior:
        hessian = _numeric_hessian(gradient, x)
        with np.errstate(all="ignore"):
            positive_definite = bool(np.all(np.linalg.eigvalsh(hessian) > 0))
    converged = bool(
        np.isfinite(best.fun)
        and interior
        and gradient_norm < GRADIENT_TOLERANCE
        and positive_definite
    )
    return _Attempt(x, float(best.fun), gradient_norm, hessian, interior, converged, out_of_budget)


def _maximise(
    objective, starts: list[np.ndarray], names: tuple[str, ...], deadline: float = np.inf
):
    """Local fits from the starts in order, more than one always; the best converged wins.

    Every start is tried until one converges; the next one is tried too, in case the
    first converged to a lesser local maximum. Returns (attempt, reason) where reason is
    None on success.
    """
    attempts: list[_Attempt] = []
    for start in starts:
        attempts.append(_local(objective, np.asarray(start, dtype=float), deadline))
        converged = [a for a in attempts if a.converged]
        if (len(converged) >= 1 and len(attempts) >= 2) or time.monotonic() > deadline:
            break
    converged = [a for a in attempts if a.converged]
    if converged:
        return min(converged, key=lambda a: a.value), None
    best = min(attempts, key=lambda a: a.value if np.isfinite(a.value) else np.inf)
    values = ", ".join(f"{n}={v:.3g}" for n, v in zip(names, np.exp(best.log_params), strict=True))
    if any(a.out_of_budget for a in attempts):
        why = "the time budget ran out before a maximum was reached"
    elif not best.interior or np.any(np.abs(best.log_params) > LOG_BOUND - np.log(10)):
        # a run that stalls on a nearly flat ridge short of the bound counts as running off
        why = "a parameter ran to the boundary (no interior maximum of the likelihood)"
    elif not np.isfinite(best.value):
        why = "the likelihood is not finite"
    else:
        why = f"no zero gradient and negative-definite Hessian (gradient {best.gradient_norm:.2g})"
    return None, (
        f"fit did not converge from {len(attempts)} starting points: {why}; "
        f"best attempt (scaled) {values}"
    )


def _standard_errors(attempt: _Attempt, names, total_weight: float, scales) -> dict:
    """Standard errors of the natural parameters (delta method from the log scale)."""
    try:
        covariance = np.linalg.inv(attempt.hessian * total_weight)
    except np.linalg.LinAlgError:
        return dict.fromkeys(names, float("nan"))
    values = np.exp(attempt.log_params) * np.asarray(scales)
    errors = values * np.sqrt(np.clip(np.diag(covariance), 0, None))
    return {n: float(e) for n, e in zip(names, errors, strict=True)}


def _weighted(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.groupby(columns, as_index=False).size().rename(columns={"size": "weight"})


def _by_value(x: np.ndarray):
    """A function of x evaluated on x's unique values only, then spread back: the
    likelihoods' gammaln and digamma of x-shifted arguments, over a few hundred distinct
    frequencies instead of every row."""
    unique, inverse = np.unique(x, return_inverse=True)

    def on(function):
        return function(unique)[inverse]

    return on


def _quantile_bins(values: np.ndarray, bins: int) -> np.ndarray:
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1]))
    return np.searchsorted(edges, values, side="right")


def _frequency_bins(x: np.ndarray) -> np.ndarray:
    """Each frequency up to 20 its own stratum, then doubling ranges."""
    return np.where(x <= 20, x, 20 + np.ceil(np.log2(np.maximum(x, 1) / 20) * 2)).astype(int)


def _stratified_sample(strata: np.ndarray, w: np.ndarray, size: int, seed: int = 0):
    """About `size` rows drawn without replacement in proportion to each stratum's rows
    (at least one each), and their weights scaled so each stratum keeps its total weight.
    Returns (row indices, weights)."""
    rng = np.random.default_rng(seed)
    order = np.argsort(strata, kind="stable")
    ordered = strata[order]
    firsts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    lasts = np.r_[firsts[1:], len(order)]
    fraction = size / len(order)
    chosen, weights = [], []
    for first, last in zip(firsts, lasts, strict=True):
        rows = order[first:last]
        k = min(len(rows), max(1, round(fraction * len(rows))))
        picked = rows if k == len(rows) else rng.choice(rows, k, replace=False)
        chosen.append(picked)
        weights.append(w[picked] * (w[rows].sum() / w[picked].sum()))
    return np.concatenate(chosen), np.concatenate(weights)


def _fit_in_budget(make_objective, starts_for, columns, w, strata, names, time_budget):
    """The maximum of the weighted log-likelihood over every row.

    `make_objective(columns, weights)` builds the objective on some rows, `starts_for` its
    starting points. Up to FIT_SAMPLE_ROWS rows: every start on every row. Above: the
    starts are searched on a stratified sample, then the sample's maximum is polished on
    every row (and judged there: zero gradient, negative-definite Hessian); should that
    fail, every start on every row. Returns (attempt, reason) as _maximise does."""
    deadline = time.monotonic() + time_budget
    everything = make_objective(columns, w)
    if len(w) > FIT_SAMPLE_ROWS:
        rows, sample_weights = _stratified_sample(strata, w, FIT_SAMPLE_ROWS)
        sample = [column[rows] for column in columns]
        attempt, _ = _maximise(
            make_objective(sample, sample_weights),
            starts_for(sample, sample_weights),
            names,
            deadline,
        )
        if attempt is not None:
            polished = _local(everything, attempt.log_params, deadline)
            if polished.converged:
                return polished, None
    attempt, reason = _maximise(everything, starts_for(columns, w), names, deadline)
    if attempt is None and time.monotonic() > deadline:
        reason += f" (time budget {time_budget:g} s)"
    return attempt, reason


# ------------------------------------------------------------------ BG/NBD and MBG/NBD


def _purchase_terms(params, x, t_x, T, modified: bool, on_x=None):
    """The pieces of the (M)BG/NBD log-likelihood: A1 + A2 + logaddexp(A3, A4).
    `on_x`: _by_value(x), when the caller evaluates the same x many times."""
    r, alpha, a, b = params
    k = 1.0 if modified else 0.0
    on_x = on_x or _by_value(np.asarray(x))
    a1 = on_x(lambda u: gammaln(r + u)) - gammaln(r) + r * np.log(alpha)
    a2 = (
        gammaln(a + b)
        + on_x(lambda u: gammaln(b + u + k))
        - gammaln(b)
        - on_x(lambda u: gammaln(a + b + u + k))
    )
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.log(a) - np.log(np.maximum(b + x - 1 + k, 1e-300)) - (r + x) * np.log(alpha + t_x)
    if not modified:
        a4 = np.where(x > 0, a4, -np.inf)
    return a1, a2, a3, a4


def bg_nbd_log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie and Lee 2005)."""
    a1, a2, a3, a4 = _purchase_terms(params, x, t_x, T, modified=False)
    return a1 + a2 + np.logaddexp(a3, a4)


def mbg_nbd_log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Per-customer MBG/NBD log-likelihood (Batislam et al. 2007, Wagner and Hoppe 2008)."""
    a1, a2, a3, a4 = _purchase_terms(params, x, t_x, T, modified=True)
    return a1 + a2 + np.logaddexp(a3, a4)


def _purchase_gradient(params, x, t_x, T, modified: bool, on_x=None):
    """Per-customer log-likelihood and its gradient in the natural parameters."""
    r, alpha, a, b = params
    k = 1.0 if modified else 0.0
    on_x = on_x or _by_value(np.asarray(x))
    a1, a2, a3, a4 = _purchase_terms(params, x, t_x, T, modified, on_x)
    ll = a1 + a2 + np.logaddexp(a3, a4)
    w4 = np.where(np.isfinite(a4), expit(a4 - a3), 0.0)
    w3 = 1 - w4
    log_at_t = np.log(alpha + t_x)
    d_r = (
        on_x(lambda u: digamma(r + u))
        - digamma(r)
        + np.log(alpha)
        - w3 * np.log(alpha + T)
        - w4 * log_at_t
    )
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    digamma_abx = on_x(lambda u: digamma(a + b + u + k))
    d_a = digamma(a + b) - digamma_abx + w4 / a
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = np.where(w4 > 0, w4 / np.maximum(b + x - 1 + k, 1e-300), 0.0)
    d_b = digamma(a + b) + on_x(lambda u: digamma(b + u + k)) - digamma(b) - digamma_abx - inverse
    return ll, np.vstack([d_r, d_alpha, d_a, d_b])


def _purchase_starts(x, t_x, T, w, modified: bool) -> list[np.ndarray]:
    """Starting points on the log scale, best first.

    (r, alpha): moments of the observed purchase rate x / T (Gamma-Poisson: mean r/alpha,
    variance r/alpha * E[1/T] + r/alpha^2), ignoring dropout. (a, b): the best points of
    a coarse grid of the likelihood with (r, alpha) held at their moment estimates.
    """
    weights = w / w.sum()
    safe_t = np.maximum(T, 1e-9)
    rate = x / safe_t
    mean = max(float(np.sum(weights * rate)), 1e-6)
    variance = float(np.sum(weights * (rate - mean) ** 2))
    poisson = mean * float(np.sum(weights / safe_t))
    extra = max(variance - poisson, 0.1 * variance, 1e-12)
    r0 = float(np.clip(mean**2 / extra, 0.05, 50.0))
    alpha0 = r0 / mean
    grid = []
    on_x = _by_value(x)
    for a in (0.25, 0.5, 1.0, 2.0, 4.0):
        for b in (0.5, 1.0, 2.0, 4.0, 8.0, 16.0):
            params = (r0, alpha0, a, b)
            a1, a2, a3, a4 = _purchase_terms(params, x, t_x, T, modified, on_x)
            ll = float(np.sum(w * (a1 + a2 + np.logaddexp(a3, a4))))
            grid.append((ll if np.isfinite(ll) else -np.inf, a, b))
    grid.sort(key=lambda g: -g[0])
    starts = [np.log([r0, alpha0, a, b]) for _, a, b in grid[:3]]
    starts.append(np.full(4, 0.1))  # lifetimes' default start, as a last resort
    return starts


def _mean_objective(log_likelihood, with_gradient, w, n_params: int):
    """The optimiser's objective: the weighted mean negative log-likelihood of
    `log_likelihood(params)` (per row) and, through `with_gradient(params)` (per row, and
    its gradient in the natural parameters), its gradient in the log-parameters. 1e300
    where it is not finite, so a line search backs off."""
    total = w.sum()

    def objective(log_params, gradient_too=True):
        params = np.exp(log_params)
        with np.errstate(all="ignore"):
            if not gradient_too:
                value = -(log_likelihood(params) * w).sum() / total
                return (value if np.isfinite(value) else 1e300), None
            ll, gradient = with_gradient(params)
            value = -(ll * w).sum() / total
            grad = -(gradient * w).sum(axis=1) / total * params
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros(n_params)
        return value, grad

    return objective


def _purchase_objective(columns, w, modified: bool):
    """The (M)BG/NBD objective on the weighted rows (x, t_x, T)."""
    x, t_x, big_t = columns
    on_x = _by_value(x)

    def log_likelihood(params):
        a1, a2, a3, a4 = _purchase_terms(params, x, t_x, big_t, modified, on_x)
        return a1 + a2 + np.logaddexp(a3, a4)

    return _mean_objective(
        log_likelihood,
        lambda params: _purchase_gradient(params, x, t_x, big_t, modified, on_x),
        w,
        4,
    )


def _fit_purchases(
    model: str,
    frequency,
    recency,
    T,
    min_customers: int,
    modified: bool,
    time_budget: float = FIT_TIME_BUDGET_SECONDS,
) -> Fit:
    data = pd.DataFrame({"x": frequency, "t_x": recency, "T": T}).astype(float)
    n = len(data)
    if n < min_customers:
        return Fit.unavailable(
            model, PURCHASE_PARAMETERS, n, f"{n} customers < clv_min_customers {min_customers}"
        )
    if not (data["x"] > 0).any():
        return Fit.unavailable(model, PURCHASE_PARAMETERS, n, "no repeat buyers")
    if data["T"].max() <= 0:
        return Fit.unavailable(model, PURCHASE_PARAMETERS, n, "every customer has T = 0")
    grouped = _weighted(data, ["x", "t_x", "T"])
    scale = 10.0 / grouped["T"].max()
    x = grouped["x"].to_numpy()
    t_x = grouped["t_x"].to_numpy() * scale
    big_t = grouped["T"].to_numpy() * scale
    w = grouped["weight"].to_numpy(dtype=float)
    total = w.sum()
    strata = (
        _frequency_bins(x) * 100
        + _quantile_bins(big_t, 5) * 10
        + _quantile_bins(t_x / np.maximum(big_t, 1e-9), 5)
    )
    attempt, reason = _fit_in_budget(
        lambda columns, weights: _purchase_objective(columns, weights, modified),
        lambda columns, weights: _purchase_starts(*columns, weights, modified),
        [x, t_x, big_t],
        w,
        strata,
        PURCHASE_PARAMETERS,
        time_budget,
    )
    if attempt is None:
        return Fit.unavailable(model, PURCHASE_PARAMETERS, n, reason)
    r, alpha, a, b = np.exp(attempt.log_params)
    params = {"r": float(r), "alpha": float(alpha / scale), "a": float(a), "b": float(b)}
    likelihood = mbg_nbd_log_likelihood if modified else bg_nbd_log_likelihood
    per_customer = likelihood(
        list(params.values()), x, grouped["t_x"].to_numpy(), grouped["T"].to_numpy()
    )
    errors = _standard_errors(attempt, PURCHASE_PARAMETERS, total, (1, 1 / scale, 1, 1))
    return Fit(model, params, n, float((per_customer * w).sum()), True, None, errors)


def fit_bg_nbd(
    frequency, recency, T, min_customers: int = 200, time_budget: float = FIT_TIME_BUDGET_SECONDS
) -> Fit:
    """BG/NBD (Fader, Hardie and Lee 2005) by maximum likelihood."""
    return _fit_purchases("bg_nbd", frequency, recency, T, min_customers, False, time_budget)


def fit_mbg_nbd(
    frequency, recency, T, min_customers: int = 200, time_budget: float = FIT_TIME_BUDGET_SECONDS
) -> Fit:
    """MBG/NBD (Batislam et al. 2007) by maximum likelihood: the project's purchase model."""
    return _fit_purchases("mbg_nbd", frequency, recency, T, min_customers, True, time_budget)


# ------------------------------------------------------------------------ Gamma-Gamma


def gamma_gamma_log_likelihood(params, x, m, on_x=None) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean repeat spend (Fader and Hardie)."""
    p, q, v = params
    on_x = on_x or _by_value(np.asarray(x))
    return (
        on_x(lambda u: gammaln(p * u + q) - gammaln(p * u))
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + (p * x) * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def _gamma_gamma_gradient(params, x, m, on_x=None):
    p, q, v = params
    on_x = on_x or _by_value(np.asarray(x))
    digamma_pxq = on_x(lambda u: digamma(p * u + q))
    common = digamma_pxq - np.log(x * m + v)
    d_p = x * (common - on_x(lambda u: digamma(p * u)) + np.log(m) + np.log(x))
    d_q = common - digamma(q) + np.log(v)
    d_v = q / v - (p * x + q) / (x * m + v)
    return gamma_gamma_log_likelihood(params, x, m, on_x), np.vstack([d_p, d_q, d_v])


def _gamma_gamma_objective(columns, w):
    """The Gamma-Gamma objective on the weighted rows (x, m)."""
    x, m = columns
    on_x = _by_value(x)
    return _mean_objective(
        lambda params: gamma_gamma_log_likelihood(params, x, m, on_x),
        lambda params: _gamma_gamma_gradient(params, x, m, on_x),
        w,
        3,
    )


def _gamma_gamma_starts(x, m, w) -> list[np.ndarray]:
    """Method of moments on the log scale, then the same with p moved up and down.

    Given a customer's spend rate nu, the mean of x purchases has mean mu = p / nu and
    variance mu^2 / (p x); across customers mu has mean p gamma / (q - 1) and squared
    coefficient of variation 1 / (q - 2). So the squared deviation of m from its mean is
    V + S / x with V = Var(mu) and S = E[mu^2] / p: a weighted regression on 1 / x.
    """
    weights = w / w.sum()
    mean = float(np.sum(weights * m))
    deviation = (m - mean) ** 2
    design = np.vstack([np.ones_like(x), 1 / x]).T
    root = np.sqrt(weights)[:, None]
    (v_hat, s_hat), *_ = np.linalg.lstsq(design * root, deviation * root[:, 0], rcond=None)
    total = float(np.sum(weights * deviation))
    v_hat = max(float(v_hat), 0.01 * mean**2, 0.05 * total)
    s_hat = max(float(s_hat), 0.01 * mean**2, 0.05 * total)
    q0 = float(np.clip(2 + mean**2 / v_hat, 1.5, 1e3))
    p0 = float(np.clip((v_hat + mean**2) / s_hat, 0.05, 1e3))
    starts = []
    for factor in (1.0, 0.25, 4.0, 1 / 16, 16.0):
        p = p0 * factor
        starts.append(np.log([p, q0, mean * (q0 - 1) / p]))
    starts.append(np.full(3, 0.1))  # lifetimes' default start, as a last resort
    return starts


def fit_gamma_gamma(
    frequency,
    monetary_value,
    min_customers: int = 200,
    time_budget: float = FIT_TIME_BUDGET_SECONDS,
) -> Fit:
    data = pd.DataFrame({"x": frequency, "m": monetary_value}).astype(float)
    data = data[(data["x"] > 0) & (data["m"] > 0)]
    n = len(data)
    if n == 0:
        return Fit.unavailable("gamma_gamma", GAMMA_GAMMA_PARAMETERS, n, "no repeat buyers")
    if n < min_customers:
        return Fit.unavailable(
            "gamma_gamma",
            GAMMA_GAMMA_PARAMETERS,
            n,
            f"{n} repeat buyers < clv_min_customers {min_customers}",
        )
    grouped = _weighted(data, ["x", "m"])
    x = grouped["x"].to_numpy()
    w = grouped["weight"].to_numpy(dtype=float)
    total = w.sum()
    scale = float((grouped["m"] * w).sum() / total)  # spend in units of its mean
    m = grouped["m"].to_numpy() / scale
    attempt, reason = _fit_in_budget(
        _gamma_gamma_objective,
        lambda columns, weights: _gamma_gamma_starts(*columns, weights),
        [x, m],
        w,
        _frequency_bins(x) * 10 + _quantile_bins(m, 10),
        GAMMA_GAMMA_PARAMETERS,
        time_budget,
    )
    if attempt is None:
        return Fit.unavailable("gamma_gamma", GAMMA_GAMMA_PARAMETERS, n, reason)
    p, q, v = np.exp(attempt.log_params)
    params = {"p": float(p), "q": float(q), "gamma": float(v * scale)}
    per_customer = gamma_gamma_log_likelihood((p, q, v * scale), x, grouped["m"].to_numpy())
    errors = _standard_errors(attempt, GAMMA_GAMMA_PARAMETERS, total, (1, 1, scale))
    reason = None
    if q <= 1:
        reason = (
            f"q = {q:.3g} <= 1: the fitted spend distribution has no finite mean, so only "
            "customers with p * frequency + q > 1 get a spend prediction"
        )
    return Fit("gamma_gamma", params, n, float((per_customer * w).sum()), True, reason, errors)


# ------------------------------------------------------------------------ predictions


def _purchase_params(params: dict):
    return (float(params[k]) for k in PURCHASE_PARAMETERS)


def expected_purchases(params: dict, t, x, t_x, T, modified: bool = True) -> np.ndarray:
    """Expected purchases in the next ``t`` days given (x, t_x, T): MBG/NBD (Wagner and
    Hoppe 2008) by default, BG/NBD with ``modified=False`` (lifetimes'
    conditional_expected_number_of_purchases_up_to_time of either fitter).

    The hypergeometric term is computed through Euler's transformation,
    ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+k; a+b+x-1+k; z)
    = (1-z)^(a-1) 2F1(a+b-1+k-r, a-1; a+b+x-1+k; z),
    whose first two arguments do not grow with x: finite for any frequency.
    """
    r, alpha, a, b = _purchase_params(params)
    k = 1.0 if modified else 0.0
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    c = a + b + x - 1 + k
    z = t / (alpha + T + t)
    with np.errstate(all="ignore"):
        scaled = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 + k - r, a - 1, c, z)
        failed = ~np.isfinite(scaled)
        if failed.any():  # the direct form where the transformed one overflows
            c_f, z_f, x_f = (np.broadcast_to(v, scaled.shape)[failed] for v in (c, z, x))
            at_t = np.broadcast_to((alpha + T) / (alpha + T + t), scaled.shape)[failed]
            scaled = scaled.copy()
            scaled[failed] = at_t ** (r + x_f) * hyp2f1(r + x_f, b + x_f + k, c_f, z_f)
        first = c / (a - 1)
        log_odds = np.log(a / np.maximum(b + x - 1 + k, 1e-300)) + (r + x) * np.log(
            (alpha + T) / (alpha + t_x)
        )
        alive = expit(-log_odds)
        if not modified:
            alive = np.where(x > 0, alive, 1.0)
        purchases = first * (1 - scaled) * alive
    return np.where(np.isfinite(purchases), np.maximum(purchases, 0.0), np.nan)


def probability_alive(params: dict, x, t_x, T, modified: bool = True) -> np.ndarray:
    """P(alive | x, t_x, T). MBG/NBD: 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)) for
    every customer, one-time buyers included; BG/NBD (``modified=False``): the same with
    b+x-1, and exactly 1 when x = 0."""
    r, alpha, a, b = _purchase_params(params)
    k = 1.0 if modified else 0.0
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    with np.errstate(all="ignore"):
        log_odds = np.log(a / np.maximum(b + x - 1 + k, 1e-300)) + (r + x) * np.log(
            (alpha + T) / (alpha + t_x)
        )
        alive = expit(-log_odds)
    if not modified:
        alive = np.where(x == 0, 1.0, alive)
    return alive


def expected_average_value(params: dict, x, m) -> np.ndarray:
    """Expected spend per purchase occasion (lifetimes' conditional_expected_average_profit):
    p (gamma + x m) / (p x + q - 1), the population mean shrunk towards the customer's own
    mean as repeat purchases grow. Null where p x + q <= 1 (no finite posterior mean)."""
    p, q, v = (float(params[k]) for k in GAMMA_GAMMA_PARAMETERS)
    x = np.asarray(x, dtype=float)
    m = np.nan_to_num(np.asarray(m, dtype=float))
    denominator = p * x + q - 1
    with np.errstate(all="ignore"):
        value = p * (v + x * m) / denominator
    return np.where((denominator > 0) & np.isfinite(value), value, np.nan)


def predicted_clv(
    purchase_params: dict,
    value_per_purchase,
    x,
    t_x,
    T,
    months: int = 12,
    monthly_discount_rate=0.01,
    modified: bool = True,
) -> np.ndarray:
    """Discounted value of the next ``months`` months (lifetimes' customer_lifetime_value
    with freq='D': 30-day months, each month's expected purchases times the expected value
    per purchase, discounted by (1 + rate) ** month)."""
    return value_per_purchase * discounted_purchases(
        purchase_params, x, t_x, T, months, monthly_discount_rate, modified
    )


def discounted_purchases(
    purchase_params: dict, x, t_x, T, months: int = 12, monthly_discount_rate=0.01, modified=True
) -> np.ndarray:
    """Sum over the next ``months`` 30-day months of each month's expected purchases,
    discounted by (1 + rate) ** month: the CLV per unit of value per purchase."""
    total = np.zeros(len(np.asarray(x)))
    previous = np.zeros_like(total)
    for month in range(1, months + 1):
        cumulative = expected_purchases(
            purchase_params, month * DAYS_PER_MONTH, x, t_x, T, modified
        )
        total += (cumulative - previous) / (1 + monthly_discount_rate) ** month
        previous = cumulative
    return total


def usable_parameters(parameter_rows: pd.DataFrame, model_name: str) -> dict | None:
    """The parameters of one model from int_clv_model_fit rows, or None when the fit did
    not converge or any value is missing: predictions then stay null."""
    rows = parameter_rows[parameter_rows["model_name"] == model_name]
    if rows.empty or not rows["converged"].astype(bool).all() or rows["value"].isna().any():
        return None
    return dict(zip(rows["parameter"], rows["value"].astype(float), strict=True))


def predictions(
    summary: pd.DataFrame, parameter_rows: pd.DataFrame, monthly_discount_rate: float = 0.01
) -> pd.DataFrame:
    """Per-customer predictions from the published fit (int_clv_model_fit rows):
    p_alive, expected purchases in 90 and 365 days, expected value per purchase and the
    12-month CLV. A model without usable parameters leaves its columns null (NaN)."""
    purchase = usable_parameters(parameter_rows, PURCHASE_MODEL)
    spend = usable_parameters(parameter_rows, "gamma_gamma")
    x, t_x, t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "t"))
    nulls = np.full(len(summary), np.nan)
    result = {
        "customer_id": summary["customer_id"].to_numpy(),
        "p_alive": nulls,
        "expected_purchases_90d": nulls,
        "expected_purchases_365d": nulls,
        "expected_average_order_value": nulls,
        "predicted_clv_12m": nulls,
    }
    # the purchase model's predictions depend on (x, t_x, T) alone: computed once per
    # unique combination, then spread to the customers who share it
    codes = (
        pd.DataFrame({"x": x, "t_x": t_x, "t": t})
        .groupby(["x", "t_x", "t"], sort=False, dropna=False)
        .ngroup()
    ).to_numpy()
    firsts = np.unique(codes, return_index=True)[1]
    ux, ut_x, ut = x[firsts], t_x[firsts], t[firsts]
    if purchase is not None:
        result["p_alive"] = probability_alive(purchase, ux, ut_x, ut)[codes]
        result["expected_purchases_90d"] = expected_purchases(purchase, 90, ux, ut_x, ut)[codes]
        result["expected_purchases_365d"] = expected_purchases(purchase, 365, ux, ut_x, ut)[codes]
    if spend is not None:
        # the spend model's x counts the repeat days with a known amount (monetary_value
        # averages those alone); without the column every repeat day is known
        known = summary.get("monetary_frequency", summary["frequency"]).to_numpy(dtype=float)
        result["expected_average_order_value"] = expected_average_value(
            spend, known, summary["monetary_value"].to_numpy(dtype=float)
        )
    if purchase is not None and spend is not None:
        discounted = discounted_purchases(purchase, ux, ut_x, ut, 12, monthly_discount_rate)
        result["predicted_clv_12m"] = result["expected_average_order_value"] * discounted[codes]
    return pd.DataFrame(result)

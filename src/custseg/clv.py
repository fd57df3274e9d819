"""Customer lifetime value: BG/NBD (purchases) and Gamma-Gamma (spend per purchase).

Maximum-likelihood fits and per-customer predictions with the conventions of the
reference implementation, the ``lifetimes`` package (daily frequency):

- a purchase occasion is a distinct purchase day (its value: the day's total);
- ``frequency`` = purchase days after the first, ``recency`` = days from the first to
  the last purchase day, ``T`` = days from the first purchase day to as_of_date;
- Gamma-Gamma is fitted on customers with ``frequency > 0`` on the mean value of their
  repeat purchase days (the first day excluded).

Fits run on the unique (frequency, recency, T) combinations weighted by how many
customers share them, so a million customers fit in seconds. The dbt Python models
``int_clv_model_fit`` and ``int_clv_predictions`` call this module; ``lifetimes`` is
only the test oracle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, gammaln, hyp2f1

BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")
DAYS_PER_MONTH = 30  # lifetimes' convention for monthly discounting on daily data


@dataclass(frozen=True)
class Fit:
    """One fitted model: parameters by name, and how the fit went."""

    model: str
    params: dict[str, float | None]
    n_customers: int
    log_likelihood: float | None
    converged: bool
    reason: str | None = None

    @classmethod
    def unavailable(cls, model: str, names: tuple[str, ...], n: int, reason: str) -> Fit:
        return cls(model, dict.fromkeys(names), n, None, False, reason)

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


def _minimize(nll, x0: np.ndarray) -> tuple[np.ndarray, float, bool]:
    """Minimise over log-parameters: Nelder-Mead to get close, BFGS to polish."""
    coarse = minimize(
        nll, x0, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 20000}
    )
    fine = minimize(nll, coarse.x, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
    best = fine if fine.fun <= coarse.fun else coarse
    converged = bool(np.isfinite(best.fun) and (fine.success or coarse.success))
    return best.x, float(best.fun), converged


def _weighted(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.groupby(columns, as_index=False).size().rename(columns={"size": "weight"})


def bg_nbd_log_likelihood(params, x, t_x, T) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie and Lee 2005)."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1 + a2 + np.logaddexp(a3, a4)


def fit_bg_nbd(frequency, recency, T, min_customers: int = 200) -> Fit:
    data = pd.DataFrame({"x": frequency, "t_x": recency, "T": T}).astype(float)
    n = len(data)
    if n < min_customers:
        return Fit.unavailable(
            "bg_nbd", BG_NBD_PARAMETERS, n, f"{n} customers < clv_min_customers {min_customers}"
        )
    if not (data["x"] > 0).any():
        return Fit.unavailable("bg_nbd", BG_NBD_PARAMETERS, n, "no repeat buyers")
    grouped = _weighted(data, ["x", "t_x", "T"])
    scale = 10.0 / grouped["T"].max()
    x = grouped["x"].to_numpy()
    t_x = grouped["t_x"].to_numpy() * scale
    big_t = grouped["T"].to_numpy() * scale
    w = grouped["weight"].to_numpy(dtype=float)

    def nll(log_params):
        ll = bg_nbd_log_likelihood(np.exp(log_params), x, t_x, big_t)
        value = -(ll * w).sum() / w.sum()
        return value if np.isfinite(value) else 1e300

    log_params, _, converged = _minimize(nll, 0.1 * np.ones(4))
    r, alpha, a, b = np.exp(log_params)
    params = {"r": r, "alpha": alpha / scale, "a": a, "b": b}
    per_customer = bg_nbd_log_likelihood(list(params.values()), x, grouped["t_x"], grouped["T"])
    ll = float((per_customer * w).sum())
    return Fit("bg_nbd", {k: float(v) for k, v in params.items()}, n, ll, converged)


def gamma_gamma_log_likelihood(params, x, m) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean repeat spend (Fader and Hardie)."""
    p, q, v = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + (p * x) * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def fit_gamma_gamma(frequency, monetary_value, min_customers: int = 200) -> Fit:
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
    m = grouped["m"].to_numpy()
    w = grouped["weight"].to_numpy(dtype=float)

    def nll(log_params):
        value = -(gamma_gamma_log_likelihood(np.exp(log_params), x, m) * w).sum() / w.sum()
        return value if np.isfinite(value) else 1e300

    log_params, value, converged = _minimize(nll, 0.1 * np.ones(3))
    p, q, v = np.exp(log_params)
    ll = float(-value * w.sum())
    return Fit("gamma_gamma", {"p": float(p), "q": float(q), "gamma": float(v)}, n, ll, converged)


def expected_purchases(params: dict, t, x, t_x, T) -> np.ndarray:
    """Expected purchases in the next ``t`` days (lifetimes'
    conditional_expected_number_of_purchases_up_to_time)."""
    r, alpha, a, b = (params[k] for k in BG_NBD_PARAMETERS)
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    _a, _b, _c = r + x, b + x, a + b + x - 1
    z = t / (alpha + T + t)
    with np.errstate(divide="ignore", invalid="ignore"):
        hyp = np.log(hyp2f1(_a, _b, _c, z))
        alternative = np.log(hyp2f1(_c - _a, _c - _b, _c, z)) + (_c - _a - _b) * np.log(1 - z)
    hyp = np.where(np.isinf(hyp), alternative, hyp)
    first = (a + b + x - 1) / (a - 1)
    second = 1 - np.exp(hyp + (r + x) * np.log((alpha + T) / (alpha + t + T)))
    denominator = 1 + (x > 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return first * second / denominator


def probability_alive(params: dict, x, t_x, T) -> np.ndarray:
    r, alpha, a, b = (params[k] for k in BG_NBD_PARAMETERS)
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    log_div = (r + x) * np.log((alpha + T) / (alpha + t_x)) + np.log(a / (b + np.maximum(x, 1) - 1))
    return np.where(x == 0, 1.0, expit(-log_div))


def expected_average_value(params: dict, x, m) -> np.ndarray:
    """Expected spend per purchase occasion (lifetimes' conditional_expected_average_profit):
    the population mean shrunk towards the customer's own mean as repeat purchases grow."""
    p, q, v = (params[k] for k in GAMMA_GAMMA_PARAMETERS)
    x = np.asarray(x, dtype=float)
    m = np.nan_to_num(np.asarray(m, dtype=float))
    weight = p * x / (p * x + q - 1)
    return (1 - weight) * (v * p / (q - 1)) + weight * m


def predicted_clv(
    bg_nbd: dict, value_per_purchase, x, t_x, T, months: int = 12, monthly_discount_rate=0.01
) -> np.ndarray:
    """Discounted value of the next ``months`` months (lifetimes' customer_lifetime_value
    with freq='D': 30-day months, each month's expected purchases times the expected value
    per purchase, discounted by (1 + rate) ** month)."""
    total = np.zeros(len(np.asarray(x)))
    for month in range(1, months + 1):
        end = month * DAYS_PER_MONTH
        purchases = expected_purchases(bg_nbd, end, x, t_x, T) - expected_purchases(
            bg_nbd, end - DAYS_PER_MONTH, x, t_x, T
        )
        total += value_per_purchase * purchases / (1 + monthly_discount_rate) ** month
    return total

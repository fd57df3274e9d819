"""Per-customer CLV predictions from the fitted BG/NBD and Gamma-Gamma models.

Null predictions when a model could not be fitted (see int_clv_model_fit.reason).
"""

import numpy as np
import pyarrow as pa

from custseg import clv


def _params(fit, model_name):
    rows = fit[fit["model_name"] == model_name]
    if rows.empty or not rows["converged"].all() or rows["value"].isna().any():
        return None
    return dict(zip(rows["parameter"], rows["value"].astype(float), strict=True))


def model(dbt, session):
    dbt.config(materialized="table")
    discount = float(dbt.config.get("clv_monthly_discount_rate"))
    summary = dbt.ref("int_customers_clv_summary").df()
    fit = dbt.ref("int_clv_model_fit").df()
    bg_nbd = _params(fit, "bg_nbd")
    gamma_gamma = _params(fit, "gamma_gamma")
    x, t_x, t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "t"))
    n = len(summary)
    nulls = np.full(n, np.nan)
    p_alive = purchases_90 = purchases_365 = value = clv_12 = nulls
    if bg_nbd is not None:
        p_alive = clv.probability_alive(bg_nbd, x, t_x, t)
        purchases_90 = clv.expected_purchases(bg_nbd, 90, x, t_x, t)
        purchases_365 = clv.expected_purchases(bg_nbd, 365, x, t_x, t)
    if gamma_gamma is not None:
        value = clv.expected_average_value(
            gamma_gamma, x, summary["monetary_value"].to_numpy(dtype=float)
        )
    if bg_nbd is not None and gamma_gamma is not None:
        clv_12 = clv.predicted_clv(bg_nbd, value, x, t_x, t, 12, discount)

    def column(values):
        return pa.array(values, pa.float64(), mask=np.isnan(values))

    return pa.table(
        {
            "customer_id": pa.array(summary["customer_id"], pa.string()),
            "p_alive": column(p_alive),
            "expected_purchases_90d": column(purchases_90),
            "expected_purchases_365d": column(purchases_365),
            "expected_average_order_value": column(value),
            "predicted_clv_12m": column(clv_12),
        }
    )

"""MBG/NBD and Gamma-Gamma fitted by maximum likelihood on int_customers_clv_summary.

One row per model and parameter. Too little data (fewer customers than var
clv_min_customers, or no repeat buyers) or a fit without an interior maximum gives null
values with the reason, never a fabricated number. The statistics live in the custseg
package (custseg.clv); see DECISIONLOG.md for why MBG/NBD, not BG/NBD.
"""

import pyarrow as pa

from custseg import clv


def model(dbt, session):
    dbt.config(materialized="table")
    min_customers = int(dbt.config.get("clv_min_customers"))
    budget = float(dbt.config.get("clv_fit_time_budget_seconds"))
    summary = dbt.ref("int_customers_clv_summary").df()
    purchases = clv.fit_mbg_nbd(
        summary["frequency"], summary["recency"], summary["t"], min_customers, budget
    )
    # Gamma-Gamma weighs each customer's mean spend by the repeat days it averages: only
    # the days whose amounts are all known (orders without an FX rate have none).
    spend = clv.fit_gamma_gamma(
        summary["monetary_frequency"], summary["monetary_value"], min_customers, budget
    )
    rows = purchases.rows() + spend.rows()
    schema = pa.schema(
        [
            ("model_name", pa.string()),
            ("parameter", pa.string()),
            ("value", pa.float64()),
            ("time_unit", pa.string()),
            ("n_customers", pa.int64()),
            ("log_likelihood", pa.float64()),
            ("converged", pa.bool_()),
            ("reason", pa.string()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)

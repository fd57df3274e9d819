"""Per-customer CLV predictions from the fitted MBG/NBD and Gamma-Gamma models.

Null predictions when a model could not be fitted (see int_clv_model_fit.reason). The
statistics live in the custseg package (custseg.clv.predictions).
"""

import numpy as np
import pyarrow as pa

from custseg import clv


def model(dbt, session):
    dbt.config(materialized="table")
    discount = float(dbt.config.get("clv_monthly_discount_rate"))
    summary = dbt.ref("int_customers_clv_summary").df()
    fit = dbt.ref("int_clv_model_fit").df()
    predicted = clv.predictions(summary, fit, discount)
    columns = {"customer_id": pa.array(predicted["customer_id"], pa.string())}
    for name in predicted.columns.drop("customer_id"):
        values = predicted[name].to_numpy(dtype=float)
        columns[name] = pa.array(values, pa.float64(), mask=np.isnan(values))
    return pa.table(columns)

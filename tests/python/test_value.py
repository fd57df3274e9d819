"""Value scores on generated data, checked against independent computations:
RFM recomputed in pandas from fct_orders, CLV against the reference implementation
(lifetimes), and the too-little-data path."""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import AS_OF, run_dbt
from custseg.generate import generate

RELATIVE = 1e-3


def frame(build, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(build.path), read_only=True) as connection:
        return connection.execute(sql).df()


@pytest.fixture(scope="module")
def purchases(messy_build) -> pd.DataFrame:
    return frame(
        messy_build,
        "select customer_id, ordered_date, cast(order_total_reporting as double) as total "
        "from marts.fct_orders where is_valid_purchase",
    )


def score(values: pd.Series, descending: bool = False) -> pd.Series:
    """least(5, 1 + floor(5 * percent_rank())), ties kept together (rank 'min')."""
    ranks = values.rank(method="min", ascending=not descending) - 1
    percent_rank = ranks / (len(values) - 1) if len(values) > 1 else ranks * 0
    return np.minimum(5, 1 + np.floor(5 * percent_rank + 1e-12)).astype(int)


def test_rfm_matches_a_pandas_recomputation(messy_build, purchases):
    expected = purchases.groupby("customer_id").agg(
        last=("ordered_date", "max"), frequency=("total", "size"), monetary=("total", "sum")
    )
    expected["recency_days"] = (pd.Timestamp(AS_OF) - pd.to_datetime(expected["last"])).dt.days
    expected["r_score"] = score(expected["recency_days"], descending=True)
    expected["f_score"] = score(expected["frequency"])
    expected["m_score"] = score(expected["monetary"].round(2))
    found = frame(messy_build, "select * from marts.customer_rfm").set_index("customer_id")
    assert len(found) == len(expected) > 1000
    found = found.loc[expected.index]
    assert (found["recency_days"] == expected["recency_days"]).all()
    assert (found["frequency"] == expected["frequency"]).all()
    assert np.allclose(found["monetary"].astype(float), expected["monetary"], atol=0.005)
    for column in ("r_score", "f_score", "m_score"):
        assert (found[column] == expected[column]).all(), column
    # equal values always share a score
    assert found.groupby("frequency")["f_score"].nunique().max() == 1
    assert found.groupby("recency_days")["r_score"].nunique().max() == 1


def test_rfm_history_scores_everyone_who_had_bought_by_each_month_end(messy_build, purchases):
    monthly = frame(
        messy_build,
        "select month_end_date, count(*) as customers, max(r_score) as top "
        "from marts.customer_rfm_monthly group by month_end_date order by month_end_date",
    )
    first = purchases.groupby("customer_id")["ordered_date"].min()
    for month_end, customers, top in monthly.itertuples(index=False):
        assert customers == (pd.to_datetime(first) <= pd.Timestamp(month_end)).sum()
        assert top == 5 or customers == 1
    transitions = frame(
        messy_build,
        "select month_end_date, sum(customer_count) as moved "
        "from marts.customer_rfm_segment_transitions group by month_end_date",
    )
    assert (
        transitions.set_index("month_end_date")["moved"]
        == monthly.set_index("month_end_date")["customers"]
    ).all()


def test_clv_agrees_with_lifetimes(messy_build, purchases):
    from lifetimes import GammaGammaFitter, ModifiedBetaGeoFitter
    from lifetimes.utils import summary_data_from_transaction_data

    summary = summary_data_from_transaction_data(
        purchases,
        "customer_id",
        "ordered_date",
        monetary_value_col="total",
        observation_period_end=pd.Timestamp(AS_OF),
        freq="D",
    )
    ours = frame(messy_build, "select * from intermediate.int_customers_clv_summary").set_index(
        "customer_id"
    )
    ours = ours.loc[summary.index]
    assert (ours["frequency"] == summary["frequency"]).all()
    assert (ours["recency"] == summary["recency"]).all()
    assert (ours["t"] == summary["T"]).all()
    assert np.allclose(ours["monetary_value"].fillna(0), summary["monetary_value"], rtol=1e-9)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bg = ModifiedBetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
        repeat = summary[summary["frequency"] > 0]
        gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    parameters = frame(messy_build, "select * from marts.clv_model_parameters")
    assert parameters["converged"].all()
    fitted = dict(zip(parameters["parameter"], parameters["value"], strict=True))
    reference = {**bg.params_.to_dict(), **gg.params_.rename({"v": "gamma"}).to_dict()}
    assert set(fitted) == set(reference)
    for name, value in reference.items():
        assert fitted[name] == pytest.approx(value, rel=RELATIVE), name

    value = frame(messy_build, "select * from marts.customer_value").set_index("customer_id")
    value = value.loc[summary.index]
    f, r, t, m = summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = {
            "p_alive": bg.conditional_probability_alive(f, r, t),
            "expected_purchases_90d": bg.conditional_expected_number_of_purchases_up_to_time(
                90, f, r, t
            ),
            "expected_purchases_365d": bg.conditional_expected_number_of_purchases_up_to_time(
                365, f, r, t
            ),
            "expected_average_order_value": gg.conditional_expected_average_profit(f, m),
            "predicted_clv_12m": gg.customer_lifetime_value(
                bg, f, r, t, m, time=12, discount_rate=0.01, freq="D"
            ),
        }
    for column, reference_values in expected.items():
        found = value[column].to_numpy(dtype=float)
        reference_values = np.asarray(reference_values, dtype=float)
        assert np.allclose(found, reference_values, rtol=RELATIVE, atol=0), column
    # tiers: top 1 % and top 10 % by predicted CLV
    tiers = value["value_tier"].value_counts()
    assert tiers["top_1_percent"] == pytest.approx(0.01 * len(value), abs=2)
    assert tiers["top_1_percent"] + tiers["top_10_percent"] == pytest.approx(
        0.10 * len(value), abs=2
    )


def test_too_little_data_gives_nulls_and_a_warning(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, customers=120, seed=3, as_of=AS_OF)
    build = run_dbt(
        tmp_path / "warehouse.duckdb", raw,
        ["build", "--select", "+customer_value", "+clv_model_parameters",
         "--indirect-selection", "cautious"],
    )  # fmt: skip
    assert build.result.success, build.result.failures()
    parameters = frame(build, "select * from marts.clv_model_parameters")
    assert parameters["value"].isna().all()
    assert not parameters["converged"].any()
    assert parameters["reason"].str.contains("< clv_min_customers 200").all()
    value = frame(build, "select * from marts.customer_value")
    assert len(value) > 0 and value["predicted_clv_12m"].isna().all()
    assert value["prediction_missing_reason"].str.contains("clv_min_customers").all()
    assert value["historical_clv"].notna().all()
    warned = [r.node.name for r in build.result.results if str(r.status) == "warn" and r.node]
    assert any("int_clv_model_fit" in name for name in warned)


def test_as_of_date_is_inclusive_for_value_scores(messy_build):
    ((latest,),) = messy_build.query("select max(last_purchase_date) from marts.customer_rfm")
    assert latest <= AS_OF
    ((zero,),) = messy_build.query(
        "select count(*) from marts.customer_rfm where last_purchase_date = ?", [AS_OF]
    )
    ((recency_zero,),) = messy_build.query(
        "select count(*) from marts.customer_rfm where recency_days = 0"
    )
    assert zero == recency_zero


def test_dim_customers_carries_value_scores(messy_build):
    rows = messy_build.query(
        "select has_purchased, count(*), count(rfm_segment), count(predicted_clv_12m), "
        "count(funnel_stage) from marts.dim_customers group by has_purchased"
    )
    by = {row[0]: row[1:] for row in rows}
    total, segments, clv, stages = by[True]
    assert total == segments == clv == stages
    total, segments, clv, stages = by[False]
    assert segments == clv == 0 and stages == total
    ((backwards,),) = messy_build.query(
        "select count(*) from marts.dim_customers "
        "where has_purchased and funnel_stage not in ('customer', 'evangelist')"
    )
    assert backwards == 0


def test_rfm_monetary_adds_orders_in_several_currencies_at_their_rates(messy_build):
    orders = frame(
        messy_build,
        "select customer_id, currency, cast(order_total_original_currency as double) as total, "
        "cast(rate_to_reporting as double) as rate from marts.fct_orders "
        "where is_valid_purchase",
    )
    assert orders["currency"].nunique() > 1
    orders["reporting"] = (orders["total"] * orders["rate"]).round(2)
    expected = orders.groupby("customer_id")["reporting"].sum()
    foreign = orders.loc[orders["currency"] != "EUR", "customer_id"].unique()
    assert len(foreign) > 50
    found = frame(messy_build, "select customer_id, monetary from marts.customer_rfm")
    found = found.set_index("customer_id")["monetary"].astype(float)
    assert np.allclose(found.loc[foreign], expected.loc[foreign], atol=0.011)


def test_ranks_by_counting_equal_the_window_functions_on_every_snapshot(messy_build):
    """RFM scores and value tiers are counted (macro rank_by_counting), not windowed over
    every customer: on every snapshot of the history they equal what percent_rank() and
    cume_dist() give over the same values, ties included."""
    differing = messy_build.query(
        """
        with windowed as (
            select
                snapshot_date,
                customer_id,
                r_score,
                f_score,
                m_score,
                least(5, 1 + floor(5 * percent_rank() over (
                    partition by snapshot_date order by recency_days desc))) as r_window,
                least(5, 1 + floor(5 * percent_rank() over (
                    partition by snapshot_date order by frequency))) as f_window,
                case when monetary is not null then least(5, 1 + floor(5 * percent_rank() over (
                    partition by snapshot_date, monetary is null order by monetary))) end
                    as m_window
            from intermediate.int_customer_rfm_snapshots
        )
        select
            count(distinct snapshot_date),
            count(*),
            count(*) filter (where r_score != r_window or f_score != f_window
                or m_score is distinct from m_window)
        from windowed
        """
    )
    snapshots, rows, wrong = differing[0]
    assert snapshots > 12 and rows > 10_000
    assert wrong == 0
    tiers = messy_build.query(
        """
        with windowed as (
            select
                value_tier,
                case
                    when predicted_clv_12m is null then null
                    when cume_dist() over (partition by predicted_clv_12m is not null
                        order by predicted_clv_12m desc) <= 0.01 then 'top_1_percent'
                    when cume_dist() over (partition by predicted_clv_12m is not null
                        order by predicted_clv_12m desc) <= 0.10 then 'top_10_percent'
                    when cume_dist() over (partition by predicted_clv_12m is not null
                        order by predicted_clv_12m desc) <= 0.50 then 'next_40_percent'
                    else 'rest'
                end as window_tier
            from marts.customer_value
        )
        select
            count(distinct value_tier),
            count(*) filter (where value_tier is distinct from window_tier)
        from windowed
        """
    )
    assert tiers == [(4, 0)]

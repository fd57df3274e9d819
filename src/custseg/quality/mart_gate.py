"""Gate 3: Great Expectations suites on the built marts, for what row-level dbt tests
cannot express: distributions, plausible ranges and changes between builds.

DuckDB does the reading (a read-only connection; GX's SQL datasource cannot read DuckDB,
see ``gx``): value checks stream a mart's columns in bounded chunks, distribution and
change checks hand GX small aggregates. Memory stays bounded however large the marts.

Checks (thresholds: the dbt vars quality_*, defaults in custseg.quality.DEFAULTS):
- RFM scores: each score's share of scored customers is 20 % within a tolerance, widened
  exactly by the tie groups that straddle the quintile boundaries (tied customers must
  share a score, so ties can force uneven shares);
- CLV: p_alive in [0, 1], predicted and historical values not negative;
- consent: the share of customers with granted consent per purpose is above zero (fail:
  a broken consent join) and within a plausible band (warn). Not applicable (status n/a,
  with the reason) to a purpose without any consent record on or before as_of_date, e.g.
  when the optional consents table is absent: then nobody may be contacted for it and its
  audiences are empty by design, which is no defect of the build;
- segment sizes against the previous as_of_date in segment_sizes: a change by more than
  ``quality_size_warn_ratio`` warns, by more than ``quality_size_fail_ratio`` fails;
- row counts of the main marts against the previous as_of_date in mart_row_counts, with
  the same ratios.
- orders without an FX rate (fct_orders.fx_status 'missing_fx_rate'): a warning per
  currency with its count, share and dates (dbt's test already failed the build above
  var max_unconverted_order_ratio).
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

import duckdb
import pandas as pd

from . import FAIL, NOT_APPLICABLE, PASS, WARN, CheckResult, settings
from . import gx as gxq

GATE = "marts"
CONSENT_PURPOSES = ("email_marketing", "sms_marketing", "personalized_ads", "profiling")
# What a missing consent switches off (audience_exports' channel per purpose).
CONSENT_USES = {
    "email_marketing": "the email audiences are empty",
    "sms_marketing": "the sms audiences are empty",
    "personalized_ads": "the paid_media audiences are empty",
    "profiling": "no customer may be profiled",
}
CONSENT_CHECKS = ("consent_share_above_zero", "consent_share_plausible")
RFM_DIMENSIONS = {"r_score": "recency_days", "f_score": "frequency", "m_score": "monetary"}


def _relation_exists(connection, schema: str, name: str) -> bool:
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


# ------------------------------------------------------------------------- RFM shares
def rfm_share_frame(connection, tolerance: float) -> pd.DataFrame:
    """Per RFM dimension and score: the share of scored customers, and the band it must
    lie in: 0.2 +- (tolerance + the tie groups straddling the score's two boundaries)."""
    frames = []
    for score, value in RFM_DIMENSIONS.items():
        frame = connection.execute(
            f"""
            with scored as (
                select {score} as score, {value} as value
                from marts.customer_rfm
                where {score} is not null
            ),
            total as (select count(*) as n from scored),
            ties as (
                select value, count(*) as tied,
                    sum(count(*)) over (order by value) - count(*) as first_position,
                    sum(count(*)) over (order by value) as last_position
                from scored group by value
            ),
            boundaries as (
                select k, coalesce(max(ties.tied), 0) as straddling
                from range(0, 6) as r(k)
                cross join total
                left join ties
                    on ties.first_position < k * total.n / 5.0
                    and ties.last_position > k * total.n / 5.0
                group by k
            ),
            shares as (
                select scores.s as score,
                    count(scored.score) * 1.0 / any_value(total.n) as share
                from range(1, 6) as scores(s)
                cross join total
                left join scored on scored.score = scores.s
                group by scores.s
            )
            select '{score}' as dimension, shares.score, shares.share,
                (lower_boundary.straddling + upper_boundary.straddling) * 1.0 / total.n
                    as tie_allowance
            from shares
            cross join total
            join boundaries as lower_boundary on lower_boundary.k = shares.score - 1
            join boundaries as upper_boundary on upper_boundary.k = shares.score
            order by shares.score
            """
        ).df()
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame["lower_bound"] = 0.2 - tolerance - frame["tie_allowance"]
    frame["upper_bound"] = 0.2 + tolerance + frame["tie_allowance"]
    return frame


def _rfm_expectations(frame: pd.DataFrame):
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="share",
            column_B="lower_bound",
            or_equal=True,
            meta={"check": "rfm_score_share_in_band", "severity": FAIL},
        ),
        gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="upper_bound",
            column_B="share",
            or_equal=True,
            meta={"check": "rfm_score_share_in_band", "severity": FAIL},
        ),
    ]


# ---------------------------------------------------------------------------- CLV ranges
def _clv_expectations():
    import great_expectations as gx

    def between(column, low, high, check, severity=FAIL):
        return gx.expectations.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=low,
            max_value=high,
            meta={"check": check, "severity": severity},
        )

    return [
        between("p_alive", 0.0, 1.0, "p_alive_in_0_1"),
        between("predicted_clv_12m", 0.0, None, "predicted_clv_not_negative"),
        between("historical_clv", 0.0, None, "historical_clv_not_negative"),
        between("expected_purchases_365d", 0.0, None, "expected_purchases_not_negative"),
    ]


def _chunked_value_checks(connection, ctx, chunk_rows: int, docs: bool) -> list[CheckResult]:
    """customer_value's ranges over bounded chunks; counts add up across chunks."""
    columns = "p_alive, predicted_clv_12m, historical_clv, expected_purchases_365d"
    reader = connection.execute(f"select {columns} from marts.customer_value").fetch_record_batch(
        chunk_rows
    )
    totals: dict[str, CheckResult] = {}
    for index, batch in enumerate(reader):
        if index:
            gc.collect()  # GX keeps the last chunk's frame alive until a full collection
        frame = batch.to_pandas()
        if frame.empty:
            continue
        validation = gxq.validate_frame(
            ctx, "customer_value", frame, _clv_expectations(), write_docs=docs and index == 0
        )
        for result in gxq.check_results(validation, GATE, "marts", "customer_value"):
            previous = totals.get(result.check)
            failing = (result.failing_rows or 0) + (previous.failing_rows or 0 if previous else 0)
            status = (
                result.status if result.status != PASS else (previous.status if previous else PASS)
            )
            totals[result.check] = CheckResult(
                GATE, "marts", "customer_value", result.check, status, failing, result.message
            )
    return list(totals.values())


# ------------------------------------------------------------------------- consent shares
def consent_share_frame(connection) -> pd.DataFrame:
    parts = " union all ".join(
        f"select '{purpose}' as purpose,"
        f" avg(case when has_{purpose}_consent then 1.0 else 0.0 end) as share"
        " from marts.dim_customers"
        for purpose in CONSENT_PURPOSES
    )
    return connection.execute(parts).df()


def consent_applicability(connection) -> dict[str, str]:
    """Per purpose without any valid consent record on or before the build's as_of_date
    (so no customer can have consented to it): why the consent checks do not apply.
    Purposes with records are absent from the result."""
    if not _relation_exists(connection, "staging", "stg_raw__consent_log"):
        return {}
    table_rows = None
    if _relation_exists(connection, "staging", "stg_raw__reconciliation"):
        table_rows = connection.execute(
            # every source of the table: its landing files and the tool exports feeding it
            "select coalesce(sum(raw_row_count), 0), coalesce(sum(staged_row_count), 0)"
            " from staging.stg_raw__reconciliation where table_name = 'consents'"
        ).fetchone()
    as_of = connection.execute("select max(as_of_date) from marts.dim_customers").fetchone()[0]
    counts = dict(
        connection.execute(
            """
            select purpose, count(*)
            from staging.stg_raw__consent_log
            where ? is null or recorded_at < cast(? as date) + interval 1 day
            group by purpose
            """,
            [as_of, as_of],
        ).fetchall()
    )
    if table_rows is not None and table_rows[1] == 0:
        why = (
            "no consents table"
            if table_rows[0] == 0
            else f"no valid consent record (all {table_rows[0]:,} rows of consents quarantined)"
        )
        reason = f"{why}: nobody may be contacted, so audiences are empty"
        return dict.fromkeys(CONSENT_PURPOSES, reason)
    when = f" on or before {as_of}" if as_of else ""
    return {
        purpose: f"no consent record for {purpose}{when}: {CONSENT_USES[purpose]}"
        for purpose in CONSENT_PURPOSES
        if not counts.get(purpose)
    }


def _consent_expectations(band):
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="share",
            min_value=0.0,
            max_value=1.0,
            strict_min=True,
            meta={"check": "consent_share_above_zero", "severity": FAIL},
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="share",
            min_value=band[0],
            max_value=band[1],
            meta={"check": "consent_share_plausible", "severity": WARN},
        ),
    ]


# --------------------------------------------------------------- changes between builds
def change_frame(connection, relation: str, key: str, count: str, minimum: int) -> pd.DataFrame:
    """Per key: this build's count (latest as_of_date) and the previous date's, with the
    change ratio max(now/before, before/now); null when there is no previous date or both
    counts are below ``minimum`` (small counts swing by chance)."""
    return connection.execute(
        f"""
        with dates as (
            select distinct as_of_date from {relation} order by as_of_date desc limit 2
        ),
        latest as (select max(as_of_date) as d from dates),
        previous as (
            select min(as_of_date) as d from dates where as_of_date < (select d from latest)
        ),
        pairs as (
            select now_rows.{key} as key,
                now_rows.{count} as current_count,
                before_rows.{count} as previous_count
            from {relation} as now_rows
            left join {relation} as before_rows
                on before_rows.{key} = now_rows.{key}
                and before_rows.as_of_date = (select d from previous)
            where now_rows.as_of_date = (select d from latest)
        )
        select key, current_count, previous_count,
            case
                when previous_count is null
                    or greatest(current_count, previous_count) < {int(minimum)} then null
                when least(current_count, previous_count) = 0 then 1e9
                else greatest(current_count * 1.0 / previous_count,
                    previous_count * 1.0 / current_count)
            end as change_ratio
        from pairs
        order by key
        """
    ).df()


def _change_results(frame: pd.DataFrame, ctx, table: str, what: str, conf: dict, docs: bool):
    """All keys' change ratios in one validation: beyond the fail ratio fails, beyond the
    warn ratio warns."""
    import great_expectations as gx

    expectations = [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="change_ratio",
            max_value=conf[f"quality_size_{severity}_ratio"],
            strict_max=severity == FAIL,
            meta={"check": f"{what}_change", "severity": severity},
        )
        for severity in (WARN, FAIL)
    ]

    def message(row) -> str:
        if pd.isna(row.previous_count):
            return "no previous build to compare with"
        return f"{int(row.previous_count)} -> {int(row.current_count)}"

    if frame.empty:
        return []
    return _keyed_results(frame, ctx, table, f"{table}_{what}_change", expectations, docs, message)


def _keyed_results(frame, ctx, table, suite, expectations, docs, message) -> list[CheckResult]:
    """Validate an aggregate frame (column ``key``) once; one CheckResult per key and
    check: fail or warn when the key's row broke an expectation of that severity."""
    validation = gxq.validate_frame(ctx, suite, frame, expectations, docs, key_column="key")
    failed = gxq.unexpected_keys(validation, "key")
    checks = dict.fromkeys((e.meta or {}).get("check") for e in expectations)
    results = []
    for row in frame.itertuples():
        for check in checks:
            status = PASS
            for severity in (WARN, FAIL):
                if row.key in failed.get(f"{check}|{severity}", set()):
                    status = severity
            results.append(
                CheckResult(GATE, "marts", table, f"{check}:{row.key}", status, None, message(row))
            )
    return results


# ------------------------------------------------------------- orders without an FX rate
def unconverted_order_results(connection) -> list[CheckResult]:
    """One warning per currency whose orders have no FX rate (amounts unknown). Never a
    failure here: above var max_unconverted_order_ratio dbt's test already stopped the
    build, so a built fct_orders holds an accepted share."""
    from ..report import unconverted_orders

    return [
        CheckResult(
            GATE,
            "marts",
            "fct_orders",
            f"orders_without_fx_rate:{row['currency']}",
            WARN,
            row["order_count"],
            f"{row['currency']}: {row['order_count']} of {row['all_order_count']} orders"
            f" ({row['order_share']:.2%}, {row['first_order_date']} to"
            f" {row['last_order_date']}) have no FX rate: purchases with unknown amounts."
            " Add them to fx_rates (currency, rate_date, rate_to_reporting).",
        )
        for row in unconverted_orders(connection)
    ]


# ------------------------------------------------------------------------------ the gate
def validate_marts(
    warehouse_path: Path,
    project_dir: Path,
    docs_root: Path | None = None,
    chunk_rows: int = 1_000_000,
    variables: dict | None = None,
) -> tuple[list[CheckResult], dict]:
    """Run gate 3 on a built warehouse; returns the results and timings (seconds).
    ``variables``: the build's vars (thresholds given on the command line win)."""
    conf = settings(project_dir, variables)
    ctx = gxq.context(docs_root)
    docs = docs_root is not None
    results: list[CheckResult] = []
    timings: dict[str, float] = {}
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        started = time.perf_counter()
        if _relation_exists(connection, "marts", "customer_rfm"):
            frame = rfm_share_frame(connection, conf["quality_rfm_share_tolerance"])
            frame["key"] = frame["dimension"] + "=" + frame["score"].astype(str)
            results += _keyed_results(
                frame, ctx, "customer_rfm", "customer_rfm_score_shares",
                _rfm_expectations(frame), docs,
                lambda r: f"share {r.share:.3f}, band {r.lower_bound:.3f}-{r.upper_bound:.3f}",
            )  # fmt: skip
        timings["rfm"] = time.perf_counter() - started

        started = time.perf_counter()
        if _relation_exists(connection, "marts", "customer_value"):
            results += _chunked_value_checks(connection, ctx, chunk_rows, docs)
        timings["clv"] = time.perf_counter() - started

        started = time.perf_counter()
        if _relation_exists(connection, "marts", "dim_customers"):
            not_applicable = consent_applicability(connection)
            frame = consent_share_frame(connection).rename(columns={"purpose": "key"})
            frame = frame[~frame["key"].isin(list(not_applicable))]
            if not frame.empty:
                results += _keyed_results(
                    frame, ctx, "dim_customers", "dim_customers_consent_shares",
                    _consent_expectations(conf["quality_consent_share_band"]), docs,
                    lambda row: f"share {row.share:.3f}",
                )  # fmt: skip
            results += [
                CheckResult(
                    GATE, "marts", "dim_customers", f"{check}:{purpose}", NOT_APPLICABLE,
                    None, reason,
                )
                for purpose, reason in not_applicable.items()
                for check in CONSENT_CHECKS
            ]  # fmt: skip
        timings["consent"] = time.perf_counter() - started

        started = time.perf_counter()
        for relation, key, count, table, what in (
            ("marts.segment_sizes", "segment_id", "member_count", "segment_sizes", "size"),
            ("marts.mart_row_counts", "mart_name", "row_count", "mart_row_counts", "rows"),
        ):
            schema, name = relation.split(".")
            if _relation_exists(connection, schema, name):
                frame = change_frame(
                    connection, relation, key, count, conf["quality_size_min_members"]
                )
                results += _change_results(frame, ctx, table, what, conf, docs)
        timings["changes"] = time.perf_counter() - started

        if _relation_exists(connection, "marts", "fct_orders"):
            results += unconverted_order_results(connection)
    if docs:
        gxq.build_docs(ctx)
    return results, timings

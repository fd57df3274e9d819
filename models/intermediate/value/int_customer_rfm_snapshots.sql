{#- RFM of every customer with a valid purchase, as of as_of_date and as of every month end
    before it (from the month of the first purchase): recency_days from the last valid
    purchase date, frequency = distinct valid orders, monetary = their total in the
    reporting currency. Scores 1-5 per snapshot, ties kept together:
    least(5, 1 + floor(5 * percent_rank())), recency ordered descending (most recent
    scores 5), frequency and monetary ascending. Never ntile: it splits ties arbitrarily.
    percent_rank is counted (macro rank_by_counting), not a window over every customer
    of a snapshot, which Spark runs as one task.
    Purchases are first summed per customer and month, so each snapshot adds up months,
    not orders.
    A purchase without an FX rate (int_orders_enriched.fx_status 'missing_fx_rate') counts for
    recency and frequency; its unknown amount is left out of monetary, never taken as 0
    (unconverted_purchase_count says how many). A customer none of whose purchases has a
    known amount has monetary, m_score and rfm_cell null; m is scored among the customers
    with a known monetary only, and the segment of an unknown m is that of the cell with
    m = f_score (the classic F-M average with only F known).
    Incremental on DuckDB: a month end is computed once and again only when its inputs
    change. inputs_fingerprint adds up a hash of each customer-month of purchases up to the
    snapshot and of the RFM cell table; a later build computes the snapshots whose
    fingerprint differs from the stored one (a late or restated order, an FX rate, a merged
    or erased customer, an edited cell), the as_of_date snapshot and new month ends, and
    deletes stored dates that are no longer snapshots (the previous as_of_date, month ends
    after a moved-back as_of_date). A model change needs --full-refresh, as in dbt.
    Marker rows (customer_id null) name the dates strategy replace_snapshots replaces. -#}
{#- A table on Spark: two marts read it, and the view text would overflow Spark's Derby
    metastore. -#}
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='replace_snapshots',
    on_schema_change='sync_all_columns',
) }}
with

purchases as (
    select
        customer_id,
        ordered_date,
        order_total_reporting,
        fx_status = 'missing_fx_rate' as is_unconverted,
        {{ dbt.last_day('ordered_date', 'month') }} as purchase_month_end
    from {{ ref('int_orders_enriched') }}
    where is_valid_purchase and ordered_date <= {{ as_of_date() }}
),

monthly_purchases as (
    select
        customer_id,
        purchase_month_end,
        count(*) as order_count,
        count(case when is_unconverted then 1 end) as unconverted_order_count,
        {#- sum ignores the unknown amounts; null when none is known #}
        sum(order_total_reporting) as order_total,
        max(ordered_date) as last_ordered_date
    from purchases
    group by customer_id, purchase_month_end
),

month_offsets as (
    {#- up to 100 years of month ends before as_of_date #}
    select generated_number - 1 as month_offset
    from ({{ dbt.generate_series(1200) }}) as generated_months
),

first_purchase as (
    select min(purchase_month_end) as first_month_end
    from monthly_purchases
),

month_ends as (
    select
        {{ dbt.last_day(
            dbt.dateadd('month', '-1 * month_offset', as_of_date()), 'month'
        ) }} as snapshot_date
    from month_offsets
),

snapshots as (
    select distinct month_ends.snapshot_date
    from month_ends
    cross join first_purchase
    where
        month_ends.snapshot_date <= {{ as_of_date() }}
        and month_ends.snapshot_date >= first_purchase.first_month_end
    union
    select {{ as_of_date() }} as snapshot_date
),

cells as (
    select
        r_score,
        f_score,
        m_score,
        rfm_cell,
        rfm_segment
    from {{ ref('int_rfm_cells_segmented') }}
),

monthly_hashes as (
    select
        purchase_month_end,
        sum({{ row_hash([
            'customer_id', 'purchase_month_end', 'order_count', 'unconverted_order_count',
            'order_total', 'last_ordered_date'
        ]) }}) as month_hash
    from monthly_purchases
    group by purchase_month_end
),

cells_hash as (
    select
        sum({{ row_hash(['r_score', 'f_score', 'm_score', 'rfm_cell', 'rfm_segment']) }})
            as cells_hash
    from cells
),

fingerprinted_snapshots as (
    select
        snapshots.snapshot_date,
        coalesce(sum(monthly_hashes.month_hash), 0) + max(cells_hash.cells_hash)
            as inputs_fingerprint
    from snapshots
    cross join cells_hash
    left join monthly_hashes
        on
            snapshots.snapshot_date >= monthly_hashes.purchase_month_end
            or snapshots.snapshot_date = {{ as_of_date() }}
    group by snapshots.snapshot_date
),

{% if is_incremental() -%}
stored_snapshots as (
    select
        snapshot_date,
        min(inputs_fingerprint) as inputs_fingerprint
    from {{ this }}
    group by snapshot_date
),

computed_snapshots as (
    select fingerprinted_snapshots.*
    from fingerprinted_snapshots
    left join stored_snapshots
        on
            fingerprinted_snapshots.snapshot_date = stored_snapshots.snapshot_date
            and fingerprinted_snapshots.inputs_fingerprint = stored_snapshots.inputs_fingerprint
    where
        stored_snapshots.snapshot_date is null
        or fingerprinted_snapshots.snapshot_date = {{ as_of_date() }}
),

replaced_snapshots as (
    select snapshot_date from computed_snapshots
    union
    select snapshot_date from stored_snapshots
    where snapshot_date not in (select snapshot_date from fingerprinted_snapshots)
),
{%- else -%}
computed_snapshots as (
    select * from fingerprinted_snapshots
),
{%- endif %}

aggregated as (
    select
        computed_snapshots.snapshot_date,
        monthly_purchases.customer_id,
        sum(monthly_purchases.order_count) as frequency,
        sum(monthly_purchases.unconverted_order_count) as unconverted_purchase_count,
        sum(monthly_purchases.order_total) as monetary,
        max(monthly_purchases.last_ordered_date) as last_purchase_date
    from computed_snapshots
    inner join monthly_purchases
        on
            computed_snapshots.snapshot_date >= monthly_purchases.purchase_month_end
            or computed_snapshots.snapshot_date = {{ as_of_date() }}
    group by computed_snapshots.snapshot_date, monthly_purchases.customer_id
),

measured as (
    select
        snapshot_date,
        customer_id,
        last_purchase_date,
        cast(
            {{ dbt.datediff('last_purchase_date', 'snapshot_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as recency_days,
        cast(frequency as {{ dbt.type_bigint() }}) as frequency,
        cast(monetary as decimal(18, 2)) as monetary,
        cast(unconverted_purchase_count as {{ dbt.type_bigint() }}) as unconverted_purchase_count
    from aggregated
),

{#- percent_rank() by counting: no window over every customer of a snapshot (one Spark
    task); recency ranked descending through its negation #}
{{ rank_by_counting('recency_ranks', 'measured', ['snapshot_date'], '-1 * recency_days') }},

{{ rank_by_counting('frequency_ranks', 'measured', ['snapshot_date'], 'frequency') }},

{#- ranked among the known monetary values only; kept when monetary is known #}
{{ rank_by_counting(
    'monetary_ranks', 'measured', ['snapshot_date'], 'monetary', 'floor(ranked_value)'
) }},

scored as (
    select
        measured.*,
        cast({{ quintile_score('recency_ranks') }} as {{ dbt.type_int() }}) as r_score,
        cast({{ quintile_score('frequency_ranks') }} as {{ dbt.type_int() }}) as f_score,
        cast({{ quintile_score('monetary_ranks') }} as {{ dbt.type_int() }}) as known_m_score
    from measured
    inner join recency_ranks
        on
            measured.snapshot_date = recency_ranks.snapshot_date
            and -1 * measured.recency_days = recency_ranks.ranked_value
    inner join frequency_ranks
        on
            measured.snapshot_date = frequency_ranks.snapshot_date
            and measured.frequency = frequency_ranks.ranked_value
    left join monetary_ranks
        on
            measured.snapshot_date = monetary_ranks.snapshot_date
            and measured.monetary = monetary_ranks.ranked_value
),

final as (
    select
        scored.snapshot_date,
        scored.snapshot_date = {{ dbt.last_day('scored.snapshot_date', 'month') }} as is_month_end,
        scored.customer_id,
        scored.last_purchase_date,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.unconverted_purchase_count,
        scored.r_score,
        scored.f_score,
        case when scored.monetary is not null then scored.known_m_score end as m_score,
        case when scored.monetary is not null then cells.rfm_cell end as rfm_cell,
        cells.rfm_segment,
        computed_snapshots.inputs_fingerprint,
        {{ run_started_at_literal() }} as computed_at
    from scored
    inner join computed_snapshots
        on scored.snapshot_date = computed_snapshots.snapshot_date
    inner join cells
        on
            scored.r_score = cells.r_score
            and scored.f_score = cells.f_score
            {#- unknown monetary: the cell with m = f_score #}
            and case
                when scored.monetary is null then scored.f_score else scored.known_m_score
            end = cells.m_score
)

select * from final
{%- if is_incremental() %}
union all by name
select snapshot_date from replaced_snapshots
{%- endif %}

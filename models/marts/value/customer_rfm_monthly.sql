{#- RFM history: one row per customer and month end (up to as_of_date) from the month of
    their first valid purchase, each month scored against all customers scored that
    month. -#}
with

snapshots as (
    select * from {{ ref('int_customer_rfm_snapshots') }}
    where is_month_end
),

final as (
    select
        {{ dbt.concat(['customer_id', "'|'", "cast(snapshot_date as " ~ dbt.type_string() ~ ")"]) }}
            as customer_month_id,
        customer_id,
        snapshot_date as month_end_date,
        last_purchase_date,
        recency_days,
        frequency,
        monetary,
        r_score,
        f_score,
        m_score,
        rfm_cell,
        rfm_segment
    from snapshots
)

select * from final

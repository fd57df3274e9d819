{#- RFM as of as_of_date: one row per customer with at least one valid purchase. Purchases
    without an FX rate count for recency and frequency; monetary leaves their unknown
    amounts out (unconverted_purchase_count). -#}
with

snapshots as (
    select * from {{ ref('int_customer_rfm_snapshots') }}
    where snapshot_date = {{ as_of_date() }}
),

final as (
    select
        customer_id,
        snapshot_date as as_of_date,
        last_purchase_date,
        recency_days,
        frequency,
        monetary,
        unconverted_purchase_count,
        r_score,
        f_score,
        m_score,
        rfm_cell,
        rfm_segment
    from snapshots
)

select * from final

{#- How customers move between RFM segments: per month end, the number of customers by
    their segment at the previous month end and now. Customers scored for the first time
    come from '(first purchase)'. -#}
with

monthly as (
    select
        customer_id,
        month_end_date,
        rfm_segment,
        lag(rfm_segment) over (
            partition by customer_id
            order by month_end_date
        ) as previous_rfm_segment
    from {{ ref('customer_rfm_monthly') }}
),

final as (
    select
        month_end_date,
        coalesce(previous_rfm_segment, '(first purchase)') as from_rfm_segment,
        rfm_segment as to_rfm_segment,
        cast(count(*) as {{ dbt.type_bigint() }}) as customer_count
    from monthly
    group by month_end_date, coalesce(previous_rfm_segment, '(first purchase)'), rfm_segment
)

select * from final
